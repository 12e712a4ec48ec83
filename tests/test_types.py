"""Every question type is a unit of its own (h4s_widgets/types/<type>.py) and keeps the unit's interface:
its example parses, its invalid examples fail with one line naming the question and the field, the browser
gets no key, its xAPI statements meet the xAPI rules, and its GIFT and Moodle XML exports read back; the shared
modules (grading, spec, exports, xAPI) ask the units and never dispatch on a concrete type."""
from __future__ import annotations

import json
import sys
import types
import uuid

import pytest
import yaml
from ralph.models.xapi.base.statements import BaseXapiStatement
from test_records_xapi import xapi_spec_problems

from h4s_kit.interop.gift import parse_gift, to_gift
from h4s_kit.interop.moodle_xml import parse_moodle_xml, to_moodle_xml
from h4s_kit.records import xapi
from h4s_widgets._errors import QuestionError
from h4s_widgets._grading import grade
from h4s_widgets._schema import REGISTRY, parse_bank, parse_question
from h4s_widgets._spec import HASHED_TYPES, public_spec, solution_html, static_key
from h4s_widgets.types import UNITS, _add, hook, load_all

NAMES = sorted(UNITS)


def example(name: str) -> dict:
    (data,) = yaml.safe_load(UNITS[name].EXAMPLE)
    return data


#: a right (or, for types without a key, a complete) response to each type's EXAMPLE
RESPONSES = {
    "single_choice": "a", "multiple_response": ["a", "b", "d"], "true_false": False, "cloze": ["open", "CC BY"],
    "numeric": "96", "short_text": "BY",
    "matching": {"by": "Credit the author", "sa": "Share under the same licence", "nc": "No commercial use",
                 "nd": "No changed versions"},
    "ordering": ["l1", "l2", "l3", "l4"], "drag_words": ["gloves", "goggles"],
    "code": "def gross(net):\n    return net * 1.2\n",
    "essay": "I would share my checklist; first I check the licence of the images and how to credit them.",
    "likert": {"find": 3, "tell": 4}, "flashcards": {"by": "known", "sa": "unknown"},
}


def right_response(name: str, q):
    return q.key() if name == "select_words" else RESPONSES[name]


def test_every_type_is_a_unit():
    assert set(UNITS) == set(REGISTRY) and "select_words" in UNITS and len(UNITS) >= 14


def test_a_type_cannot_be_registered_twice(monkeypatch):
    load_all()
    load_all()   # loading again finds the same modules: no error
    twin = types.ModuleType("h4s_widgets.types._twin")
    twin.TYPE = "single_choice"   # a second module that claims a registered type
    monkeypatch.setitem(sys.modules, twin.__name__, twin)
    with pytest.raises(RuntimeError, match="two modules"):
        _add("_twin")


@pytest.mark.parametrize("name", NAMES)
def test_unit_interface(name):
    mod = UNITS[name]
    assert mod.TYPE == name and name in REGISTRY
    assert REGISTRY[name].__module__ == mod.__name__
    q = parse_question(example(name))
    assert q.type == name
    assert callable(mod.grade) and callable(mod.public_spec)
    assert hook(name, "no_such_hook") is None and hook("no_such_type", "grade") is None


@pytest.mark.parametrize("name", NAMES)
def test_invalid_examples_fail_with_one_line_naming_question_and_field(name):
    cases = getattr(UNITS[name], "INVALID", [])
    assert cases, f"{name}: give INVALID examples"
    for fields, want in cases:
        data = dict(example(name), **fields)
        with pytest.raises(QuestionError) as e:
            parse_bank({"schema_version": 1, "questions": [data]}, "bank.yml")
        msg = str(e.value)
        assert "\n" not in msg and msg.startswith(f"bank.yml: question 1 ({data['id']}): {want}"), msg


