// matching: each item on the left with one on the right.  Response: {left id: right text}.
import { blank, isDict, own } from "../grader/text.js";
import { el, newId } from "../ui/dom.js";

export const name = "matching";
export const xapi = { interaction: "matching", pattern: "pairs" };

export function grade(q, r, g) {
  if (r === null || (isDict(r) && Object.values(r).every(blank))) return g.empty();
  if (!g.fits(q.pairs.map((p) => p.id)) || !Object.values(r).every((v) => v == null || typeof v === "string")) {
    return g.invalid();
  }
  let good = 0;
  const fb = q.pairs.map((p) => {
    const v = own(r, p.id) ? r[p.id] : null;
    if (blank(v)) return `pair:${p.id}:empty`;
    if (g.K(v) !== p.right) return `pair:${p.id}:wrong`;
    good++;
    return `pair:${p.id}:correct`;
  });
  return g.res(good / q.pairs.length, good === q.pairs.length, fb);
}

export function view(q, c) {
  const T = c.T;
  const selects = {};
  const rows = q.lefts.map((l) => {
    const id = newId("m");
    const sel = el("select", { id, class: "h4s-match-select" }, [el("option", { value: "", text: T("Choose\u2026") })]
      .concat(q.rights.map((r) => el("option", { value: r, text: r }))));
    selects[l.id] = sel;
    return el("li", { class: "h4s-match-row" }, [
      el("label", { for: id, class: "h4s-match-left", html: l.html }),
      el("span", { class: "h4s-arrow", "aria-hidden": "true", text: "\u2192" }),
      el("span", { class: "h4s-select-wrap" }, sel),
    ]);
  });
  return {
    body: [el("p", { class: "h4s-instr", text: T("Match each item on the left with one on the right") }),
      el("ul", { class: "h4s-match" }, rows)],
    getResponse() {
      const out = {};
      for (const k of Object.keys(selects)) out[k] = selects[k].value || null;
      return out;
    },
    mark(r) {
      for (const id of r.feedback || []) {
        const m = /^pair:(.+):(correct|wrong)$/.exec(id);
        if (m && selects[m[1]]) c.mark(selects[m[1]], m[2] === "correct");
      }
    },
  };
}
