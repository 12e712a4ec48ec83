// select_words: select the words in a text.  Every word of the passage (without the punctuation around it) is
// a unit; a [bracketed phrase] is one unit and a right one (h4s_widgets/types/select_words.py).  The page gets
// the passage as `pieces` ({text} or {text, unit}), never which are right.  Response: the selected unit
// numbers, ascending.  Graded as multiple_response over the units.
import { el, newId } from "../ui/dom.js";

export const name = "select_words";

/** the selected unit numbers as xAPI's choice pattern: ascending, each once ("1[,]9") */
const ids = (r) => (Array.isArray(r)
  ? [...new Set(r.filter((v) => typeof v === "number" && Number.isInteger(v)))].sort((a, b) => a - b) : []);
export const xapi = {
  interaction: "choice",
  pattern: (r) => ids(r).join("[,]"),
  components: (spec, c) => ({ choices: (spec.pieces || []).filter((p) => "unit" in p).map((p) => c(String(p.unit), p.text)) }),
};

// the grader's whitespace (grader/text.js WS) and the tokens of _TOKEN in select_words.py
const WS = "\\t-\\r \\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff";
const TOKEN = new RegExp(`\\[([^\\[\\]]*)\\]|[^${WS}\\[\\]]+`, "gu");
const PUNCT = /^\p{P}$/u;

/** The right unit numbers of a plain question (its passage), as select_words.pieces finds them. */
function keyOf(passage) {
  const key = [];
  let n = 0;
  for (const m of passage.matchAll(TOKEN)) {
    if (m[1] !== undefined) { key.push(n++); continue; }
    const chars = [...m[0]];
    if (chars.some((ch) => !PUNCT.test(ch))) n++;   // a token that is all punctuation is no unit
  }
  return { key, n };
}

export function grade(q, r, g) {
  if (r === null || (Array.isArray(r) && !r.length)) return g.empty();
  const plain = g.hashed ? null : keyOf(q.passage);
  const n = g.hashed ? q.units : plain.n;
  if (!Array.isArray(r) || !r.every((v) => typeof v === "number" && Number.isInteger(v) && v >= 0 && v < n)) {
    return g.invalid();
  }
  const chosen = [...new Set(r)].sort((a, b) => a - b);
  const size = g.hashed ? q.answers.length : plain.key.length;
  const right = (i) => (g.hashed ? q.answers.includes(g.K(String(i))) : plain.key.includes(i));
  const hit = chosen.filter(right).length;
  const exact = hit === size && hit === chosen.length;
  const frac = g.opt("partial_credit") ? Math.max(0, Math.min(1, (hit - (chosen.length - hit)) / size)) : (exact ? 1 : 0);
  return g.res(frac, exact, chosen.map((i) => `unit:${i}`));
}

export function view(q, c) {
  const T = c.T;
  const instrId = newId("sw");
  const buttons = [];
  const passage = el("p", { class: "h4s-words" });
  for (const p of q.pieces || []) {
    if (!("unit" in p)) { passage.append(p.text); continue; }
    const b = el("button", { type: "button", class: "h4s-word", "aria-pressed": "false", "data-unit": p.unit, text: p.text });
    b.addEventListener("click", () => {
      b.setAttribute("aria-pressed", b.getAttribute("aria-pressed") === "true" ? "false" : "true");
      c.clearMarks();
    });
    buttons.push(b);
    passage.append(b);
  }
  return {
    body: el("div", { class: "h4s-select-words", role: "group", "aria-labelledby": c.textId + " " + instrId }, [
      el("p", { class: "h4s-instr", id: instrId, text: T("Select all that apply") }), passage]),
    getResponse: () => buttons.filter((b) => b.getAttribute("aria-pressed") === "true").map((b) => +b.getAttribute("data-unit")),
  };
}
