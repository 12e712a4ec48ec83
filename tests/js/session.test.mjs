// node --test tests/js/
// The JS quiz-session rule (src/session.js) on the shared cases (tests/cases/session_cases.json), which
// tests/test_session.py runs against h4s_widgets/_session.py.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

import { sessionStep } from "../../h4s_widgets/_static/src/session.js";

const CASES = JSON.parse(readFileSync(new URL("../cases/session_cases.json", import.meta.url), "utf8"));

test("the case file has the cases", () => {
  assert.ok(CASES.length >= 30, `${CASES.length} cases`);
});

for (const c of CASES) {
  test(`session: ${c.name}`, () => {
    assert.deepEqual(sessionStep(c.rule, c.attempts, c.action, c.feedback ?? null), c.expected);
  });
}

test("an unknown action throws", () => {
  const rule = { max_attempts: null, show_solution_after: null, example_answer: false, solution_always: false };
  assert.throws(() => sessionStep(rule, 0, "reset"), /action must be one of/);
});
