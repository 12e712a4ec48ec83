// multiple_response: every option that applies.  Response: a list of option ids.
import { choiceView } from "./_choice.js";

export const name = "multiple_response";
export const xapi = { interaction: "choice", pattern: "list" };
export const view = choiceView;

export function grade(q, r, g) {
  if (r === null || (Array.isArray(r) && !r.length)) return g.empty();
  const ids = q.options.map((o) => o.id);
  if (!Array.isArray(r) || !r.every((x) => typeof x === "string" && ids.includes(x))) return g.invalid();
  const key = new Set(q.answers);
  const chosen = new Set(r);
  let hit = 0;
  for (const c of chosen) if (key.has(g.K(c))) hit++;
  const miss = chosen.size - hit;
  const exact = hit === key.size && !miss;
  const frac = g.opt("partial_credit")
    ? Math.max(g.opt("negative_marks") ? -1 : 0, Math.min(1, (hit - miss) / key.size))
    : (exact ? 1 : 0);
  return g.res(frac, exact, ids.filter((i) => chosen.has(i)).map((i) => `option:${i}`));
}
