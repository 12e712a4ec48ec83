// numeric: a number, matched against values with a tolerance or ranges.  Response: the text typed (or a number).
import { blank, close, parseNumber } from "../grader/text.js";
import { textInputView } from "./_text_input.js";

export const name = "numeric";
export const xapi = { interaction: "numeric", pattern: "number" };
export const view = (q, c) => textInputView(q, c, true);

const within = (a, x) => (a.value != null
  ? close(x, a.value, a.tolerance || 0)
  : a.min - 1e-9 * Math.max(1, Math.abs(a.min)) <= x && x <= a.max + 1e-9 * Math.max(1, Math.abs(a.max)));

export function grade(q, r, g) {
  if (blank(r)) return g.empty();
  const x = parseNumber(r);
  if (x === null) return g.invalid();
  for (let i = 0; i < q.answers.length; i++) {
    const a = q.answers[i];
    const s = g.part("NumericAnswer", a, "score");
    if (within(a, x)) return g.res(s, s === 1, [`answer:${i}`]);
  }
  return g.res(0, false, ["nomatch"]);
}

export function verdict(q, st, T) {
  const fb = (st.result || {}).feedback || [];
  if (fb.indexOf("invalid") >= 0) return { kind: "info", text: T("That is not a number") };
}
