"""Real question files nobody here wrote (tests/fixtures/interop/corpus/, origins and licences in its README):
every file imports to the expected h4s result (expected.json), and every imported question grades as Moodle
grades it, question by question, judged by an independent reader of Moodle's rules (moodle_reader.py)."""
from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import pytest

from h4s_kit.interop.gift import parse_gift
from h4s_kit.interop.moodle_xml import parse_moodle_xml
from h4s_widgets._errors import ImportFormatError
from h4s_widgets._grading import grade
from h4s_widgets._schema import parse_question

from _interop import FIX  # first: puts FIX on sys.path
CORPUS = FIX / "corpus"
import moodle_reader as M  # noqa: E402

GIFT_FILES = sorted((CORPUS / "gift").glob("*.gift"))
XML_FILES = sorted((CORPUS / "xml").glob("*.xml"))
EXPECTED = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
QUESTION_TYPES = {"multichoice", "truefalse", "shortanswer", "numerical", "match", "matching", "essay", "cloze",
                  "multianswer", "ddwtos"}


def summary(fmt: str, path: Path) -> dict:
    """What h4s makes of the file: question types in order, how many refused and skipped."""
    data = path.read_bytes()
    try:
        r = parse_gift(data.decode("utf-8"), path.name) if fmt == "gift" else parse_moodle_xml(data, path.name)
    except ImportFormatError:
        return {"types": [], "nothing imported": True}
    return {"types": [q["type"] for q in r.bank["questions"]], "refused": len(r.refused), "skipped": r.skipped}


def test_the_corpus_is_big_enough():
    gift = [q for p in GIFT_FILES for q in M.read_gift(p.read_text(encoding="utf-8")) if q["qtype"] in QUESTION_TYPES]
    assert len(gift) >= 60, len(gift)
    assert len(XML_FILES) >= 10
    assert set(EXPECTED) == {f"gift/{p.name}" for p in GIFT_FILES} | {f"xml/{p.name}" for p in XML_FILES}
    assert (CORPUS / "README.md").is_file()


@pytest.mark.parametrize("path", GIFT_FILES + XML_FILES, ids=lambda p: p.name)
def test_each_file_gives_the_expected_h4s_result(path):
    fmt = "gift" if path.suffix == ".gift" else "xml"
    assert summary(fmt, path) == EXPECTED[f"{fmt}/{path.name}"]


# ------------------------------------------------------------------ grading as Moodle grades

def _score(q, response) -> float:
    r = grade(q, response)
    return round(r.score / r.max_score, 4) if r.max_score else 0.0


def _same_grading(mq: dict, q, warnings: list[str]) -> None:
    """The h4s question ``q`` gives every probe response the mark Moodle gives (or says why not)."""
    t = mq["qtype"]
    approximated = any("approximated" in w or "not kept" in w for w in warnings)
    if t == "multichoice":
        fr = [max(-1.0, min(1.0, a["fraction"])) for a in mq["answers"]]
        if mq["single"]:
            assert q.type == "single_choice", q.type
            for o, f in zip(q.options, fr):
                want = round(max(0.0, f), 4)           # h4s never gives less than 0 (said in a warning)
                assert _score(q, o.id) == pytest.approx(want, abs=1e-4), (o.id, f)
            if any(f < 0 for f in fr):
                assert any("negative" in w for w in warnings)
        else:
            assert q.type == "multiple_response", q.type
            assert q.answers == [o.id for o, f in zip(q.options, fr) if f > 0]
            if approximated:
                return                                  # said in a warning; the right options are the same
            ids = [o.id for o in q.options]
            for k in range(1, min(len(ids), 4) + 1):
                for chosen in itertools.combinations(range(len(ids)), k):
                    want = max(0.0, min(1.0, sum(fr[i] for i in chosen)))
                    assert _score(q, [ids[i] for i in chosen]) == pytest.approx(want, abs=1e-3), chosen
    elif t == "truefalse":
        assert q.type == "true_false"
        want = mq["answer"] if "answer" in mq else next(a["text"].strip().lower() == "true"
                                                         for a in mq["answers"] if a["fraction"] >= 0.99999)
        assert q.answer is want
    elif t == "shortanswer":
        probes = [a["text"] for a in mq["answers"] if "*" not in str(a["text"]).replace("\\*", "")] + ["zz qq xx"]
        if q.type == "cloze":                           # GIFT missing word with typed answers
            for p in probes:
                want = M.shortanswer_fraction(mq["answers"], p)
                if want in (0.0, 1.0) or not approximated:
                    assert _score(q, [p]) == pytest.approx(want if want in (0.0, 1.0) else 0.0), p
            return
        assert q.type == "short_text", q.type
        for p in probes:
            assert _score(q, p) == pytest.approx(M.shortanswer_fraction(mq["answers"], p, mq.get("usecase", False)),
                                                 abs=1e-4), p
    elif t == "numerical":
        assert q.type == "numeric"
        for a in mq["answers"]:
            if a["text"] == "*":
                continue
            v = float(a["text"])
            for probe in (v, v + float(a.get("tolerance") or 0), v + 1e6):
                assert _score(q, repr(probe)) == pytest.approx(M.numerical_fraction(mq["answers"], probe),
                                                               abs=1e-4), probe
    elif t in ("match", "matching"):
        assert q.type == "matching"
        rights = sorted(r for left, r in mq["subquestions"] if left.strip())
        assert sorted(p.right for p in q.pairs) == rights
    elif t == "essay":
        assert q.type == "essay"
    elif t in ("cloze", "multianswer"):
        assert q.type == "cloze"
        for g, alts in zip(mq["gaps"], q.gap_answers()):
            full = [a["text"].strip() for a in g["answers"] if a["fraction"] >= 0.99999 and a["text"].strip() != "*"]
            assert [a.strip() for a in alts] == [re.sub(r"<[^>]+>", "", x).strip() for x in full] or approximated


