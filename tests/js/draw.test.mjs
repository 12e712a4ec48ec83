// node --test tests/js/
// The JS pool draw (src/draw.js) on the shared cases (tests/cases/draw_cases.json), which tests/test_draw.py
// runs against h4s_widgets/_draw.py.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

import { drawIds } from "../../h4s_widgets/_static/src/draw.js";

const CASES = JSON.parse(readFileSync(new URL("../cases/draw_cases.json", import.meta.url), "utf8"));

test("the case file has the cases", () => {
  assert.ok(CASES.length >= 8, `${CASES.length} cases`);
});

for (const c of CASES) {
  test(`draw: ${c.name}`, () => {
    assert.deepEqual(drawIds(c.ids, c.seed, c.n), c.expected);
  });
}
