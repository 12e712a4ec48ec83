// flashcards: cards turned and rated "known" / "not yet" (not graded).  Response: {card id: "known"|"unknown"}.
import { isDict, own } from "../grader/text.js";
import { ICON, el, typeset } from "../ui/dom.js";

export const name = "flashcards";
export const xapi = { interaction: "other" };

export function grade(q, r, g) {
  const n = q.cards.length;
  if (r === null || (isDict(r) && !Object.keys(r).length)) return g.ungraded(0, n, ["empty"]);
  if (!g.fits(q.cards.map((c) => c.id)) || !Object.values(r).every((v) => v === "known" || v === "unknown")) {
    return g.ungraded(0, n, ["invalid"]);
  }
  return g.ungraded(Object.values(r).filter((v) => v === "known").length, n,
    q.cards.map((c) => `card:${c.id}:${own(r, c.id) ? r[c.id] : "unseen"}`));
}

export function view(q, c) {
  const T = c.T;
  const cards = q.cards;
  let pos = 0;
  let back = false;
  let ratings = {};
  const counter = el("p", { class: "h4s-card-count" });
  const face = el("div", { class: "h4s-flashcard", "aria-live": "polite" });
  const turn = el("button", { type: "button", class: "h4s-btn h4s-btn-quiet h4s-turn", text: T("Turn card") });
  const known = el("button", { type: "button", class: "h4s-btn h4s-btn-good h4s-known" }, [
    el("span", { "aria-hidden": "true", text: ICON.correct + " " }), T("Known")]);
  const notYet = el("button", { type: "button", class: "h4s-btn h4s-btn-quiet h4s-notyet" }, [
    el("span", { "aria-hidden": "true", text: "\u21bb " }), T("Not yet")]);
  const again = el("button", { type: "button", class: "h4s-btn h4s-btn-quiet h4s-again", text: T("Try again"), hidden: true });
  function show() {
    const done = pos >= cards.length;
    counter.textContent = done ? "" : T("Card {n} of {m}", { n: pos + 1, m: cards.length });
    face.textContent = "";
    face.classList.toggle("h4s-flashcard--back", back);
    if (!done) face.innerHTML = back ? cards[pos].back_html : cards[pos].front_html;
    else {
      const k = Object.values(ratings).filter((v) => v === "known").length;
      face.textContent = T("Known") + ": " + k + " \u00b7 " + T("Not yet") + ": " + (cards.length - k);
    }
    turn.hidden = done; known.hidden = done; notYet.hidden = done; again.hidden = !done;
    typeset(face);
  }
  turn.addEventListener("click", () => { back = !back; show(); });
  const rate = (v) => {
    if (pos >= cards.length) return;
    ratings[cards[pos].id] = v;
    pos += 1; back = false;
    show();
    if (pos >= cards.length) {
      c.host.check(Object.assign({}, ratings));
      again.focus();
    }
  };
  known.addEventListener("click", () => rate("known"));
  notYet.addEventListener("click", () => rate("unknown"));
  again.addEventListener("click", () => { pos = 0; back = false; ratings = {}; show(); turn.focus(); });
  show();
  return {
    body: [counter, face, el("div", { class: "h4s-card-actions" }, [turn, known, notYet, again])],
    checkLabel: null,
    getResponse: () => Object.assign({}, ratings),
    keepMarks: true,
  };
}
