// cloze: gaps [[a|b]] in a text, typed in.  Response: a list of strings, one per gap.
import { gapsIn, normText, parseNumber, strip } from "../grader/text.js";
import { el } from "../ui/dom.js";
import { gapText, gradeGaps, markGaps } from "./_gaps.js";

export const name = "cloze";
export const xapi = { interaction: "fill-in", pattern: "list" };
/** the view shows the question text itself (with its gaps) */
export const inlineText = true;

export function grade(q, r, g) {
  const cs = !!g.opt("case_sensitive");
  const ws = g.opt("ignore_whitespace");
  const norm = (x) => normText(x, cs, ws);
  const alts = g.hashed ? null : gapsIn(q.text).map((gap) => gap.split("|").map(strip));
  const nums = g.hashed ? q.gap_numbers : alts.map((list) => list.map(parseNumber).filter((x) => x !== null));
  return gradeGaps(r, g, g.hashed ? q.gaps : alts.map((list) => list.map(norm)), norm, nums, Number(g.opt("tolerance")) || 0);
}

export function view(q, c) {
  const T = c.T;
  const { text, gaps } = gapText(q, c, (n) => {
    const input = el("input", { type: "text", class: "h4s-gap-input", "aria-label": T("Gap {n}", { n }),
      autocomplete: "off", autocapitalize: "off", spellcheck: "false", size: "12" });
    return { node: input, input };
  });
  return {
    body: text,
    getResponse: () => gaps.map((gap) => (gap.input.value.trim() ? gap.input.value : null)),
    mark: (r) => markGaps(r, gaps, c),
  };
}
