// ordering: items (or lines of code) put in order.  Response: the list of item ids in the learner's order.
import { el, newId, plain } from "../ui/dom.js";

export const name = "ordering";
export const xapi = { interaction: "sequencing", pattern: "list" };

export function grade(q, r, g) {
  if (r === null || (Array.isArray(r) && !r.length)) return g.empty();
  const ids = g.hashed ? q.ids : q.items.map((i) => i.id);
  const sorted = (a) => JSON.stringify([...a].sort());
  if (!Array.isArray(r) || !r.every((x) => typeof x === "string") || sorted(r) !== sorted(ids)) return g.invalid();
  let good = 0;
  const fb = r.map((got, p) => {
    const ok = (g.hashed ? g.K(`${p}:${got}`) : got) === q.items[p].id;
    good += ok;
    return `position:${p + 1}:${ok ? "correct" : "wrong"}`;
  });
  const n = ids.length;
  const exact = good === n;
  return g.res(g.opt("partial_credit") ? good / n : (exact ? 1 : 0), exact, fb);
}

export function view(q, c) {
  const T = c.T;
  const ol = el("ol", { class: "h4s-order" + (q.code ? " h4s-order--code" : "") });
  const announce = el("p", { class: "h4s-sr", "aria-live": "polite" });
  let dragging = null;
  const items = q.items.map((it) => {
    const tid = newId("it");
    const up = el("button", { type: "button", class: "h4s-btn h4s-btn-icon-only h4s-up", "aria-describedby": tid, title: T("Move up") }, [
      el("span", { "aria-hidden": "true", text: "\u2191" }), el("span", { class: "h4s-sr", text: T("Move up") })]);
    const down = el("button", { type: "button", class: "h4s-btn h4s-btn-icon-only h4s-down", "aria-describedby": tid, title: T("Move down") }, [
      el("span", { "aria-hidden": "true", text: "\u2193" }), el("span", { class: "h4s-sr", text: T("Move down") })]);
    const content = q.code
      ? el("code", { class: "h4s-codeline", id: tid, html: it.html })
      : el("span", { class: "h4s-order-text", id: tid, html: it.html });
    const li = el("li", { class: "h4s-order-item", draggable: "true", "data-id": it.id }, [
      el("span", { class: "h4s-handle", "aria-hidden": "true", text: "\u2807" }), content,
      el("span", { class: "h4s-order-btns" }, [up, down]),
    ]);
    const move = (dir, btn) => {
      const sib = dir < 0 ? li.previousElementSibling : li.nextElementSibling;
      if (!sib) return;
      if (dir < 0) ol.insertBefore(li, sib); else ol.insertBefore(sib, li);
      btn.focus();
      changed(li);
    };
    up.addEventListener("click", () => move(-1, up));
    down.addEventListener("click", () => move(1, down));
    li.addEventListener("dragstart", (e) => {
      dragging = li;
      li.classList.add("h4s-dragging");
      if (e.dataTransfer) { e.dataTransfer.setData("text/plain", it.id); e.dataTransfer.effectAllowed = "move"; }
    });
    li.addEventListener("dragend", () => { li.classList.remove("h4s-dragging"); dragging = null; });
    li.addEventListener("dragover", (e) => {
      if (!dragging || dragging === li) return;
      e.preventDefault();
      const box = li.getBoundingClientRect();
      const before = e.clientY < box.top + box.height / 2;
      ol.insertBefore(dragging, before ? li : li.nextElementSibling);
    });
    li.addEventListener("drop", (e) => { e.preventDefault(); if (dragging) changed(dragging); });
    ol.append(li);
    return li;
  });
  function changed(li) {
    const all = Array.from(ol.children);
    all.forEach((x, i) => {
      x.querySelector(".h4s-up").setAttribute("aria-disabled", i === 0 ? "true" : "false");
      x.querySelector(".h4s-down").setAttribute("aria-disabled", i === all.length - 1 ? "true" : "false");
    });
    if (li) {
      announce.textContent = plain(li.querySelector(".h4s-order-text, .h4s-codeline").innerHTML) + ": " + (all.indexOf(li) + 1) + " / " + all.length;
      c.clearMarks();
    }
  }
  changed(null);
  return {
    body: [el("p", { class: "h4s-instr", text: T("Put the items in the right order") }), ol, announce],
    getResponse: () => Array.from(ol.children).map((li) => li.getAttribute("data-id")),
    mark(r) {
      const lis = Array.from(ol.children);
      for (const id of r.feedback || []) {
        const m = /^position:(\d+):(correct|wrong)$/.exec(id);
        if (m && lis[+m[1] - 1]) {
          const li = lis[+m[1] - 1];
          c.mark(li, m[2] === "correct", li.querySelector(".h4s-handle"));
        }
      }
    },
  };
}
