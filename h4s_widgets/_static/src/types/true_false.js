// true_false: a statement to judge.  Response: true or false.
import { choiceView } from "./_choice.js";

export const name = "true_false";
export const xapi = { interaction: "true-false", pattern: "boolean" };
export const view = choiceView;

export function grade(q, r, g) {
  if (r === null) return g.empty();
  if (typeof r !== "boolean") return g.invalid();
  const ok = g.hashed ? g.K(String(r)) === q.answer : r === q.answer;
  return g.res(ok ? 1 : 0, ok, [String(r)]);
}
