"""What Moodle receives from `h4s export gift|moodle-xml`: every mark on Moodle's grade list (snapped with a
warning naming the question), cloze gaps and feedback that Moodle's multianswer reads back exactly, and the
GIFT and Moodle XML of all 15 modules read back by an independent reader that follows Moodle's own rules
(tests/fixtures/interop/moodle_reader.py)."""
from __future__ import annotations

import pytest

from h4s_kit.commands.export import collect_questions
from h4s_kit.interop import MOODLE_FRACTIONS, moodle_shares, on_moodle_grade_list
from h4s_kit.interop.gift import to_gift
from h4s_kit.interop.moodle_xml import parse_moodle_xml, to_moodle_xml
from h4s_widgets._schema import (Cloze, DragWords, Essay, Matching, MultipleResponse, Numeric, ShortText,
                                 SingleChoice, TrueFalse, parse_question)

from _interop import ROOT  # first: puts the interop fixtures on sys.path
import moodle_reader as M  # noqa: E402

MODULES = sorted(p for p in (ROOT / "modules").iterdir() if (p / "questions").is_dir())


def q(d: dict):
    base = {"id": "q", "text": "Question?"}
    return parse_question({**base, **d})


def questions_of(read: list[dict]) -> list[dict]:
    return [x for x in read if x["qtype"] != "category"]


# ------------------------------------------------------------------ the grade list

def test_grade_list_is_moodles():
    assert len(MOODLE_FRACTIONS) == 21 and on_moodle_grade_list(-0.3333333) and not on_moodle_grade_list(0.33)
    for n in range(1, 21):
        shares = moodle_shares(n, [])
        assert len(shares) == n and round(sum(shares), 2) == 1.0 and all(M.on_grade_list(s) for s in shares), n


OFF_LIST = [
    {"type": "short_text", "id": "sa-third", "answers": [{"text": "Wien"}, {"text": "Vienna", "score": 0.33}]},
    {"type": "numeric", "id": "nu-45", "answers": [{"value": 3, "score": 1}, {"value": 4, "score": 0.45}]},
    {"type": "multiple_response", "id": "mr-11", "options": [{"id": f"o{i}", "text": f"Option {i}"} for i in range(12)],
     "answers": [f"o{i}" for i in range(11)]},
]


@pytest.mark.parametrize("fmt", ["gift", "xml"])
def test_marks_off_the_grade_list_are_snapped_with_a_warning(fmt):
    qs = [q(d) for d in OFF_LIST]
    res = to_gift(qs) if fmt == "gift" else to_moodle_xml(qs)
    assert res.exported == 3
    w = "\n".join(res.warnings)
    assert "question 'sa-third': answer 'Vienna': mark 33% is not on Moodle's grade list; exported as 33.33333%" in w
    assert "question 'nu-45': answer 4: mark 45% is not on Moodle's grade list; exported as 50%" in w
    assert "question 'mr-11': the 11 right options: mark 9.0909% each is not on Moodle's grade list; exported as " \
           "10% for the first 9 and 5% for the other 2 (together 100%)" in w
    assert "question 'mr-11': each wrong option: mark -9.0909% is not on Moodle's grade list; exported as -10%" in w
    read = questions_of(M.read_gift(res.text) if fmt == "gift" else M.read_xml(res.text))
    assert [x["qtype"] for x in read] == ["shortanswer", "numerical", "multichoice"]
    for x in read:
        assert M.problems(x) == [], (x["name"], M.problems(x))
    assert [a["fraction"] for a in read[0]["answers"]] == pytest.approx([1.0, 0.3333333])
    assert [a["fraction"] for a in read[1]["answers"]] == pytest.approx([1.0, 0.5])
    assert sorted(a["fraction"] for a in read[2]["answers"]) == pytest.approx([-0.1] + [0.05] * 2 + [0.1] * 9)


def test_marks_on_the_list_give_no_warning():
    qs = [q({"type": "short_text", "answers": [{"text": "a"}, {"text": "b", "score": 0.5}]}),
          q({"type": "multiple_response", "options": [{"id": c, "text": c} for c in "abcdefg"], "answers": list("abcdefg")})]
    assert to_gift(qs).warnings == [] and to_moodle_xml(qs).warnings == []


def test_a_single_right_option_of_a_multiple_answer_question_keeps_full_marks_in_gift():
    # Moodle reads %100% as part of the answer text (its weight pattern takes two digits before the point)
    text = to_gift([q({"type": "multiple_response", "options": [{"id": "a", "text": "A"}, {"id": "b", "text": "B"}],
                       "answers": ["a"]})]).text
    (x,) = questions_of(M.read_gift(text))
    assert x["qtype"] == "multichoice" and x["single"] is False
    assert [a["text"] for a in x["answers"]] == ["A", "B"] and M.problems(x) == []


# ------------------------------------------------------------------ cloze as Moodle's multianswer reads it

def test_cloze_answers_are_not_over_escaped():
    res = to_moodle_xml([q({"type": "cloze", "text": "Speed in [[km/h]], not [[m/s|\"m\"]]."})])
    assert "{1:SHORTANSWER:=km/h}" in res.text and "{1:SHORTANSWER:=m/s~=&quot;m&quot;}" in res.text


