// likert: statements rated on one scale (self-assessment, not graded).  Response: {statement id: 1..n}.
import { isDict } from "../grader/text.js";
import { el, newId } from "../ui/dom.js";

export const name = "likert";
export const xapi = { interaction: "matching", pattern: "likert" };

export function grade(q, r, g) {
  const n = q.scale.length;
  const ids = q.statements.map((s) => s.id);
  const top = n * ids.length;
  if (r === null || (isDict(r) && !Object.keys(r).length)) return g.ungraded(0, top, ["empty"]);
  if (!g.fits(ids) || !Object.values(r).every((v) => Number.isInteger(v) && v >= 1 && v <= n)) {
    return g.ungraded(0, top, ["invalid"]);
  }
  const vals = Object.values(r);
  const total = vals.reduce((s, v) => s + v, 0);
  if (vals.length < ids.length) return g.ungraded(total, top, ["incomplete"]);
  const mean = total / ids.length;
  const band = (q.bands || []).findIndex((b) => b.min <= mean && mean <= b.max);
  return g.ungraded(total, top, [band < 0 ? "noband" : `band:${band}`]);
}

export function view(q, c) {
  const T = c.T;
  const groups = {};
  const rows = q.statements.map((s) => {
    const name = newId("lk");
    const lg = newId("lkl");
    const fs = el("fieldset", { class: "h4s-likert-row" }, [el("legend", { id: lg, class: "h4s-likert-stmt", html: s.html })]);
    const opts = el("div", { class: "h4s-scale" });
    groups[s.id] = [];
    q.scale.forEach((label, i) => {
      const id = newId("lko");
      const input = el("input", { type: "radio", name, id, value: String(i + 1) });
      groups[s.id].push(input);
      opts.append(el("label", { for: id, class: "h4s-scale-opt" }, [input, el("span", { text: label })]));
    });
    fs.append(opts);
    return fs;
  });
  return {
    body: el("div", { class: "h4s-likert" }, rows),
    getResponse() {
      const out = {};
      for (const k of Object.keys(groups)) {
        const c2 = groups[k].find((i) => i.checked);
        if (c2) out[k] = parseInt(c2.value, 10);
      }
      return out;
    },
    validate() {
      const missing = Object.keys(groups).some((k) => !groups[k].some((i) => i.checked));
      return missing ? T("Please answer first") : null;
    },
    statusExtra(st, box) {
      if ((st.messages || []).length) box.append(el("p", { class: "h4s-kw-title", text: T("Your self-rating") }));
    },
  };
}
