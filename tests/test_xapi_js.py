"""The one xAPI interaction mapping of the browser (h4s_widgets/_static/src/xapi.js) against the Python one
(h4s_kit/records/xapi.py), on the same cases: directly, and through the built SCORM runtime
(h4s_kit/assets/scorm/h4s-scorm.js, whose SCORM 2004 responses are xAPI's patterns) run in node with a
recording LMS API.  (tests/test_records_xapi.py compares whole statements of records.js; tests/test_scorm.py
plays the packages in scorm-again.)"""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

from _tools import node

from h4s_kit.records import xapi

ROOT = Path(__file__).resolve().parent.parent
XAPI_JS = ROOT / "h4s_widgets" / "_static" / "src" / "xapi.js"
SCORM_JS = ROOT / "h4s_kit" / "assets" / "scorm" / "h4s-scorm.js"

SPEC_MATCHING = {"rights": ["Paris", "Rome", "Oslo"]}
#: responses as the pages send them, awkward ones included: decimal commas, spaces in numbers, a minus sign,
#: no number at all, brackets and commas in texts, unknown right-hand items, non-numbers in a Likert answer
RESPONSES = {
    "single_choice": ["b", "opt-2"],
    "multiple_response": [["a", "c"], ["b"]],
    "true_false": [True, False],
    "cloze": [["3,5", "km/h"], ["Paris", None]],
    "drag_words": [["cat", "dog"]],
    "short_text": ["{Paris} [a], b", "Zürich"],
    "essay": ["Two\nlines, [one] {x}"],
    "numeric": ["3,5", " 1 000,5 ", "\u22122", "1e3", "abc", 7, 0.1, "1e400", "", "12."],
    "matching": [{"p1": "Rome", "p2": "Paris"}, {"p1": "Nowhere", "p2": "Oslo"}, {"p1": None}],
    "ordering": [["s2", "s1", "s3"]],
    "likert": [{"s1": 1, "s2": 5}, {"s1": "3", "s2": 2}],
    "code": ["print('hi')"],
    "flashcards": [{"c1": "known", "c2": "unknown"}],
    "select_words": [[5, 7], [7, 5, 5], [2.0], []],
}


def _interaction_type(qtype: str) -> str:
    own = getattr(xapi, "interaction_type", None)
    return own(qtype) if own else xapi.INTERACTION_TYPES.get(qtype, "other")


def _cases() -> list[dict]:
    from h4s_widgets._schema import REGISTRY
    out = []
    for qtype, responses in RESPONSES.items():
        if qtype not in REGISTRY:
            continue
        spec = SPEC_MATCHING if qtype == "matching" else None
        for r in responses:
            out.append({"type": qtype, "response": r, "spec": spec,
                        "interaction": _interaction_type(qtype),
                        "pattern": xapi.response_pattern(qtype, r, spec=spec or {})})
    return out


def _run(script: str, cases: list[dict], tmp_path: Path) -> list:
    path = tmp_path / "run.mjs"
    path.write_text(script, encoding="utf-8")
    data = tmp_path / "cases.json"
    data.write_text(json.dumps(cases), encoding="utf-8")
    out = subprocess.run([node(), str(path), str(data)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_cases_cover_every_type():
    from h4s_widgets._schema import REGISTRY
    assert set(REGISTRY) <= set(RESPONSES), "add responses for the new type to RESPONSES"


def test_xapi_js_maps_like_python(tmp_path):
    cases = _cases()
    got = _run(
        f"import {{ interactionType, responsePattern }} from {json.dumps(XAPI_JS.as_uri())};\n"
        "import { readFileSync } from 'node:fs';\n"
        "const cases = JSON.parse(readFileSync(process.argv[2], 'utf8'));\n"
        "process.stdout.write(JSON.stringify(cases.map((c) => "
        "({interaction: interactionType(c.type), pattern: responsePattern(c.type, c.response, c.spec || {})}))));\n",
        cases, tmp_path)
    for c, g in zip(cases, got):
        assert g == {"interaction": c["interaction"], "pattern": c["pattern"]}, c


# the SCORM runtime in node: a page with its configuration, an LMS API that records every SetValue
SCORM_HOST = r"""
import { readFileSync } from "node:fs";
const cases = JSON.parse(readFileSync(process.argv[2], "utf8"));
const listeners = {};
const questions = {};
cases.forEach((c, i) => { questions["q" + i] = { points: 1, graded: true, type: c.type, rights: (c.spec || {}).rights }; });
const config = JSON.stringify({ version: "2004", module: "m", questions });
const set = {};
const api = {
  Initialize: () => "true", Terminate: () => "true", Commit: () => "true", GetLastError: () => "0",
  GetValue: (k) => (k === "cmi.interactions._count" ? "0" : ""), SetValue: (k, v) => { set[k] = v; return "true"; },
};
globalThis.window = globalThis;
window.API_1484_11 = api;
window.parent = window;
window.addEventListener = () => {};
globalThis.document = {
  readyState: "complete",
  getElementById: (id) => (id === "h4s-scorm-config" ? { textContent: config } : null),
  querySelector: () => null,
  addEventListener: (name, fn) => { (listeners[name] = listeners[name] || []).push(fn); },
};
await import(process.argv[3]);
cases.forEach((c, i) => {
  const detail = { module: "m", question: { id: "q" + i, type: c.type, text: "t" }, response: c.response,
    result: { score: 1, max_score: 1, correct: true, feedback: [] }, attempt: 1, learner: "l", timestamp: 1, duration_s: 1 };
  (listeners["h4s:graded"] || []).forEach((fn) => fn({ detail }));
});
const out = [];
for (let n = 0; set[`cmi.interactions.${n}.id`] !== undefined; n++) {
  out.push({ id: set[`cmi.interactions.${n}.id`], type: set[`cmi.interactions.${n}.type`],
    response: set[`cmi.interactions.${n}.learner_response`] });
}
process.stdout.write(JSON.stringify(out));
"""


def test_scorm_2004_responses_are_the_xapi_patterns(tmp_path):
    """Where SCORM 2004's format is xAPI's pattern (choice, sequencing, matching, true-false, numeric), the SCORM
    runtime writes exactly what xapi.py would; numbers are read by the grader's rule ("3,5" and " 1 000,5 " are
    numbers, "abc" is no number and goes as fill-in text).  Likert gives one interaction per statement."""
    cases = [c for c in _cases() if c["type"] != "likert"]
    path = tmp_path / "host.mjs"
    path.write_text(SCORM_HOST, encoding="utf-8")
    data = tmp_path / "cases.json"
    data.write_text(json.dumps(cases), encoding="utf-8")
    out = subprocess.run([node(), str(path), str(data), SCORM_JS.as_uri()], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    got = {r["id"]: r for r in json.loads(out.stdout)}
    assert len(got) == len(cases)
    checked = 0
    for i, c in enumerate(cases):
        rec = got[f"urn:h4s:m.q{i}"]
        if c["interaction"] in ("choice", "sequencing", "matching", "true-false"):
            assert (rec["type"], rec["response"]) == (c["interaction"], c["pattern"]), c
            checked += 1
        elif c["interaction"] == "numeric":
            if c["pattern"] and abs(float(c["pattern"])) < 1e10:
                assert rec["type"] == "numeric" and float(rec["response"]) == float(c["pattern"]), (c, rec)
            else:                                   # no number, or too large for SCORM's real(10,7)
                assert rec["type"] == "fill-in", (c, rec)
            checked += 1
    assert checked >= 20
