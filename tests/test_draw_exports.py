"""A question pool (`draw: n`) in the exports: Moodle XML gets the pool as a category and n "random"
questions from it; GIFT (no random draw) gets the whole pool, a comment and a warning saying what to do."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import yaml

from h4s_kit.cli import main

ROOT = Path(__file__).resolve().parents[1]
M08 = ROOT / "modules" / "08-running-a-hackathon-in-vet"


def _module(tmp_path: Path, draw: int | None) -> Path:
    qdir = tmp_path / "01-demo" / "questions"
    qdir.mkdir(parents=True)
    bank = {"schema_version": 1, "questions": [
        {"id": f"p{i}", "type": "true_false", "text": f"Statement {i}.", "answer": True,
         "feedback_true": "Yes.", "feedback_false": "No."} for i in range(1, 9)]}
    if draw:
        bank["draw"] = draw
    (qdir / "closing-quiz.yml").write_text(yaml.safe_dump(bank), encoding="utf-8")
    (qdir / "practice.yml").write_text(yaml.safe_dump({"schema_version": 1, "questions": [
        {"id": "x", "type": "true_false", "text": "X.", "answer": False}]}), encoding="utf-8")
    return tmp_path / "01-demo"


def _categories(root: ET.Element) -> list[tuple[str, list[str]]]:
    """(category, [question types]) in document order."""
    out: list[tuple[str, list[str]]] = []
    for q in root.findall("question"):
        if q.get("type") == "category":
            out.append((q.findtext("category/text"), []))
        else:
            out[-1][1].append(q.get("type"))
    return out


def test_moodle_xml_pool_category_and_random_questions(tmp_path: Path, capsys):
    out = tmp_path / "m.xml"
    assert main(["export", "moodle-xml", str(_module(tmp_path, 3)), "-o", str(out)]) == 0
    cats = _categories(ET.parse(out).getroot())
    pool = "$course$/h4s/01-demo/closing-quiz"
    randoms = [types for c, types in cats if c == pool and "random" in types]
    assert randoms == [["random"] * 3], cats
    assert sum(types.count("truefalse") for c, types in cats if c == pool) == 8   # the whole pool
    assert not any("random" in types for c, types in cats if c != pool)
    random_q = next(q for q in ET.parse(out).getroot().findall("question") if q.get("type") == "random")
    assert random_q.findtext("questiontext/text") == "0"     # from this category only, not its subcategories
    assert "draw: 3 exported as 3 random questions" in capsys.readouterr().out


def test_gift_exports_the_pool_and_says_how_to_draw(tmp_path: Path, capsys):
    out = tmp_path / "m.gift.txt"
    assert main(["export", "gift", str(_module(tmp_path, 3)), "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert text.count("::p") == 8
    assert "$CATEGORY: $course$/h4s/01-demo/closing-quiz\n\n// a pool: the quiz shows 3 of these" in text
    printed = capsys.readouterr().out
    line = next(ln for ln in printed.splitlines() if "draw: 3" in ln)
    assert "GIFT has no random draw" in line and "'Add a random question' 3 times" in line
    from h4s_kit.interop.gift import parse_gift
    assert len(parse_gift(text, "m.gift").bank["questions"]) == 9       # the comment does not break the file


def test_no_draw_no_random_questions(tmp_path: Path, capsys):
    out = tmp_path / "m.xml"
    assert main(["export", "moodle-xml", str(_module(tmp_path, None)), "-o", str(out)]) == 0
    assert 'type="random"' not in out.read_text(encoding="utf-8")
    assert "draw:" not in capsys.readouterr().out


def test_module_08_closing_quiz_exports_its_draw(tmp_path: Path):
    out = tmp_path / "m08.xml"
    assert main(["export", "moodle-xml", str(M08), "-o", str(out)]) == 0
    cats = _categories(ET.parse(out).getroot())
    assert [t for c, t in cats if c.endswith("/closing-quiz") and "random" in t] == [["random"] * 6]


def test_moodle_xml_random_questions_come_back_as_draw(tmp_path: Path, capsys):
    from h4s_kit.interop.moodle_xml import read_moodle_xml
    out = tmp_path / "pool.xml"
    mod = _module(tmp_path, 3)
    assert main(["export", "moodle-xml", str(mod / "questions" / "closing-quiz.yml"), "-o", str(out)]) == 0
    res = read_moodle_xml(out)
    assert res.bank["draw"] == 3 and len(res.bank["questions"]) == 8
    assert list(res.bank)[-2:] == ["draw", "questions"]
    assert not any("random" in str(w) for w in res.warnings)
    from h4s_widgets._schema import parse_bank
    assert parse_bank(res.bank).draw == 3
    # two categories (the pool and another bank): the draw cannot be the whole file's; a warning says so
    both = tmp_path / "both.xml"
    assert main(["export", "moodle-xml", str(mod), "-o", str(both)]) == 0
    res = read_moodle_xml(both)
    assert "draw" not in res.bank
    (w,) = [str(w) for w in res.warnings if "random question" in str(w)]
    assert "3 random question(s) from category" in w and "set draw: 3" in w
