"""xAPI 1.0.3 mapping of learner records (validated with Ralph's own statement model)."""
from __future__ import annotations

import json
import time
import uuid

import pytest
from ralph.models.xapi.base.statements import BaseXapiStatement

from h4s_kit.records import xapi
from h4s_widgets._grading import grade
from h4s_widgets._schema import parse_question

QUESTIONS = {
    "single_choice": ({"options": [{"id": "a", "text": "A"}, {"id": "b", "text": "B"}], "answer": "b"}, "a",
                      "choice", "a"),
    "multiple_response": ({"options": [{"id": "a", "text": "A"}, {"id": "b", "text": "B"}, {"id": "c", "text": "C"}],
                           "answers": ["a", "c"]}, ["a", "c"], "choice", "a[,]c"),
    "true_false": ({"answer": True}, False, "true-false", "false"),
    "cloze": ({"text": "The [[sun]] is a [[star]]."}, ["sun", "planet"], "fill-in", "sun[,]planet"),
    "drag_words": ({"text": "Drag [[red]] and [[blue]]."}, ["red", None], "fill-in", "red[,]"),
    "numeric": ({"answers": [{"value": 3.14, "tolerance": 0.01}]}, "3,14", "numeric", "3,14"),
    "short_text": ({"answers": [{"text": "Paris"}]}, "paris", "fill-in", "paris"),
    "matching": ({"pairs": [{"id": "p1", "left": "L1", "right": "R1"}, {"id": "p2", "left": "L2", "right": "R2"}]},
                 {"p1": "R2", "p2": "R1"}, "matching", "p1[.]R2[,]p2[.]R1"),
    "ordering": ({"items": [{"id": "x", "text": "X"}, {"id": "y", "text": "Y"}]}, ["y", "x"], "sequencing", "y[,]x"),
    "essay": ({"min_words": 3}, "A free text answer here", "long-fill-in", "A free text answer here"),
    "likert": ({"scale": ["no", "maybe", "yes"], "statements": [{"id": "s1", "text": "I can"}]}, {"s1": 3},
               "likert", "s1[.]3"),
    "code": ({"tests": [{"name": "f gives 1", "code": "assert f() == 1"}], "solution": "def f():\n    return 1\n"}, "def f():\n    return 1\n", "other", "def f():\n    return 1\n"),
    "flashcards": ({"cards": [{"id": "c1", "front": "F", "back": "B"}]}, {"c1": "known"}, "other",
                   '{"c1":"known"}'),
}


def _question(qtype: str, extra: dict):
    d = {"type": qtype, "id": f"q-{qtype}", "text": extra.pop("text", "Question text"), **extra}
    try:
        return parse_question(d)
    except Exception as e:  # the schema has more required fields than this table: say which
        pytest.fail(f"{qtype}: {e}")


def _record(q, response, result, **kw):
    r = {"uuid": str(uuid.uuid4()), "learner": "7c9e6679-7425-40de-944b-e07fc1f90ae7", "module": "04-oer",
         "question": q.id, "qtype": q.type, "question_text": q.text, "response": response, "score": result.score,
         "max_score": result.max_score, "success": result.correct, "attempt": 2, "timestamp": 1795000000.25,
         "duration_s": 75.5}
    r.update(kw)
    return r


@pytest.mark.parametrize("qtype", sorted(QUESTIONS))
def test_answered_statement_per_type(qtype):
    extra, response, itype, pattern = QUESTIONS[qtype]
    q = _question(qtype, json.loads(json.dumps(extra)))
    if qtype == "code":
        result = _fake_result(q)  # no code runner here: the mapping is the point
    else:
        result = grade(q, response)
    rec = _record(q, response, result)
    st = xapi.answered_statement(rec, q)
    BaseXapiStatement.model_validate(st)  # Ralph's strict xAPI model
    assert st["id"] == rec["uuid"]
    assert st["version"] == "1.0.3"
    assert st["verb"]["id"] == "http://adlnet.gov/expapi/verbs/answered"
    assert "mbox" not in json.dumps(st["actor"])
    assert st["actor"]["account"] == {"homePage": xapi.homepage(), "name": rec["learner"]}
    assert st["object"]["definition"]["type"] == "http://adlnet.gov/expapi/activities/cmi.interaction"
    assert st["object"]["definition"]["interactionType"] == itype
    assert st["object"]["id"].endswith(f"/modules/04-oer/questions/{q.id}")
    assert st["context"]["contextActivities"]["parent"][0]["id"].endswith("/modules/04-oer")
    assert st["result"]["response"] == pattern
    assert json.loads(st["result"]["extensions"][xapi.EXT_RESPONSE]) == response
    assert st["result"]["duration"] == "PT1M15.5S"
    assert st["timestamp"] == "2026-11-18T11:06:40.250Z"
    assert st["context"]["extensions"][xapi.EXT_ATTEMPT] == 2
    if result.max_score:
        sc = st["result"]["score"]
        assert sc["max"] == result.max_score and sc["raw"] == result.score
        assert sc["min"] <= sc["raw"] <= sc["max"] and -1 <= sc["scaled"] <= 1
    else:
        assert "score" not in st["result"]
    if result.correct is None:
        assert "success" not in st["result"]
    else:
        assert st["result"]["success"] is result.correct


