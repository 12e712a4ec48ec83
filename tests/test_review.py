"""`h4s review` (issue 19): the reviewer's report (HTML and Markdown) and the recorded decision."""
from __future__ import annotations

import json
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from h4s_kit.cli import main
from h4s_kit.metadata import validate_metadata
from h4s_kit.review import RUBRIC, ReviewError, record_decision, review_report

ROOT = Path(__file__).resolve().parents[1]
BROKEN = ROOT / "tests" / "fixtures" / "broken-module" / "99-broken"
PASS_ALL = [f"--rubric={k}=pass" for k in RUBRIC]


def _meta(folder: Path):
    nb = json.loads((folder / "module.ipynb").read_text("utf-8"))
    return validate_metadata(nb["metadata"]["h4s"], folder, folder_name=folder.name)


@pytest.fixture
def fresh(tmp_path, monkeypatch):
    """A module made by h4s new (it passes h4s check), in a temporary course folder."""
    monkeypatch.chdir(tmp_path)
    assert main(["new", "Digital safety at work"]) == 0
    return tmp_path / "modules" / "01-digital-safety-at-work"


def test_broken_module_report_lists_its_faults_and_refuses_publishing(tmp_path, capsys):
    broken = tmp_path / "99-broken"
    shutil.copytree(BROKEN, broken)
    before = (broken / "module.ipynb").read_bytes()
    code = main(["review", str(broken), "-o", str(tmp_path / "r"), "--no-exec"])
    out = capsys.readouterr()
    assert code == 1, out.out + out.err
    md = next((tmp_path / "r").glob("*-review.md")).read_text("utf-8")
    page = next((tmp_path / "r").glob("*-review.html")).read_text("utf-8")
    report = review_report(broken, execute=False)
    assert len(report.errors) >= 3
    for f in report.errors:
        assert f.message in md and f.place in md
    assert all(title in md and title in page for title, _ in RUBRIC.values())
    assert page.count("<tr>") >= len(report.findings) + len(RUBRIC)
    with pytest.raises(ReviewError, match="metadata is invalid"):
        record_decision(report, "accept", "A Reviewer", "peer reviewer", {k: "pass" for k in RUBRIC})
    assert main(["review", str(broken), "-o", str(tmp_path / "r"), "--decision", "accept", "--reviewer", "A",
                 "--role", "peer reviewer", *PASS_ALL]) == 1
    assert "h4s review: error: " in capsys.readouterr().err
    assert (broken / "module.ipynb").read_bytes() == before          # nothing recorded, nothing lost


@pytest.mark.slow
def test_accept_publishes_only_a_clean_module_with_every_rubric_item_passed(fresh, tmp_path, capsys):
    assert main(["review", str(fresh), "-o", "r"]) == 0
    assert "status: review" in capsys.readouterr().out and _meta(fresh).status == "review"
    # a rubric item not passed: refused, nothing recorded
    args = ["review", str(fresh), "-o", "r", "--decision", "accept", "--reviewer", "Ana Novak",
            "--role", "peer reviewer, VET trainer"]
    assert main([*args, "--rubric", "accuracy=pass", "--rubric", "licences=fail"]) == 1
    err = capsys.readouterr().err
    assert "rubric item(s) not passed: inclusiveness, alignment, licences" in err
    assert _meta(fresh).reviews == [] and _meta(fresh).status == "review"
    assert main([*args, *PASS_ALL]) == 0
    assert "recorded: accept of version 1.0.0 by Ana Novak" in capsys.readouterr().out
    meta = _meta(fresh)
    assert meta.status == "published" and meta.passed_review()
    r = meta.reviews[-1]
    assert (r.reviewer, r.role, r.version, r.decision) == ("Ana Novak", "peer reviewer, VET trainer", "1.0.0", "accept")
    assert "Accuracy: pass" in r.rubric and any(x.startswith("h4s check: 0 error(s)") for x in r.rubric)


@pytest.mark.slow
def test_accept_is_refused_while_a_check_fails(fresh, capsys):
    nb_path = fresh / "module.ipynb"
    nb = json.loads(nb_path.read_text("utf-8"))
    nb["cells"][3]["source"] = "raise RuntimeError('broken on purpose')"       # the figure cell now fails
    nb_path.write_text(json.dumps(nb), encoding="utf-8")
    assert main(["review", str(fresh), "-o", "r", "--decision", "accept", "--reviewer", "A", "--role", "B",
                 *PASS_ALL]) == 1
    err = capsys.readouterr().err
    assert "cannot accept 01-digital-safety-at-work 1.0.0: h4s check finds" in err and "fix them, or decide revise" in err
    assert _meta(fresh).reviews == []
    assert main(["review", str(fresh), "-o", "r", "--decision", "revise", "--reviewer", "A", "--role", "B"]) == 0
    meta = _meta(fresh)
    assert meta.status == "draft" and meta.reviews[-1].decision == "revise" and not meta.passed_review()


def test_decision_needs_a_named_reviewer_and_known_rubric_items(fresh, capsys):
    assert main(["review", str(fresh), "--no-exec", "--decision", "revise"]) == 1
    assert "give --reviewer NAME and --role ROLE" in capsys.readouterr().err
    assert main(["review", str(fresh), "--no-exec", "--rubric", "beauty=pass"]) == 1
    assert "ITEM one of accuracy, inclusiveness, alignment, licences" in capsys.readouterr().err
    assert main(["review", str(fresh), "--no-exec", "--decision", "accept", "--reviewer", "A", "--role", "B",
                 *PASS_ALL]) == 1
    assert "--no-exec cannot accept" in capsys.readouterr().err


def test_hostile_metadata_is_escaped_in_the_html_report(tmp_path):
    mod = tmp_path / "99-broken"
    shutil.copytree(BROKEN, mod)
    nb = json.loads((mod / "module.ipynb").read_text("utf-8"))
    nb["metadata"]["h4s"]["title"] = "<script>alert(1)</script>"
    nb["metadata"]["h4s"]["eqf_level"] = "<img src=x onerror=alert(1)>"
    (mod / "module.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    from h4s_kit.review import to_html
    page = to_html(review_report(mod, execute=False))

    class Tags(HTMLParser):
        found: list = []

        def handle_starttag(self, tag, attrs):
            self.found.append(tag)
    p = Tags()
    p.feed(page)
    assert "script" not in p.found and "img" not in p.found and "&lt;script&gt;" in page