@pytest.mark.parametrize("answer", ["km/h", "a~b", "x}y", "C#", "a\\b", "ends with \\", "R&D", "&lt;", "2*3",
                                    "\\*", "{x}", "50%", "=", "a #1 ~ b"])
def test_cloze_answers_read_back_exactly_by_moodles_rules(answer):
    res = to_moodle_xml([q({"type": "cloze", "text": f"Type [[{answer}]] here."})])
    (x,) = questions_of(M.read_xml(res.text))
    (g,) = x["gaps"]
    assert g["type"] == "SHORTANSWER" and len(g["answers"]) == 1
    got = g["answers"][0]
    assert got["fraction"] == 1.0
    # Moodle's short answer: an unescaped * is a wildcard, \* a star
    assert got["text"] == answer.replace("*", "\\*")
    back = parse_moodle_xml(res.text.encode(), "x.xml").bank["questions"][0]
    assert back["text"] == f"Type [[{answer}]] here."


def test_cloze_feedback_arrives_as_html_not_as_escaped_markdown():
    res = to_moodle_xml([q({"type": "cloze", "text": "Explain [[why]] it is wrong.",
                            "gap_feedback": ["Explain *why* it is wrong: a~b {c} \\ d"]})])
    (x,) = questions_of(M.read_xml(res.text))
    fb = x["gaps"][0]["answers"][1]
    assert x["gaps"][0]["answers"][1]["text"] == "*" and fb["fraction"] == 0
    assert fb["feedback"] == "Explain <em>why</em> it is wrong: a~b {c} \\ d"
    assert "\\*" not in res.text
    back = parse_moodle_xml(res.text.encode(), "x.xml").bank["questions"][0]
    assert back["gap_feedback"] == ["Explain *why* it is wrong: a~b {c} \\\\ d"]


# ------------------------------------------------------------------ all 15 modules, read back by Moodle's rules

def _check_same(hq, x, fmt: str) -> None:
    """The question Moodle reads (x) means what the h4s question (hq) means."""
    right = lambda: [a["text"] for a in x["answers"] if a["fraction"] > 0.99999]  # noqa: E731
    if isinstance(hq, SingleChoice):
        assert x["qtype"] == "multichoice" and x["single"] is True
        assert right() == [o.text for o in hq.options if o.id == hq.answer]
    elif isinstance(hq, MultipleResponse):
        assert x["qtype"] == "multichoice" and x["single"] is False
        assert [a["text"] for a in x["answers"] if a["fraction"] > 0] == [o.text for o in hq.options
                                                                         if o.id in hq.answers]
    elif isinstance(hq, TrueFalse):
        assert x["qtype"] == "truefalse"
        if fmt == "gift":
            assert x["answer"] is hq.answer
        else:
            assert right() == ["true" if hq.answer else "false"]
    elif isinstance(hq, ShortText):
        assert x["qtype"] == "shortanswer"
        assert [a["text"] for a in x["answers"]][:1] == [(hq.answers[0].text or "").replace("*", "\\*")] or \
            hq.answers[0].text is None
    elif isinstance(hq, Numeric):
        assert x["qtype"] == "numerical"
        assert len(x["answers"]) == len(hq.answers)
    elif isinstance(hq, Matching):
        assert x["qtype"] in ("match", "matching")
        assert [s for s in x["subquestions"] if s[0]] == [(p.left, p.right) for p in hq.pairs]
    elif isinstance(hq, Cloze):
        if fmt == "gift":
            assert x["qtype"] == "shortanswer"
            assert right() == [a.replace("*", "\\*") for a in hq.gap_answers()[0]]
        else:
            assert x["qtype"] == "cloze"
            got = [[a["text"] for a in g["answers"] if a["fraction"] == 1] for g in x["gaps"]]
            assert got == [[a.replace("*", "\\*") for a in alts] for alts in hq.gap_answers()]
    elif isinstance(hq, DragWords):
        assert x["qtype"] == ("multichoice" if fmt == "gift" else "ddwtos")
    elif isinstance(hq, Essay):
        assert x["qtype"] == "essay"
    elif hq.type == "select_words":   # a multiple choice with several answers over the passage's words
        assert x["qtype"] == "multichoice" and x["single"] is False
        assert [a["text"] for a in x["answers"] if a["fraction"] > 0] == [u["text"] for u in hq.units()
                                                                         if u.get("correct")]
    else:
        raise AssertionError(f"{hq.type} should not have been exported")


@pytest.mark.parametrize("fmt", ["gift", "xml"])
@pytest.mark.parametrize("module", MODULES, ids=lambda p: p.name[:2])
def test_module_export_read_back_by_moodles_rules(module, fmt):
    qs, cats, _ = collect_questions(module)
    res = to_gift(qs, categories=cats) if fmt == "gift" else to_moodle_xml(qs, categories=cats)
    read = questions_of(M.read_gift(res.text) if fmt == "gift" else M.read_xml(res.text.encode("utf-8")))
    assert len(read) == res.exported
    skipped = {w.split("'")[1] for w in res.warnings if w.endswith("skipped")}
    exported = [x for x in qs if x.id not in skipped]
    assert len(exported) == len(read)
    for hq, x in zip(exported, read):
        assert M.problems(x) == [], (hq.id, M.problems(x))
        _check_same(hq, x, fmt)
        for a in x["answers"]:
            assert M.on_grade_list(a["fraction"]), (hq.id, a)
