// What the gap types (cloze, drag_words) share: grading a list of gaps, the text with its gaps, marks.
import { blank, close, parseNumber } from "../grader/text.js";
import { el } from "../ui/dom.js";

/**
 * Grade r (a list, one entry per gap) against keys[i] (the accepted values of gap i, as the key holds them);
 * nums[i]: the alternatives of gap i that are numbers (cloze), matched as numbers too.
 */
export function gradeGaps(r, g, keys, norm, nums, tolerance = 0) {
  const n = keys.length;
  const numberOk = (i, x) => {
    if (!nums || !nums[i] || !nums[i].length) return false;
    const v = parseNumber(x);
    return v !== null && nums[i].some((t) => close(v, t, tolerance));
  };
  if (r === null) return g.empty();
  if (!Array.isArray(r) || r.length > n || !r.every((x) => x == null || typeof x === "string")) return g.invalid();
  let good = 0;
  const fb = [];
  for (let i = 0; i < n; i++) {
    const x = r[i];
    if (blank(x)) fb.push(`gap:${i + 1}:empty`);
    else if (keys[i].includes(g.K(norm(x))) || numberOk(i, x)) { good++; fb.push(`gap:${i + 1}:correct`); }
    else fb.push(`gap:${i + 1}:wrong`);
  }
  if (fb.every((f) => f.endsWith(":empty"))) return g.empty();
  return g.res(good / n, good === n, fb);
}

/** The question text with each .h4s-gap replaced by makeGap(n).node. */
export function gapText(q, c, makeGap) {
  const text = el("div", { class: "h4s-qtext h4s-gaptext", id: c.textId, html: q.text_html });
  const gaps = [];
  text.querySelectorAll(".h4s-gap").forEach((span) => {
    const n = parseInt(span.getAttribute("data-gap"), 10) || gaps.length + 1;
    const gap = makeGap(n);
    span.replaceWith(gap.node);
    gaps.push(gap);
  });
  return { text, gaps };
}

export function markGaps(r, gaps, c) {
  for (const id of r.feedback || []) {
    const m = /^gap:(\d+):(correct|wrong)$/.exec(id);
    if (m && gaps[+m[1] - 1]) c.mark(gaps[+m[1] - 1].input, m[2] === "correct");
  }
}