@pytest.mark.parametrize("name", NAMES)
def test_the_browser_gets_no_key(name):
    q = parse_question(example(name))
    spec = public_spec(q)
    assert spec["type"] == name and spec["text_html"]
    if hook(name, "solution_html"):
        assert solution_html(q)
    dump = json.dumps(spec, ensure_ascii=False)
    if name in HASHED_TYPES:
        key = static_key(q, "salt")
        assert key["salt"] == "salt"
    assert "correct" not in dump and "<strong>" not in dump


def test_select_words_spec_pieces_rebuild_the_passage_without_brackets():
    q = parse_question(example("select_words"))
    spec = public_spec(q)
    assert "".join(p["text"] for p in spec["pieces"]) == q.passage.replace("[", "").replace("]", "")
    units = [p for p in spec["pieces"] if "unit" in p]
    assert [p["unit"] for p in units] == list(range(spec["units"]))
    assert [p["text"] for p in units if p["unit"] in q.key()] == ["name", "email address"]
    r = grade(q, q.key())
    assert r.correct is True and r.score == 1
    # the key of the static page: hashes only
    key = static_key(q, "s")
    assert "passage" not in key and "name" not in json.dumps(key)


@pytest.mark.parametrize("name", NAMES)
def test_xapi_statement_meets_the_rules(name):
    q = parse_question(example(name))
    response = right_response(name, q)
    result = grade(q, response)
    assert result.correct is not False, result
    rec = {"uuid": str(uuid.uuid4()), "learner": "7c9e6679-7425-40de-944b-e07fc1f90ae7", "module": "04-oer",
           "question": q.id, "qtype": q.type, "question_text": q.text, "response": response,
           "score": result.score, "max_score": result.max_score, "success": result.correct, "attempt": 1,
           "timestamp": 1795000000.25, "duration_s": 10}
    st = xapi.answered_statement(rec, q)
    BaseXapiStatement.model_validate(st)
    assert xapi_spec_problems(st) == []
    assert st["object"]["definition"]["interactionType"] == UNITS[name].XAPI_INTERACTION


def test_select_words_xapi_mapping():
    q = parse_question(example("select_words"))
    spec = public_spec(q)
    d = xapi.interaction_components("select_words", spec, "en")
    assert [c["id"] for c in d["choices"]] == [str(i) for i in range(spec["units"])]
    assert xapi.response_pattern("select_words", [7, 3, 3], q) == "3[,]7"
    assert xapi.response_pattern("select_words", "junk", q) == ""


@pytest.mark.parametrize("name", [n for n in NAMES if hook(n, "to_gift")])
def test_gift_export_reads_back(name):
    q = parse_question(example(name))
    out = to_gift([q])
    if out.exported == 0:     # an example GIFT cannot hold (a cloze with two gaps): the export says why, skips it
        assert len(out.warnings) == 1 and f"'{q.id}'" in out.warnings[0] and out.warnings[0].endswith("; skipped")
        return
    back = parse_gift(out.text, "export.gift")
    assert len(back.bank["questions"]) == 1


@pytest.mark.parametrize("name", [n for n in NAMES if hook(n, "to_moodle_xml")])
def test_moodle_xml_export_reads_back(name):
    q = parse_question(example(name))
    out = to_moodle_xml([q])
    assert out.exported == 1, out.warnings
    back = parse_moodle_xml(out.text, "export.xml")
    assert len(back.bank["questions"]) == 1


def test_select_words_exports_as_multiple_answer_choice():
    q = parse_question(example("select_words"))
    (g,) = parse_gift(to_gift([q]).text, "x.gift").bank["questions"]
    (m,) = parse_moodle_xml(to_moodle_xml([q]).text, "x.xml").bank["questions"]
    for back in (g, m):
        assert back["type"] == "multiple_response"
        right = {o["text"] for o in back["options"] if o["id"] in back["answers"]}
        assert right == {"name", "email address"}
        assert "booking form" in back["text"]