def _fake_result(q):
    from h4s_widgets._grading import Result
    return Result(1.0, 1.0, True, ["test:0:passed"])


def test_scores_and_negative_marks():
    q = parse_question({"type": "multiple_response", "id": "neg", "text": "t", "negative_marks": True, "points": 2,
                        "options": [{"id": "a", "text": "A"}, {"id": "b", "text": "B"}, {"id": "c", "text": "C"}],
                        "answers": ["a"]})
    res = grade(q, ["b", "c"])
    assert res.score < 0
    st = xapi.answered_statement(_record(q, ["b", "c"], res), q)
    BaseXapiStatement.model_validate(st)
    sc = st["result"]["score"]
    assert sc["min"] == res.score and sc["scaled"] == round(res.score / 2, 4) and st["result"]["success"] is False


@pytest.mark.parametrize("sec,iso", [(0, "PT0S"), (0.004, "PT0S"), (12.34, "PT12.34S"), (60, "PT1M"),
                                     (3723.5, "PT1H2M3.5S"), (None, None)])
def test_iso_duration(sec, iso):
    assert xapi.iso_duration(sec) == iso
    if iso:
        assert xapi.parse_duration(iso) == pytest.approx(round(sec, 2))


def test_parse_duration_rejects_garbage():
    for bad in ("12s", "PT", "P1Y", "PTxS"):
        with pytest.raises(ValueError):
            xapi.parse_duration(bad)


@pytest.mark.parametrize("verb", ["completed", "passed", "failed"])
def test_module_statements(verb):
    st = xapi.module_statement(verb, "learner-9", "04-oer", time.time(), scaled=0.75, success=verb != "failed",
                               statement_id=xapi.module_statement_id("learner-9", "04-oer", verb))
    BaseXapiStatement.model_validate(st)
    assert st["verb"]["id"] == f"http://adlnet.gov/expapi/verbs/{verb}"
    assert st["object"]["id"].endswith("/modules/04-oer")
    assert st["result"]["score"]["scaled"] == 0.75 and st["result"]["completion"] is True
    assert st["id"] == xapi.module_statement_id("learner-9", "04-oer", verb)  # deterministic


def test_base_from_environment(monkeypatch):
    monkeypatch.setenv("H4S_XAPI_BASE", "https://oer.example.eu/book/")
    monkeypatch.setenv("H4S_XAPI_HOMEPAGE", "https://hub.example.eu")
    q = parse_question({"type": "true_false", "id": "tf", "text": "t", "answer": True})
    st = xapi.answered_statement(_record(q, True, grade(q, True)), q)
    assert st["object"]["id"] == "https://oer.example.eu/book/modules/04-oer/questions/tf"
    assert st["actor"]["account"]["homePage"] == "https://hub.example.eu"


def test_records_js_makes_the_same_statements_as_python(tmp_path):
    """records.js (static book) and xapi.py must map a graded interaction to the same statement."""
    import subprocess

    from _tools import node as require_node
    node = require_node()
    from h4s_widgets._assets import STATIC
    cases = []
    for qtype, (extra, response, _, _) in sorted(QUESTIONS.items()):
        q = _question(qtype, json.loads(json.dumps(extra)))
        result = _fake_result(q) if qtype == "code" else grade(q, response)
        rec = _record(q, response, result, uuid=str(uuid.uuid4()), timestamp=1795000000.125, duration_s=61.237)
        detail = {"module": rec["module"], "question": {"id": q.id, "type": q.type, "text": q.text},
                  "response": response, "result": {"score": result.score, "max_score": result.max_score,
                                                   "correct": result.correct},
                  "attempt": rec["attempt"], "learner": rec["learner"], "timestamp": rec["timestamp"],
                  "duration_s": rec["duration_s"]}
        cases.append((rec, detail))
    script = tmp_path / "run.js"
    script.write_text(
        (STATIC / "records.js").read_text() +
        "\nconst cases = JSON.parse(require('fs').readFileSync(process.argv[2], 'utf8'));\n"
        "process.stdout.write(JSON.stringify(cases.map(([id, d]) => h4sRecStatement(d, id, 'en'))));\n")
    data = tmp_path / "cases.json"
    data.write_text(json.dumps([[rec["uuid"], d] for rec, d in cases]))
    out = subprocess.run([node, str(script), str(data)], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    js = json.loads(out.stdout)
    for (rec, _), got in zip(cases, js):
        want = xapi.answered_statement(rec)
        assert got == want, f"{rec['qtype']}: JS and Python statements differ"
        BaseXapiStatement.model_validate(got)
