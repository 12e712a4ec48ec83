"""The Python grader on the shared cases, and the JS grader on their static keys.

tests/cases/grading_cases.yml is the readable source (expected values worked
out by hand, reasoning in comments); grading_cases.json is generated from it
(write_json_cases) and read by both test suites.
"""
from __future__ import annotations

import base64
import json
import math
import os
import re
import subprocess
from pathlib import Path

import pytest
from _tools import node
import yaml

from h4s_widgets import grade
from h4s_widgets._schema import REGISTRY, parse_question
from h4s_widgets._spec import HASHED_TYPES, key_hash, obfuscate, static_key

ROOT = Path(__file__).resolve().parent.parent
CASES_YML = ROOT / "tests" / "cases" / "grading_cases.yml"
CASES_JSON = ROOT / "tests" / "cases" / "grading_cases.json"
JS_TEST = ROOT / "tests" / "js" / "grader.test.mjs"
GRADER_JS = ROOT / "h4s_widgets" / "_static" / "src" / "grader.js"
SALT = "test-salt"


def yaml_cases() -> list[dict]:
    return yaml.safe_load(CASES_YML.read_text(encoding="utf-8"))["cases"]


def write_json_cases() -> None:
    """Regenerate grading_cases.json from grading_cases.yml."""
    text = json.dumps(yaml_cases(), indent=1, ensure_ascii=True)
    CASES_JSON.write_text(text + "\n", encoding="utf-8")


#: empty when the JSON is missing (test_cases_cover_every_type_and_are_enough then fails)
CASES: list[dict] = json.loads(CASES_JSON.read_text(encoding="utf-8")) if CASES_JSON.exists() else []




def same_result(got: dict, want: dict) -> bool:
    return (set(got) == set(want) and got["correct"] is want["correct"] and got["feedback"] == want["feedback"]
            and math.isclose(got["score"], want["score"], rel_tol=0, abs_tol=1e-12)
            and math.isclose(got["max_score"], want["max_score"], rel_tol=0, abs_tol=1e-12))


# ------------------------------------------------------------ the case file

def test_json_is_generated_from_yaml():
    assert yaml_cases() == CASES, "grading_cases.json is stale; run write_json_cases() (see the YAML header)"


def test_cases_cover_every_type_and_are_enough():
    assert len(CASES) >= 170
    names = [c["name"] for c in CASES]
    assert len(set(names)) == len(names), "case names must be unique"
    types = {c["question"]["type"] for c in CASES}
    assert types == set(REGISTRY) - {"code"}
    for c in CASES:
        assert set(c) == {"name", "question", "response", "expected"}, c["name"]
        assert set(c["expected"]) == {"score", "max_score", "correct", "feedback"}, c["name"]


# ------------------------------------------------------------------ Python

@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_python_grader(case):
    got = grade(case["question"], case["response"]).as_dict()
    assert same_result(got, case["expected"]), f"got {got}, expected {case['expected']}"


def test_python_grader_gives_same_result_for_static_key_question():
    # the static key of a non-hashed type is still a valid question for the Python grader
    for case in CASES:
        q = parse_question(case["question"])
        if q.type in HASHED_TYPES:
            continue
        key = static_key(q, SALT)
        assert same_result(grade(key, case["response"]).as_dict(), case["expected"]), case["name"]


# ---------------------------------------------------------------------- JS