def test_every_registered_type_is_a_unit_with_its_own_file():
    from pathlib import Path

    import h4s_widgets.types as types_pkg
    folder = Path(types_pkg.__file__).parent
    for name, cls in REGISTRY.items():
        assert name in UNITS, f"{name}: registered but not a type unit"
        assert (folder / f"{name}.py").is_file(), f"{name}: no h4s_widgets/types/{name}.py"
        assert cls.__module__ == f"h4s_widgets.types.{name}", f"{name}: its model lives in {cls.__module__}"
        assert callable(getattr(UNITS[name], "grade", None)), f"{name}: no grade()"
        assert getattr(UNITS[name], "XAPI_INTERACTION", None), f"{name}: no XAPI_INTERACTION"


SHARED = ["h4s_widgets/_grading.py", "h4s_widgets/_spec.py", "h4s_kit/interop/gift.py", "h4s_kit/interop/moodle_xml.py",
          "h4s_kit/records/xapi.py"]


def _type_dispatch(source: str) -> list[str]:
    """Where ``source`` asks for a concrete question type: isinstance(x, <a question model>) or x.type == '<type>'."""
    import ast
    models = {cls.__name__ for cls in REGISTRY.values()}
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "isinstance" and len(node.args) == 2:
            arg = node.args[1]
            names = {n.id for n in ast.walk(arg) if isinstance(n, ast.Name)} | \
                    {n.attr for n in ast.walk(arg) if isinstance(n, ast.Attribute)}
            if names & models:
                found.append(f"line {node.lineno}: isinstance(..., {', '.join(sorted(names & models))})")
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            typed = any(isinstance(s, ast.Attribute) and s.attr == "type" for s in sides)
            consts = [s.value for s in sides if isinstance(s, ast.Constant)]
            consts += [e.value for s in sides if isinstance(s, (ast.Tuple, ast.List, ast.Set))
                       for e in s.elts if isinstance(e, ast.Constant)]
            if typed and set(consts) & set(REGISTRY):
                found.append(f"line {node.lineno}: .type compared with {sorted(set(consts) & set(REGISTRY))}")
    return found


@pytest.mark.parametrize("path", SHARED)
def test_shared_modules_do_not_dispatch_on_a_concrete_type(path):
    from pathlib import Path
    source = (Path(__file__).resolve().parents[1] / path).read_text(encoding="utf-8")
    assert _type_dispatch(source) == [], f"{path}: ask the type's unit (types.hook) instead"


def test_the_dispatch_check_finds_dispatch():
    assert _type_dispatch("if isinstance(q, Cloze):\n    pass\n") == ["line 1: isinstance(..., Cloze)"]
    assert _type_dispatch("x = q.type == 'numeric'\n") == ["line 1: .type compared with ['numeric']"]
    assert _type_dispatch("x = q.type in ('cloze', 'other')\n") == ["line 1: .type compared with ['cloze']"]
    assert _type_dispatch("x = isinstance(q, QuestionBase) and q.type == 'nothing'\n") == []


@pytest.mark.parametrize("name", NAMES)
def test_records_import_reads_the_type_back_or_guesses_it_from_the_interaction(name):
    from h4s_kit.records.importer import _record_from
    q = parse_question(example(name))
    response = right_response(name, q)
    result = grade(q, response)
    rec = {"uuid": str(uuid.uuid4()), "learner": "7c9e6679-7425-40de-944b-e07fc1f90ae7", "module": "04-oer",
           "question": q.id, "qtype": q.type, "response": response, "score": result.score,
           "max_score": result.max_score, "success": result.correct, "attempt": 1, "timestamp": 1795000000.25}
    st = xapi.answered_statement(rec, q)
    assert _record_from(st, None)["qtype"] == name
    del st["context"]["extensions"][xapi.EXT_QTYPE]
    first = next(n for n in REGISTRY if UNITS[n].XAPI_INTERACTION == UNITS[name].XAPI_INTERACTION)
    assert _record_from(st, None)["qtype"] == first
