"""The quiz-session rule (h4s_widgets._session) on the shared cases.

tests/cases/session_cases.yml is the readable source (expected values worked
out by hand from the rule in h4s_widgets/_session.py); session_cases.json is
generated from it (write_json_cases) and read by the Python and JS tests.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from h4s_widgets._schema import parse_question
from h4s_widgets._session import OUTCOME_FIELDS, RULE_FIELDS, rule_of, session_step

ROOT = Path(__file__).resolve().parent.parent
CASES_YML = ROOT / "tests" / "cases" / "session_cases.yml"
CASES_JSON = ROOT / "tests" / "cases" / "session_cases.json"


def yaml_cases() -> list[dict]:
    return yaml.safe_load(CASES_YML.read_text(encoding="utf-8"))["cases"]


def write_json_cases() -> None:
    """Regenerate session_cases.json from session_cases.yml."""
    CASES_JSON.write_text(json.dumps(yaml_cases(), indent=1, ensure_ascii=True) + "\n", encoding="utf-8")


CASES: list[dict] = json.loads(CASES_JSON.read_text(encoding="utf-8")) if CASES_JSON.exists() else []


def test_json_is_generated_from_yaml():
    assert yaml_cases() == CASES, "session_cases.json is stale; run write_json_cases() (see the YAML header)"


def test_case_file_shape():
    assert len(CASES) >= 30
    names = [c["name"] for c in CASES]
    assert len(set(names)) == len(names), "case names must be unique"
    for c in CASES:
        assert set(c) == {"name", "rule", "attempts", "action", "feedback", "expected"}, c["name"]
        assert tuple(c["rule"]) == RULE_FIELDS, c["name"]
        assert set(c["expected"]) == set(OUTCOME_FIELDS), c["name"]
    # both actions, refusals and uncounted checks are all covered
    assert {c["action"] for c in CASES} == {"check", "solution"}
    assert any(c["expected"]["refused"] for c in CASES if c["action"] == "check")
    assert any(not c["expected"]["counted"] and not c["expected"]["refused"] for c in CASES)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_python_session_rule(case):
    got = session_step(case["rule"], case["attempts"], case["action"], case["feedback"])
    assert got == case["expected"]


def test_unknown_action_is_refused_with_one_line():
    with pytest.raises(ValueError, match="action must be one of check, solution"):
        session_step({}, 0, "peek")


def test_rule_of_questions():
    essay = parse_question({"type": "essay", "id": "e", "text": "Reflect.", "model_answer": "An example."})
    assert rule_of(essay) == {"max_attempts": None, "show_solution_after": None, "example_answer": True,
                              "solution_always": False}
    plain = parse_question({"type": "essay", "id": "e2", "text": "Reflect."})
    assert rule_of(plain)["example_answer"] is False
    tf = parse_question({"type": "true_false", "id": "t", "text": "S.", "answer": True, "max_attempts": 2,
                         "show_solution_after": 1})
    assert rule_of(tf) == {"max_attempts": 2, "show_solution_after": 1, "example_answer": False,
                           "solution_always": False}
    code = parse_question({"type": "code", "id": "c", "text": "Write f.", "solution": "def f():\n    return 1\n",
                           "tests": [{"name": "t", "code": "assert f() == 1"}]})
    assert rule_of(code)["solution_always"] is False
    assert rule_of(code, can_run_code=False)["solution_always"] is True
