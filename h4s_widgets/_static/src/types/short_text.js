// short_text: a word or phrase, matched against texts or regular expressions.  Response: the text typed.
import { blank, fullMatch, normText } from "../grader/text.js";
import { textInputView } from "./_text_input.js";

export const name = "short_text";
export const xapi = { interaction: "fill-in" };
export const view = (q, c) => textInputView(q, c, false);

export function grade(q, r, g) {
  if (blank(r)) return g.empty();
  if (typeof r !== "string") return g.invalid();
  const cs = !!g.opt("case_sensitive");
  const folded = normText(r, true);
  const given = g.K(normText(r, cs));
  for (let i = 0; i < q.answers.length; i++) {
    const a = q.answers[i];
    const s = g.part("TextAnswer", a, "score");
    const ok = a.text != null ? given === (g.hashed ? a.text : normText(a.text, cs)) : fullMatch(a.regex, cs, folded);
    if (ok) return g.res(s, s === 1, [`answer:${i}`]);
  }
  return g.res(0, false, ["nomatch"]);
}
