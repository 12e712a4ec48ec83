"""The 15 course modules keep what the course promises, so that a later edit cannot silently drop it.

Per module: complete metadata (published, CC BY-SA 4.0, 45-90 minutes, at least 3 outcomes, EQF 1-8,
DigCompEdu areas), at least 8 interactive items of at least 4 types shown in the notebook, every
wrong option with feedback, a closing quiz with a pass mark shown in the notebook, alt text on every
image, every media file credited; modules 10, 11 and 15 have code exercises with hidden tests.
"""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from h4s_kit.metadata import validate_metadata
from h4s_kit.modules import load_module, quiz_calls
from h4s_widgets import load_bank

ROOT = Path(__file__).resolve().parents[1]
MODULES = sorted(p for p in (ROOT / "modules").iterdir() if (p / "module.ipynb").exists())
IDS = [p.name for p in MODULES]
CODE_MODULES = {"10", "11", "15"}
MD_IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)]+)\)")
HTML_IMG = re.compile(r"<img\b[^>]*>", re.I)


def test_there_are_fifteen_modules_numbered_01_to_15():
    assert [i[:2] for i in IDS] == [f"{n:02d}" for n in range(1, 16)], IDS


def shown_questions(folder: Path):
    """(question, bank file) for every question a Quiz/show call in the notebook displays."""
    mod = load_module(folder)
    calls, errors = quiz_calls(mod.nb)
    assert not errors, f"{folder.name}: code cells that do not parse: {errors}"
    out = []
    for c in calls:
        assert c.bank and not c.dynamic, f"{folder.name}: cell {c.cell} shows a quiz whose bank is not a literal path"
        bank = load_bank(folder / c.bank)
        qs = bank.questions if c.ids is None else [q for q in bank.questions if q.id in c.ids]
        out.extend((q, c.bank) for q in qs)
    return mod, calls, out


@pytest.mark.parametrize("folder", MODULES, ids=IDS)
def test_module_metadata_is_complete(folder: Path):
    mod = load_module(folder)
    meta = validate_metadata(mod.meta, mod.nb_place, folder.name)
    assert meta.id == folder.name
    assert meta.status == "published"
    assert meta.licence == "CC-BY-SA-4.0"
    assert meta.language == "en"
    assert 45 <= meta.duration_minutes <= 90
    assert len(meta.outcomes) >= 3
    assert 1 <= meta.eqf_level <= 8
    assert meta.digcompedu and set(meta.digcompedu) <= set(range(1, 7))
    assert meta.authors and meta.title and meta.summary and meta.keywords


@pytest.mark.parametrize("folder", MODULES, ids=IDS)
def test_module_has_enough_varied_items_and_a_closing_quiz(folder: Path):
    mod, calls, shown = shown_questions(folder)
    ids = [q.id for q, _ in shown]
    assert len(ids) == len(set(ids)), f"{folder.name}: a question is shown twice"
    assert len(shown) >= 8, f"{folder.name}: only {len(shown)} interactive items"
    types = Counter(q.type for q, _ in shown)
    assert len(types) >= 4, f"{folder.name}: only {len(types)} question types: {dict(types)}"
    closing = mod.meta["closing_quiz"]
    assert any(c.bank == closing for c in calls), f"{folder.name}: the closing quiz {closing} is never shown"
    bank = load_bank(folder / closing)
    assert bank.pass_mark is not None and 0 < bank.pass_mark <= 1
    assert len(bank.questions) >= 5
    assert all(q.auto_graded for q in bank.questions), "a closing quiz with a pass mark needs graded questions"
    if folder.name[:2] in CODE_MODULES:
        code = [q for q, _ in shown if q.type == "code"]
        assert len(code) >= 3, f"{folder.name}: {len(code)} code exercises"
        assert all(q.tests for q in code)


@pytest.mark.parametrize("folder", MODULES, ids=IDS)
def test_every_wrong_option_has_feedback(folder: Path):
    _, _, shown = shown_questions(folder)
    missing = []
    for q, bank in shown:
        if q.type == "single_choice":
            missing += [f"{bank}:{q.id}:{o.id}" for o in q.options if o.id != q.answer and not o.feedback]
        elif q.type == "multiple_response":
            missing += [f"{bank}:{q.id}:{o.id}" for o in q.options if o.id not in q.answers and not o.feedback]
    assert not missing, f"wrong options without feedback: {missing}"


@pytest.mark.parametrize("folder", MODULES, ids=IDS)
def test_images_have_alt_text_and_media_are_credited(folder: Path):
    mod = load_module(folder)
    for n, cell in enumerate(mod.cells, 1):
        src = "".join(cell.source)
        if cell.cell_type == "markdown":
            for alt, _ in MD_IMAGE.findall(src):
                assert alt.strip(), f"{folder.name}: cell {n}: an image without alt text"
            for tag in HTML_IMG.findall(src):
                assert re.search(r'alt="[^"]+"', tag), f"{folder.name}: cell {n}: <img> without alt"
        if cell.cell_type == "code" and "show_figure(" in src:
            assert re.search(r"alt\s*=", src), f"{folder.name}: cell {n}: show_figure without alt="
    media = folder / "media"
    files = sorted(p.name for p in media.iterdir() if p.is_file() and p.name != "credits.yml") if media.exists() else []
    credits = yaml.safe_load((media / "credits.yml").read_text(encoding="utf-8")) if files else []
    credited = {c["file"]: c for c in credits or []}
    for f in files:
        assert f in credited, f"{folder.name}: media/{f} has no entry in media/credits.yml"
        entry = credited[f]
        assert all(entry.get(k) for k in ("title", "author", "source", "licence")), entry
        if f.endswith(".csv") and "template" not in entry["title"].lower():
            # a data set is synthetic; a blank template (issue 16: material to take away) holds no data
            assert "synthetic" in (entry["title"] + entry["source"]).lower(), f"{f}: data sets here are synthetic"
