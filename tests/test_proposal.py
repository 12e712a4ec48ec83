"""`h4s propose` and `h4s new --from` (issue 19): from a hackathon idea to a module that passes `h4s check`."""
from __future__ import annotations

import json

import pytest
import yaml

from h4s_kit.cli import main
from h4s_kit.metadata import validate_metadata
from h4s_kit.proposal import ProposalError, read_proposal, validate_proposal

FLAGS = ["--title", "Safe ladders on site", "--challenge", "Apprentices of a roofing company set up ladders unsafely.",
         "--partner", "A roofing company", "--audience", "Roofing apprentices", "--audience", "In-company trainers",
         "--outcome", "You can check a ladder before use.", "--outcome", "You can set up a ladder at a safe angle.",
         "--eqf", "3", "--lang", "de", "--duration", "60", "--proposer", "Trainer A", "--proposer", "Trainer B",
         "--no-input"]


def _valid() -> dict:
    return {"title": "T", "challenge": "C", "audience": ["VET learners"], "outcomes": ["You can a.", "You can b."],
            "eqf_level": 4, "language": "en", "duration_minutes": 45, "proposers": ["P"], "date": "2026-12-04"}


@pytest.mark.slow
def test_propose_then_new_from_then_check_passes(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["propose", *FLAGS, "-o", "ideas/ladders.yml"]) == 0
    assert "h4s new --from ideas/ladders.yml" in capsys.readouterr().out
    text = (tmp_path / "ideas" / "ladders.yml").read_text("utf-8")
    assert text.startswith("# A module proposal") and yaml.safe_load(text)["partner"] == "A roofing company"
    assert main(["new", "--from", "ideas/ladders.yml"]) == 0
    assert "created modules/01-safe-ladders-on-site" in capsys.readouterr().out
    folder = tmp_path / "modules" / "01-safe-ladders-on-site"
    nb = json.loads((folder / "module.ipynb").read_text("utf-8"))
    meta = validate_metadata(nb["metadata"]["h4s"], folder, folder_name=folder.name)
    p = read_proposal(tmp_path / "ideas" / "ladders.yml")
    assert (meta.title, meta.summary, meta.outcomes, meta.eqf_level, meta.language, meta.duration_minutes,
            meta.licence, meta.audience, meta.partner, meta.status) == \
           (p.title, p.challenge, p.outcomes, 3, "de", 60, "CC-BY-SA-4.0", p.audience, p.partner, "draft")
    assert [(c.name, c.roles) for c in meta.contributors] == [("Trainer A", ["Conceptualization"]),
                                                              ("Trainer B", ["Conceptualization"])]
    intro = "".join(nb["cells"][0]["source"])
    assert intro.startswith("# Safe ladders on site") and "- You can check a ladder before use." in intro
    assert "about 60 minutes" in intro
    code = main(["check", "--jobs", "1", "modules/01-safe-ladders-on-site"])
    out = capsys.readouterr()
    assert code == 0 and "0 errors" in out.out, out.out + out.err


def test_propose_without_a_terminal_names_the_missing_option(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    args = [a for a in FLAGS if a not in ("--eqf", "3")]
    assert main(["propose", *args]) == 1
    err = capsys.readouterr().err.strip()
    assert err == "h4s propose: error: the proposal needs eqf_level: give --eqf (run h4s propose --help for all options)"
    assert not (tmp_path / "proposals").exists()


def test_propose_asks_in_a_terminal(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    answers = iter(["A title", "A challenge.", "", "Apprentices", "", "You can one.", "You can two.", "",
                    "9", "en", "45", "", "Someone", ""])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(answers))
    assert main(["propose"]) == 1                 # EQF level 9: refused, nothing written
    assert "the proposal: eqf_level must be a whole number from 1 to 8 (got 9)" in capsys.readouterr().err
    assert not (tmp_path / "proposals").exists()
    answers = iter(["A title", "A challenge.", "", "Apprentices", "", "You can one.", "You can two.", "",
                    "4", "en", "45", "", "Someone", ""])
    assert main(["propose"]) == 0
    p = read_proposal(tmp_path / "proposals" / "a-title.yml")
    assert (p.eqf_level, p.partner, p.licence, p.proposers) == (4, None, "CC-BY-SA-4.0", ["Someone"])
    assert main(["propose", "--title", "A title", "--challenge", "c", "--audience", "a", "--outcome", "x",
                 "--outcome", "y", "--eqf", "4", "--lang", "en", "--duration", "45", "--proposer", "p", "--no-input"]) == 1
    assert "proposals/a-title.yml exists already" in capsys.readouterr().err


@pytest.mark.parametrize("change, message", [
    ({"eqf_level": 9}, "eqf_level must be a whole number from 1 to 8 (got 9)"),
    ({"outcomes": ["only one"]}, "outcomes must be a list of at least two texts"),
    ({"outcomes": ["a", "  "]}, "outcomes[1] must be a non-empty text"),
    ({"language": "English"}, "language must be a language code such as en, de, el or pt-BR"),
    ({"challenge": None}, "challenge must be a non-empty text"),
    ({"duration_minutes": 2}, "duration_minutes must be a whole number of minutes from 5 to 600 (got 2)"),
    ({"colour": "red"}, "colour is not a field of a proposal"),
    ({"date": "2026-02-30"}, "date must be a date written YYYY-MM-DD"),
    ({"proposers": []}, "proposers must be a list of at least one name"),
])
def test_bad_proposals_get_one_line_naming_file_and_field(change, message):
    raw = {**_valid(), **change}
    with pytest.raises(ProposalError) as e:
        validate_proposal(raw, "ideas/x.yml")
    text = str(e.value)
    assert text.startswith("ideas/x.yml: ") and message in text and "\n" not in text, text


def test_unreadable_proposal_files(tmp_path):
    f = tmp_path / "p.yml"
    f.write_text("title: [unclosed\n", encoding="utf-8")
    with pytest.raises(ProposalError, match=r"p\.yml: not valid YAML at line \d"):
        read_proposal(f)
    f.write_text("- a list\n", encoding="utf-8")
    with pytest.raises(ProposalError, match="a proposal must be a mapping"):
        read_proposal(f)
    with pytest.raises(ProposalError, match="no such proposal file; write one with h4s propose"):
        read_proposal(tmp_path / "missing.yml")


def test_new_from_a_bad_proposal_creates_nothing(tmp_path, capsys):
    f = tmp_path / "p.yml"
    f.write_text(yaml.safe_dump({**_valid(), "eqf_level": 0}), encoding="utf-8")
    assert main(["new", "--from", str(f), "--dir", str(tmp_path / "m")]) == 1
    assert "eqf_level must be a whole number from 1 to 8 (got 0)" in capsys.readouterr().err
    assert not (tmp_path / "m").exists()
