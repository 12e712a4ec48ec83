// single_choice: one option of several.  Response: the option's id.
import { blank, own } from "../grader/text.js";
import { choiceView } from "./_choice.js";

export const name = "single_choice";
export const xapi = { interaction: "choice" };
export const view = choiceView;

export function grade(q, r, g) {
  if (blank(r)) return g.empty();
  if (typeof r !== "string" || !q.options.some((o) => o.id === r)) return g.invalid();
  // 1 for the answer; a partly (or also fully) right option's mark in `scores` (keys hashed like `answer`)
  const k = g.K(r);
  const frac = k === q.answer ? 1 : own(q.scores || {}, k) ? q.scores[k] : 0;
  return g.res(frac, frac === 1, [`option:${r}`]);
}
