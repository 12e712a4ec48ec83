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
from h4s_widgets._spec import public_spec

QUESTIONS = {
    "single_choice": ({"options": [{"id": "a", "text": "A"}, {"id": "b", "text": "B"}], "answer": "b"}, "a",
                      "choice", "a"),
    "multiple_response": ({"options": [{"id": "a", "text": "A"}, {"id": "b", "text": "B"}, {"id": "c", "text": "C"}],
                           "answers": ["a", "c"]}, ["a", "c"], "choice", "a[,]c"),
    "true_false": ({"answer": True}, False, "true-false", "false"),
    "cloze": ({"text": "The [[sun]] is a [[star]]."}, ["sun", "planet"], "fill-in", "sun[,]planet"),
    "drag_words": ({"text": "Drag [[red]] and [[blue]]."}, ["red", None], "fill-in", "red[,]"),
    "numeric": ({"answers": [{"value": 3.14, "tolerance": 0.01}]}, "3,14", "numeric", "3.14"),
    "short_text": ({"answers": [{"text": "Paris"}]}, "paris", "fill-in", "paris"),
    "matching": ({"pairs": [{"id": "p1", "left": "L1", "right": "R1"}, {"id": "p2", "left": "L2", "right": "R2"}]},
                 {"p1": "R2", "p2": "R1"}, "matching", "p1[.]2[,]p2[.]1"),
    "ordering": ({"items": [{"id": "x", "text": "X"}, {"id": "y", "text": "Y"}]}, ["y", "x"], "sequencing", "y[,]x"),
    "essay": ({"min_words": 3}, "A free text answer here", "long-fill-in", "A free text answer here"),
    "likert": ({"scale": ["no", "maybe", "yes"], "statements": [{"id": "s1", "text": "I can"}]}, {"s1": 3},
               "matching", "s1[.]3"),
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
    cases = []
    for qtype, (extra, response, _, _) in sorted(QUESTIONS.items()):
        q = _question(qtype, json.loads(json.dumps(extra)))
        result = _fake_result(q) if qtype == "code" else grade(q, response)
        rec = _record(q, response, result, uuid=str(uuid.uuid4()), timestamp=1795000000.125, duration_s=61.237)
        shown = xapi.shown_text(public_spec(q)["text_html"])     # the text ui.js sends with every answer
        rec["question_text"] = shown
        detail = {"module": rec["module"], "question": {"id": q.id, "type": q.type, "text": shown},
                  "response": response, "result": {"score": result.score, "max_score": result.max_score,
                                                   "correct": result.correct},
                  "attempt": rec["attempt"], "learner": rec["learner"], "timestamp": rec["timestamp"],
                  "duration_s": rec["duration_s"]}
        cases.append((rec, detail, q))
    js = _js_statements(tmp_path, [[rec["uuid"], d, public_spec(q)] for rec, d, q in cases])
    for (rec, _, q), got in zip(cases, js):
        want = xapi.answered_statement(rec, q)      # the live path: the kernel knows the question
        assert got == want, f"{rec['qtype']}: JS and Python statements differ"
        BaseXapiStatement.model_validate(got)
        assert xapi_spec_problems(got) == [], rec["qtype"]
    # without the question's data (an old page): both still leave the gaps' answers out
    js = _js_statements(tmp_path, [[rec["uuid"], d, None] for rec, d, _ in cases])
    for (rec, _, _), got in zip(cases, js):
        assert got == xapi.answered_statement(rec), f"{rec['qtype']}: JS and Python statements differ"


def _js_statements(tmp_path, cases: list) -> list[dict]:
    """statement.js's statements (what records.js keeps) for [uuid, detail, spec or None]."""
    import subprocess

    from _tools import node as require_node
    node = require_node()
    from h4s_widgets._assets import STATIC
    src = (STATIC / "src" / "statement.js").as_uri()
    script = tmp_path / "run.mjs"
    script.write_text(     # as the runtime's late part bundles it (with xapi.js and every type's mapping)
        f"import {{ answeredStatement }} from {json.dumps(src)};\n"
        "import { readFileSync } from 'node:fs';\n"
        "const cases = JSON.parse(readFileSync(process.argv[2], 'utf8'));\n"
        "process.stdout.write(JSON.stringify(cases.map(([id, d, spec]) => answeredStatement(d, id, 'en', spec))));\n")
    data = tmp_path / "cases.json"
    data.write_text(json.dumps(cases))
    out = subprocess.run([node, str(script), str(data)], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


# ------------------------------------------------------------------ the xAPI 1.0.3 rules for interactions

UUID_RE = r"^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"
LANG_TAG = r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$"
#: xAPI 1.0.3, "Interaction Activities": the components each interactionType may have
COMPONENTS = {"choice": {"choices"}, "sequencing": {"choices"}, "likert": {"scale"}, "matching": {"source", "target"},
              "performance": {"steps"}, "true-false": set(), "fill-in": set(), "long-fill-in": set(),
              "numeric": set(), "other": set()}


def xapi_spec_problems(st: dict) -> list[str]:
    """What in an *answered* statement breaks xAPI 1.0.3 (beyond Ralph's model): the interaction components
    allowed for its type, well-formed components and language maps, the response in the type's pattern
    (ids that name components, a number for numeric), and no answer key (correctResponsesPattern)."""
    import re
    out = []
    if not re.match(UUID_RE, st["id"]):
        out.append(f"id {st['id']!r} is not a UUID")
    if st.get("version") != "1.0.3":
        out.append("version is not 1.0.3")
    d = st["object"]["definition"]
    it = d.get("interactionType")
    if it not in COMPONENTS:
        return out + [f"interactionType {it!r} is not one of xAPI's"]
    if "correctResponsesPattern" in d:
        out.append("correctResponsesPattern: an answer key the learner can read")
    for key in ("name", "description"):
        for tag in (d.get(key) or {}):
            if not re.match(LANG_TAG, tag):
                out.append(f"{key}: {tag!r} is not a language tag")
    present = {k for k in ("choices", "scale", "source", "target", "steps") if k in d}
    if present != COMPONENTS[it] and present:
        out.append(f"{it} with {sorted(present)} (allowed: {sorted(COMPONENTS[it])})")
    ids = {}
    for k in present:
        comp = d[k]
        got = [c.get("id") for c in comp]
        if not all(isinstance(i, str) and i for i in got) or len(set(got)) != len(got):
            out.append(f"{k}: ids must be unique non-empty strings: {got}")
        for c in comp:
            if set(c) - {"id", "description"}:
                out.append(f"{k}: unknown keys {sorted(set(c) - {'id', 'description'})}")
            for tag in c.get("description") or {}:
                if not re.match(LANG_TAG, tag):
                    out.append(f"{k}: {tag!r} is not a language tag")
        ids[k] = set(got)
    r = st["result"].get("response", "")
    if r == "":
        return out
    items = r.split("[,]")
    if it == "true-false" and r not in ("true", "false"):
        out.append(f"true-false response {r!r}")
    if it in ("choice", "sequencing") and "choices" in ids and not set(items) <= ids["choices"]:
        out.append(f"{it} response {r!r} names no choice")
    if it == "likert" and (len(items) != 1 or ("scale" in ids and r not in ids["scale"])):
        out.append(f"likert response {r!r} is not one scale id")
    if it == "matching":
        for pair in items:
            s, _, t = pair.partition("[.]")
            if not t or ("source" in ids and (s not in ids["source"] or t not in ids["target"])):
                out.append(f"matching response item {pair!r} is not source[.]target ids")
    number = r"-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?"
    if it == "numeric" and not re.fullmatch(f"{number}(\\[:\\]{number})?", r):
        out.append(f"numeric response {r!r} is not a number")
    return out


def _likert(n: int):
    return parse_question({"type": "likert", "id": f"lk{n}", "text": "Rate", "scale": ["no", "some", "yes"],
                           "statements": [{"id": f"s{i}", "text": f"Statement {i}"} for i in range(n)]})


@pytest.mark.parametrize("qtype", sorted(QUESTIONS))
def test_statements_meet_the_xapi_rules_per_type(qtype):
    extra, response, _itype, _pattern = QUESTIONS[qtype]
    q = _question(qtype, json.loads(json.dumps(extra)))
    result = _fake_result(q) if qtype == "code" else grade(q, response)
    st = xapi.answered_statement(_record(q, response, result), q)
    BaseXapiStatement.model_validate(st)
    assert xapi_spec_problems(st) == []
    d = st["object"]["definition"]
    if qtype in ("single_choice", "multiple_response", "ordering"):
        assert sorted(c["id"] for c in d["choices"]) == sorted(c.id for c in (q.options if qtype != "ordering" else q.items))
    if qtype == "matching":
        assert [c["id"] for c in d["source"]] == ["p1", "p2"]
        assert [(c["id"], c["description"]["en"]) for c in d["target"]] == [("1", "R1"), ("2", "R2")]
    if qtype == "likert":
        assert [(c["id"], c["description"]["en"]) for c in d["target"]] == [("1", "no"), ("2", "maybe"), ("3", "yes")]
        assert [c["id"] for c in d["source"]] == ["s1"]


def test_a_likert_question_is_a_matching_of_its_statements_to_the_scale():
    q = _likert(3)
    st = xapi.answered_statement(_record(q, {"s0": 1, "s2": 3}, grade(q, {"s0": 1, "s2": 3})), q)
    d = st["object"]["definition"]
    assert d["interactionType"] == "matching" and [c["id"] for c in d["target"]] == ["1", "2", "3"]
    assert st["result"]["response"] == "s0[.]1[,]s2[.]3"
    assert xapi_spec_problems(st) == []


def test_a_numeric_answer_that_is_no_number_sends_an_empty_response():
    q = _question("numeric", {"answers": [{"value": 3, "tolerance": 0}]})
    st = xapi.answered_statement(_record(q, "three", grade(q, "three")), q)
    assert st["result"]["response"] == "" and xapi_spec_problems(st) == []
    assert json.loads(st["result"]["extensions"][xapi.EXT_RESPONSE]) == "three"   # kept for h4s records import


def test_the_xapi_rule_check_finds_broken_statements():
    q = _question("single_choice", json.loads(json.dumps(QUESTIONS["single_choice"][0])))
    good = xapi.answered_statement(_record(q, "a", grade(q, "a")), q)
    for what, edit in [
        ("unknown choice", lambda s: s["result"].update(response="z")),
        ("scale on choice", lambda s: s["object"]["definition"].update(scale=[{"id": "1"}])),
        ("answer key", lambda s: s["object"]["definition"].update(correctResponsesPattern=["b"])),
        ("numeric text", lambda s: (s["object"]["definition"].update(interactionType="numeric", choices=None) or
                                    s["object"]["definition"].pop("choices") or s["result"].update(response="3,5"))),
        ("duplicate ids", lambda s: s["object"]["definition"]["choices"].append({"id": "a"})),
        ("bad language", lambda s: s["object"]["definition"].update(description={"en_GB": "x"})),
    ]:
        bad = json.loads(json.dumps(good))
        edit(bad)
        assert xapi_spec_problems(bad), what


SECRET_GAPS = [("cloze", {"text": "Type [[zorblax|quindle]] and [[vexarine]] here."}, ["zork", None]),
               ("drag_words", {"text": "Drag [[frobnitz]] into place.", "distractors": ["other"]}, ["other"])]


@pytest.mark.parametrize("qtype, extra, response", SECRET_GAPS, ids=[c[0] for c in SECRET_GAPS])
def test_no_gap_answer_in_any_statement_field(tmp_path, qtype, extra, response):
    q = _question(qtype, json.loads(json.dumps(extra)))
    secrets = ["zorblax", "quindle", "vexarine", "frobnitz"]
    rec = _record(q, response, grade(q, response))          # question_text: the raw text, as the live path has it
    shown = xapi.shown_text(public_spec(q)["text_html"])         # what ui.js sends: the text as shown
    detail = {"module": rec["module"], "question": {"id": q.id, "type": q.type, "text": shown},
              "response": response, "result": {"score": 0, "max_score": 1, "correct": False},
              "attempt": 1, "learner": rec["learner"], "timestamp": rec["timestamp"], "duration_s": 1}
    statements = [xapi.answered_statement(rec, q), xapi.answered_statement(rec)]
    statements += _js_statements(tmp_path, [[rec["uuid"], detail, public_spec(q)], [rec["uuid"], detail, None]])
    for st in statements:
        text = json.dumps(st, ensure_ascii=False)
        assert not [s for s in secrets if s in text], text
        assert st["object"]["definition"]["description"]["en"].startswith(("Type", "Drag"))
        BaseXapiStatement.model_validate(st)
        assert xapi_spec_problems(st) == []


def test_numeric_responses_are_the_same_numbers_in_js_and_python(tmp_path):
    answers = ["3,14", "1e-7", "2.5e21", "-0", "12345678901234567890", "0.1", " 2 ", "\u22122", "1 000,5", "x", "",
               "0.000001", "123456.789"]
    cases = []
    for a in answers:
        cases.append([str(uuid.uuid4()), {"module": "m", "question": {"id": "n", "type": "numeric", "text": "t"},
                                          "response": a, "result": {}, "timestamp": 1795000000}, None])
    js = [st["result"]["response"] for st in _js_statements(tmp_path, cases)]
    py = [xapi.response_pattern("numeric", a) for a in answers]
    assert js == py
    assert py[:3] == ["3.14", "1e-7", "2.5e+21"] and py[-4] == ""