def _pairs_gift(path: Path):
    text = path.read_text(encoding="utf-8")
    moodle = {q["line"]: q for q in M.read_gift(text)}
    try:
        r = parse_gift(text, path.name)
    except ImportFormatError:
        return moodle, None
    return moodle, r


@pytest.mark.parametrize("path", GIFT_FILES, ids=lambda p: p.name)
def test_gift_questions_grade_as_in_moodle(path):
    moodle, r = _pairs_gift(path)
    if r is None:
        assert all(q["qtype"] not in QUESTION_TYPES for q in moodle.values()), "Moodle imports questions h4s refused"
        return
    refused_lines = {int(m.split(":")[1]) for m in r.refused if m.split(":")[1].isdigit()}
    by_line = {line: qid for qid, line in r.lines.items()}
    questions = {d["id"]: parse_question(d) for d in r.bank["questions"]}
    for line, mq in moodle.items():
        if mq["qtype"] == "category":
            continue
        if mq["qtype"] == "description":
            assert line not in by_line, f"line {line}: a description became a question"
            continue
        if mq["qtype"] == "error":
            assert line not in by_line or line in refused_lines, f"line {line}: Moodle refuses it, h4s imports it"
            continue
        if line in refused_lines:
            pytest.fail(f"{path.name}:{line}: Moodle imports this {mq['qtype']} question, h4s refuses it: "
                        f"{[m for m in r.refused if m.split(':')[1] == str(line)]}")
        assert line in by_line, f"line {line}: not imported"
        qid = by_line[line]
        warns = [str(w) for w in r.warnings if w.qid == qid]
        _same_grading(mq, questions[qid], warns)


@pytest.mark.parametrize("path", XML_FILES, ids=lambda p: p.name)
def test_xml_questions_grade_as_in_moodle(path):
    data = path.read_bytes()
    moodle = [q for q in M.read_xml(data) if q["qtype"] != "category"]
    lines = [i for i, ln in enumerate(data.decode("utf-8").split("\n"), start=1)
             if re.search(r'<question type="(?!category")', ln)]
    assert len(lines) == len(moodle)
    try:
        r = parse_moodle_xml(data, path.name)
    except ImportFormatError:
        return                                          # nothing importable (the expected result says so)
    by_line = {line: qid for qid, line in r.lines.items()}
    questions = {d["id"]: parse_question(d) for d in r.bank["questions"]}
    for line, mq in zip(lines, moodle):
        if line not in by_line:
            assert any(m.startswith(f"{path.name}:{line}:") for m in r.refused) or mq["qtype"] == "description", line
            continue
        qid = by_line[line]
        warns = [str(w) for w in r.warnings if w.qid == qid]
        _same_grading(mq, questions[qid], warns)
