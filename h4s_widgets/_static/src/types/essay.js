// essay: a written answer, read by the trainer; keywords and a minimum length give feedback.  Response: the text.
import { blank, normText, countWords } from "../grader/text.js";
import { ICON, el, newId, words } from "../ui/dom.js";

export const name = "essay";
export const xapi = { interaction: "long-fill-in" };

export function grade(q, r, g) {
  if (blank(r)) return g.ungraded(0, 0, ["empty"]);
  if (typeof r !== "string") return g.ungraded(0, 0, ["invalid"]);
  const low = normText(r);
  return g.ungraded(0, 0, [countWords(r) < (g.opt("min_words") || 0) ? "too_short" : "submitted"].concat(
    (q.keywords || []).map((k, i) => `keyword:${i}:${low.includes(normText(k)) ? "found" : "missing"}`)));
}

export function verdict(q, st, T) {
  const fb = (st.result || {}).feedback || [];
  if (fb.indexOf("invalid") >= 0) return undefined;
  if (fb.indexOf("too_short") >= 0) {
    return { kind: "partial", text: T("Words: {n} (at least {m})", { n: words(st.response || ""), m: q.min_words }) };
  }
  return { kind: "saved", text: T("Saved") };
}

export function view(q, c) {
  const T = c.T;
  const id = newId("essay");
  const countId = newId("count");
  const ta = el("textarea", { id, class: "h4s-essay", rows: "6", "aria-describedby": q.min_words ? countId : null });
  const count = el("p", { class: "h4s-count", id: countId });
  const refresh = () => {
    const n = words(ta.value);
    count.textContent = q.min_words ? T("Words: {n} (at least {m})", { n, m: q.min_words }) : "";
    count.classList.toggle("h4s-count--ok", !!q.min_words && n >= q.min_words);
  };
  ta.addEventListener("input", refresh);
  refresh();
  return {
    ownSolution: true,
    body: [el("label", { for: id, class: "h4s-label", text: T("Written answer") }), ta, count],
    getResponse: () => (ta.value.trim() ? ta.value : null),
    onState(st, after) {
      after.textContent = "";
      if (!st.result || !(st.attempts > 0)) return;
      const fb = st.result.feedback || [];
      const used = [], missing = [];
      for (const f of fb) {
        const m = /^keyword:(\d+):(found|missing)$/.exec(f);
        if (m && q.keywords[+m[1]] !== undefined) (m[2] === "found" ? used : missing).push(q.keywords[+m[1]]);
      }
      const listOf = (title, items, icon, cls) => items.length ? el("div", { class: "h4s-kw " + cls }, [
        el("p", { class: "h4s-kw-title", text: title }),
        el("ul", {}, items.map((k) => el("li", {}, [el("span", { class: "h4s-icon", "aria-hidden": "true", text: icon }), " " + k]))),
      ]) : null;
      const box = el("div", { class: "h4s-checklist" }, [
        listOf(T("Keywords you used"), used, ICON.correct, "h4s-kw--used"),
        listOf(T("Keywords you could add"), missing, "+", "h4s-kw--add"),
      ]);
      if (box.childNodes.length) after.append(box);
      if (st.solution) {
        after.append(el("div", { class: "h4s-model" }, [
          el("p", { class: "h4s-sol-title", text: T("Example answer") }), el("div", { html: st.solution })]));
      }
      const note = T("Check again later: your trainer reads written answers");
      after.append(el("p", { class: "h4s-note", text: note }));
    },
  };
}
