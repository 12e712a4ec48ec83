// drag_words: words from a bank dragged (or chosen) into the gaps of a text.  Response: a list, one word per gap.
import { gapsIn, normText, strip } from "../grader/text.js";
import { el, newId } from "../ui/dom.js";
import { gapText, gradeGaps, markGaps } from "./_gaps.js";

export const name = "drag_words";
export const xapi = { interaction: "fill-in", pattern: "list" };
export const inlineText = true;

export function grade(q, r, g) {
  const norm = (x) => normText(x, true);
  return gradeGaps(r, g, g.hashed ? q.gaps : gapsIn(q.text).map((w) => [norm(strip(w))]), norm);
}

export function view(q, c) {
  const T = c.T;
  const words = q.words || [];
  let dragged = null;
  const { text, gaps } = gapText(q, c, (n) => {
    const select = el("select", { class: "h4s-gap-select", "aria-label": T("Gap {n}", { n }) }, [
      el("option", { value: "", text: T("Choose\u2026") }),
    ].concat(words.map((w) => el("option", { value: w, text: w }))));
    const zone = el("span", { class: "h4s-drop" }, select);
    zone.addEventListener("dragover", (e) => { if (dragged !== null) { e.preventDefault(); zone.classList.add("h4s-drop--over"); } });
    zone.addEventListener("dragleave", () => zone.classList.remove("h4s-drop--over"));
    zone.addEventListener("drop", (e) => {
      e.preventDefault();
      zone.classList.remove("h4s-drop--over");
      const w = dragged !== null ? dragged : (e.dataTransfer && e.dataTransfer.getData("text/plain"));
      if (w) {
        select.value = w;
        select.dispatchEvent(new Event("change", { bubbles: true }));
      }
      dragged = null;
    });
    return { node: zone, input: select };
  });
  const bankId = newId("bank");
  const chips = words.map((w) => {
    const chip = el("li", { class: "h4s-chip", draggable: "true", text: w });
    chip.addEventListener("dragstart", (e) => {
      dragged = w;
      if (e.dataTransfer) { e.dataTransfer.setData("text/plain", w); e.dataTransfer.effectAllowed = "copy"; }
    });
    chip.addEventListener("dragend", () => { dragged = null; });
    return chip;
  });
  const refreshBank = () => {
    const used = gaps.map((g) => g.input.value);
    chips.forEach((ch, i) => ch.classList.toggle("h4s-chip--used", used.indexOf(words[i]) >= 0));
  };
  text.addEventListener("change", refreshBank);
  const bank = el("div", { class: "h4s-bank", role: "group", "aria-labelledby": bankId }, [
    el("p", { class: "h4s-bank-title", id: bankId }, [
      el("strong", { text: T("Word bank") }), " ",
      el("span", { class: "h4s-instr", text: T("Drag a word into a gap, or choose it from the list") }),
    ]),
    el("ul", { class: "h4s-chips" }, chips),
  ]);
  return {
    body: [bank, text],
    getResponse: () => gaps.map((g) => g.input.value || null),
    mark: (r) => markGaps(r, gaps, c),
  };
}