def run_node_tests(env_extra: dict[str, str]) -> subprocess.CompletedProcess:
    env = dict(os.environ, **env_extra)
    return subprocess.run([node(), "--test", "--test-reporter=tap", str(JS_TEST)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def tap_count(out: str, what: str) -> int:
    m = re.search(rf"^# {what} (\d+)$", out, re.M)
    assert m, out[-2000:]
    return int(m.group(1))


def test_js_grader_on_plain_and_hashed_cases(tmp_path):
    hashed = []
    for case in CASES:
        q = parse_question(case["question"])
        hashed.append({"name": case["name"], "question": static_key(q, SALT), "response": case["response"],
                       "expected": case["expected"]})
    path = tmp_path / "hashed.json"
    path.write_text(json.dumps(hashed), encoding="utf-8")
    proc = run_node_tests({"H4S_HASHED_CASES": str(path)})
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-4000:]
    assert tap_count(out, "fail") == 0
    # every plain case and every hashed case ran as its own test
    assert tap_count(out, "pass") >= 2 * len(CASES), out[-2000:]


def run_js(script: str, payload: object) -> object:
    """Run an ES module snippet that can use `G` (grader.js) and `input`; it prints JSON."""
    src = (f"import * as G from {json.dumps(GRADER_JS.as_uri())};\n"
           "const input = JSON.parse(require_stdin());\n" + script)
    src = src.replace("require_stdin()", "(await import('node:fs')).readFileSync(0, 'utf8')")
    proc = subprocess.run([node(), "--input-type=module", "-e", src], input=json.dumps(payload),
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_js_deobfuscate_round_trip():
    texts = ["", "x", "<p>Solution: <strong>CC BY-SA</strong></p>",
             "Ελληνικά: οδός · Deutsch: Straße ẞ · Polski: Łódź ł",
             "Français: café · emoji 🎓 · NFD e\u0301 · NBSP\u00a0· tab\t· newline\n",
             "long " * 100]
    payload = [{"b64": obfuscate(t, "salt-ü", f"q{i}"), "qid": f"q{i}"} for i, t in enumerate(texts)]
    for p, t in zip(payload, texts):
        if t:
            assert base64.b64decode(p["b64"]) != t.encode("utf-8")  # really obfuscated
    got = run_js("console.log(JSON.stringify(input.map(p => G.deobfuscate(p.b64, 'salt-ü', p.qid))));", payload)
    assert got == texts


def test_js_key_hash_and_text_rules_agree_with_python():
    values = ["", "b", "0:s1", "οδός", "Straße", "Łódź", "café", "e\u0301", "🎓", "a\x1fb"]
    got = run_js("console.log(JSON.stringify(input.map(v => G.keyHash('s\u00e4lt', 'q-1', v))));", values)
    assert got == [key_hash("s\u00e4lt", "q-1", v) for v in values]


TRICKY = (["", " ", "a\u00a0b", "\ufeffx\u3000", "A\x1cB", "A\x85B", "A\u200bB", "\u180e", " \t\n\r\x0b\x0c ",
           "ΟΔΌΣ ΚΑΙ ΣΟΦΙΑ", "STRAẞE", "İstanbul", "Ǆemal", "ŁÓDŹ", "CAFE\u0301", "ﬁ", "3,14", "\u22122", "1e3", "1 000",
           "１２", "٣", "1_000", ".5", "5.", "+.5e-3", "1e400", "0x10", "inf", "NaN", "--1", "1,000.5"]
          + [c + "x" + c for c in "\t\n\x0b\x0c\r \u00a0\u1680\u2000\u2005\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"])


def test_js_text_and_number_helpers_agree_with_python():
    from h4s_widgets._grading import count_words, norm_text, parse_number
    got = run_js("console.log(JSON.stringify(input.map(s => [G.normText(s), G.normText(s, true), "
                 "G.normText(s, false, false), G.parseNumber(s), G.countWords(s)])));", TRICKY)
    want = [[norm_text(s), norm_text(s, True), norm_text(s, False, False), parse_number(s), count_words(s)]
            for s in TRICKY]
    assert got == want


# ----------------------------------------------------- static keys: no answers

def _leaves(obj, hashes: set[str]) -> list[str]:
    out = []
    if isinstance(obj, dict):
        for v in obj.values():
            out += _leaves(v, hashes)
    elif isinstance(obj, list):
        for v in obj:
            out += _leaves(v, hashes)
    elif isinstance(obj, str) and obj not in hashes:
        out.append(obj)
    return out


def _secrets(q) -> list[str]:
    if q.type in ("cloze",):
        return [a for alts in q.gap_answers() for a in alts]
    if q.type == "drag_words":
        from h4s_widgets._schema import gaps_in
        return [w.strip() for w in gaps_in(q.text)]
    if q.type == "short_text":
        return [a.text for a in q.answers if a.text is not None]
    if q.type == "matching":
        return [p.right for p in q.pairs]
    if q.type == "select_words":
        return [u["text"] for u in q.units() if u.get("correct")]
    return []


HASHED_QUESTIONS = {c["question"]["id"]: c["question"] for c in CASES
                    if c["question"]["type"] in HASHED_TYPES}


@pytest.mark.parametrize("qid", sorted(HASHED_QUESTIONS))
def test_static_key_holds_no_plaintext_answer(qid):
    q = parse_question(HASHED_QUESTIONS[qid])
    key = static_key(q, SALT)
    hexes = {s for s in _leaves(key, set()) if re.fullmatch(r"[0-9a-f]{24}", s)}
    strings = _leaves(key, hexes | {SALT})
    dump = json.dumps(key, ensure_ascii=False)
    for secret in _secrets(q):
        for form in {secret, secret.lower(), secret.strip()}:
            pattern = rf"(?<!\w){re.escape(form)}(?!\w)"
            assert not any(re.search(pattern, s, re.I) for s in strings), f"{form!r} is readable in {dump}"
    if q.type == "single_choice":
        assert key["answer"] in hexes and key["answer"] not in [o["id"] for o in key["options"]]
        assert all(set(o) == {"id"} for o in key["options"])  # no option texts or feedback
    elif q.type == "multiple_response":
        assert set(key["answers"]) <= hexes and key["answers"] == sorted(key["answers"])
    elif q.type == "true_false":
        assert key["answer"] in hexes and "feedback_true" not in key
    elif q.type == "ordering":
        # the correct order only as hashes; the plain ids only sorted
        assert all(i["id"] in hexes for i in key["items"]) and all(set(i) == {"id"} for i in key["items"])
        assert key["ids"] == sorted(i.id for i in q.items)
    elif q.type in ("cloze", "drag_words"):
        assert "[[?]]" in key["text"] and "gap_feedback" not in key and "distractors" not in key
        assert all(h in hexes for alts in key["gaps"] for h in alts)
    elif q.type == "matching":
        assert all(set(p) == {"id", "right"} and p["right"] in hexes for p in key["pairs"])
    elif q.type == "select_words":
        assert set(key["answers"]) <= hexes and "passage" not in key and "text" not in key
        assert key["units"] == len(q.units())
    assert key["salt"] == SALT


def test_static_key_hashes_are_what_keyhash_gives():
    q = parse_question({"type": "single_choice", "id": "sc", "text": "?", "answer": "b",
                        "options": [{"id": "a", "text": "A"}, {"id": "b", "text": "B"}]})
    assert static_key(q, SALT)["answer"] == key_hash(SALT, "sc", "b")


def test_static_key_of_essay_and_code_holds_no_solution():
    essay = parse_question({"type": "essay", "id": "e", "text": "Reflect.", "model_answer": "Mrs K. would say yes."})
    assert "model_answer" not in static_key(essay, SALT) and "Mrs K." not in json.dumps(static_key(essay, SALT))
    code = parse_question({"type": "code", "id": "c", "text": "Write f.", "solution": "def f():\n    return 42\n",
                           "setup": "SECRET_DATA = 1", "tests": [{"name": "t", "code": "assert f() == 42"}]})
    dump = json.dumps(static_key(code, SALT))
    assert "42" not in dump and "SECRET_DATA" not in dump

