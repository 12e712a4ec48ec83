"""`h4s new`: the scaffold, its numbering, its errors, and that it passes `h4s check`."""
from __future__ import annotations

import nbformat
import pytest
import yaml

from h4s_kit.cli import main
from h4s_kit.metadata import validate_metadata
from h4s_kit.new import NewModuleError, new_module, slugify
from h4s_kit.modules import quiz_calls
from h4s_widgets import load_bank


def test_slugify():
    assert slugify("Digital safety at work!") == "digital-safety-at-work"
    assert slugify("Ökonomie & Ausbildung") == "okonomie-ausbildung"
    assert slugify("Ψηφιακή ασφάλεια") == ""


def test_scaffold_contents(tmp_path):
    folder = new_module("Digital safety at work", lang="de", directory=tmp_path / "modules")
    assert folder.name == "01-digital-safety-at-work"
    nb = nbformat.read(str(folder / "module.ipynb"), as_version=4)
    meta = validate_metadata(nb.metadata["h4s"], folder / "module.ipynb", folder.name)
    assert (meta.id, meta.title, meta.language, meta.status, meta.licence) == (
        folder.name, "Digital safety at work", "de", "draft", "CC-BY-SA-4.0")
    assert len(meta.outcomes) >= 2 and meta.authors
    assert nb.cells[0].source.startswith("# Digital safety at work")
    types = {q.type for q in load_bank(folder / "questions" / "section-1.yml").questions}
    assert {"single_choice", "numeric", "cloze", "matching", "essay"} <= types
    sc = next(q for q in load_bank(folder / "questions" / "section-1.yml").questions if q.type == "single_choice")
    assert all(o.feedback for o in sc.options)
    assert load_bank(folder / meta.closing_quiz).pass_mark is not None
    credits = yaml.safe_load((folder / "media" / "credits.yml").read_text(encoding="utf-8"))
    assert {c["file"] for c in credits} == {p.name for p in (folder / "media").iterdir() if p.name != "credits.yml"}
    calls, bad = quiz_calls(nb)
    assert not bad and {c.module for c in calls} == {folder.name}
    assert "{{" not in (folder / "module.ipynb").read_text(encoding="utf-8")


def test_next_free_number_and_slug_option(tmp_path):
    base = tmp_path / "modules"
    (base / "07-older").mkdir(parents=True)
    (base / "notes").mkdir()
    folder = new_module("Anything", slug="my-topic", directory=base)
    assert folder.name == "08-my-topic"


def test_errors_are_clear(tmp_path):
    base = tmp_path / "modules"
    new_module("Safety", directory=base)
    with pytest.raises(NewModuleError, match="already exists"):
        new_module("Safety", directory=base)
    with pytest.raises(NewModuleError, match="title is empty"):
        new_module("   ", directory=base)
    with pytest.raises(NewModuleError, match="--slug"):
        new_module("Ψηφιακή ασφάλεια", directory=base)
    with pytest.raises(NewModuleError, match="lowercase"):
        new_module("X", slug="Bad Slug", directory=base)
    with pytest.raises(NewModuleError, match="language code"):
        new_module("X", lang="english", directory=base)
    assert sorted(p.name for p in base.iterdir()) == ["01-safety"]


def test_cli_errors(tmp_path, capsys):
    base = str(tmp_path / "m")
    assert main(["new", "Safety", "--dir", base]) == 0
    assert main(["new", "Safety", "--dir", base]) == 1
    assert "h4s new: error: a module with the slug 'safety' already exists" in capsys.readouterr().err
    assert main(["new", "", "--dir", base]) == 1
    assert "title is empty" in capsys.readouterr().err


@pytest.mark.slow
def test_new_then_check_passes(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["new", "Digital safety at work", "--lang", "en"]) == 0
    assert "created modules/01-digital-safety-at-work" in capsys.readouterr().out
    code = main(["check", "--jobs", "1"])
    captured = capsys.readouterr()
    assert code == 0, captured.out + captured.err
    # the scaffold is complete but short: its one warning is the duration estimate, which asks the author to
    # add the module's activities (a new module declares 45 minutes, the least h4s accepts)
    assert "01-digital-safety-at-work (modules/01-digital-safety-at-work): 0 errors, 1 warning" in captured.out
    warnings = [ln for ln in captured.out.splitlines() if ln.strip().startswith("WARNING")]
    assert len(warnings) == 1 and "[duration]" in warnings[0] and "declares 45 minutes" in warnings[0], warnings
    assert "h4s check passed: 1 module, 0 errors, 1 warning" in captured.out
    assert "[1/1] executing 01-digital-safety-at-work ... ok" in captured.err
