// One question card: heading, text, the type's view, hints, actions, the live region for feedback.
// Accessibility: every input has a label, option groups are fieldsets with names, feedback goes to a
// role="status" region per question and always has text and an icon, everything works by keyboard.
import { TYPES } from "../registry.js";
import { ICON, el, iconText, newId, typeset } from "./dom.js";
import { verdictOf } from "./verdict.js";

// a small ✓/✗ after an input, with words for screen readers
function addMark(target, ok, T, after) {
  const m = el("span", { class: "h4s-mark h4s-mark--" + (ok ? "ok" : "bad") }, [
    el("span", { "aria-hidden": "true", text: ok ? ICON.correct : ICON.wrong }),
    el("span", { class: "h4s-sr", text: ok ? T("Correct") : T("Not quite") }),
  ]);
  (after || target).after(m);
  target.classList.add(ok ? "h4s-is-ok" : "h4s-is-bad");
  if (!ok && /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName)) target.setAttribute("aria-invalid", "true");
  return m;
}

export function buildQuestion(q, index, ctx, host) {
  const T = ctx.T;
  const level = ctx.spec.title ? "h4" : "h3";
  const headingId = newId("qh");
  const textId = newId("qt");
  const root = el("div", { class: "h4s-question h4s-type-" + q.type, "data-qid": q.id, "data-type": q.type });
  root.append(el(level, { class: "h4s-qtitle", id: headingId }, [
    el("span", { class: "h4s-qnum", text: T("Question {n}", { n: index + 1 }) }),
    q.title ? el("span", { class: "h4s-qname", text: q.title }) : null,
  ]));
  const type = TYPES[q.type] || { view: unknownView };
  if (!type.inlineText) root.append(el("div", { class: "h4s-qtext", id: textId, html: q.text_html }));

  const marks = [];
  const clearMarks = () => {
    while (marks.length) marks.pop().remove();
    root.querySelectorAll(".h4s-is-ok, .h4s-is-bad").forEach((e) => e.classList.remove("h4s-is-ok", "h4s-is-bad"));
    root.querySelectorAll("[aria-invalid]").forEach((e) => e.removeAttribute("aria-invalid"));
  };
  const mark = (target, ok, after) => marks.push(addMark(target, ok, T, after));
  const vctx = Object.assign({}, ctx, { q, textId, headingId, mark, clearMarks, host, qroot: root });
  const view = type.view(q, vctx);
  root.append(el("div", { class: "h4s-body" }, view.body));
  root.addEventListener("keydown", (e) => {
    // Enter in a one-line text box (numeric, short text, cloze gap) checks the answer
    if (e.key === "Enter" && !e.isComposing && e.target.matches && e.target.matches('input[type="text"]')) {
      const btn = root.querySelector(".h4s-check");
      if (btn) { e.preventDefault(); btn.click(); }
    }
  });
  root.addEventListener("input", () => { if (!view.keepMarks) clearMarks(); });
  root.addEventListener("change", (e) => {
    // text boxes already cleared the marks on "input"; their "change" (Enter, blur) comes after a check
    if (e.target.matches && e.target.matches('input[type="text"], textarea')) return;
    if (!view.keepMarks) clearMarks();
  });

  // hints, one at a time
  let hintBtn = null;
  if (q.hints && q.hints.length) {
    const hintList = el("ol", { class: "h4s-hint-list", id: newId("hints") });
    let shown = 0;
    hintBtn = el("button", { type: "button", class: "h4s-btn h4s-btn-quiet h4s-hint-btn", "aria-controls": hintList.id }, [
      el("span", { class: "h4s-hint-label", text: T("Hint") }),
    ]);
    hintBtn.addEventListener("click", () => {
      if (shown >= q.hints.length) return;
      const li = el("li", { class: "h4s-hint", tabindex: "-1" }, [
        el("span", { class: "h4s-hint-tag", text: T("Hint") + " " + (shown + 1) + ": " }),
        el("span", { html: q.hints[shown] }),
      ]);
      hintList.append(li);
      typeset(li);
      shown += 1;
      if (shown >= q.hints.length) {
        hintBtn.hidden = true;
        li.focus();
      } else {
        hintBtn.querySelector(".h4s-hint-label").textContent = T("Next hint");
      }
    });
    root.append(el("div", { class: "h4s-hints" }, [hintList]));
  }

  // actions: check, attempts, hint, solution
  const actions = el("div", { class: "h4s-actions" });
  let checkBtn = null;
  let waiting = false;
  let waitTimer = null;
  if (view.checkLabel !== null) {
    checkBtn = el("button", { type: "button", class: "h4s-btn h4s-btn-primary h4s-check", text: view.checkLabel || T("Check") });
    checkBtn.addEventListener("click", () => {
      if (checkBtn.getAttribute("aria-disabled") === "true" || waiting) return;
      const problem = view.validate ? view.validate() : null;
      const response = view.getResponse();
      if (problem) { showLocal("info", problem); return; }
      if (isEmpty(response)) { showLocal("info", T("Please answer first")); return; }
      if (view.busyLabel) {
        checkBtn.textContent = view.busyLabel;
        checkBtn.setAttribute("aria-busy", "true");
      }
      // one check at a time: a double press must not spend two attempts
      waiting = true;
      clearTimeout(waitTimer);
      waitTimer = setTimeout(() => { waiting = false; }, ((q.timeout_s || 5) + 10) * 1000);
      host.check(response);
    });
    actions.append(checkBtn);
  }
  if (hintBtn) actions.append(hintBtn);
  // the attempts counter where attempts are limited; the solution's button and box when a solution is first
  // available (a page of many questions draws fewer elements at first)
  const attemptsEl = q.max_attempts ? el("span", { class: "h4s-attempts" }) : null;
  if (attemptsEl) actions.append(attemptsEl);
  if (view.extraActions) view.extraActions.forEach((a) => actions.append(a));
  const solPlace = attemptsEl || (view.extraActions && view.extraActions[0]) || null;
  root.append(actions);

  const status = el("div", { class: "h4s-feedback", role: "status", "aria-live": "polite", "aria-atomic": "false" });
  root.append(status);
  const after = el("div", { class: "h4s-after" });
  root.append(after);

  let solBtn = null;
  let solBox = null;
  let solWanted = false;
  function solParts() {
    if (solBtn) return;
    solBtn = el("button", { type: "button", class: "h4s-btn h4s-btn-quiet h4s-sol-btn", hidden: true, "aria-expanded": "false" });
    solBox = el("div", { class: "h4s-solution", id: newId("sol"), hidden: true });
    solBtn.setAttribute("aria-controls", solBox.id);
    solBtn.textContent = T("Show solution");
    solBtn.addEventListener("click", () => {
      if (!solBox.hidden) {
        solBox.hidden = true;
        solWanted = false;
        solBtn.textContent = T("Show solution");
        solBtn.setAttribute("aria-expanded", "false");
        return;
      }
      solWanted = true;
      if (current.solution) showSolution(current.solution);
      else host.solution();
    });
    actions.insertBefore(solBtn, solPlace && solPlace.parentNode === actions ? solPlace : null);
    after.after(solBox);
  }

  function showSolution(html) {
    solParts();
    solBox.textContent = "";
    solBox.append(el("p", { class: "h4s-sol-title", text: T("Solution") }), el("div", { html }));
    solBox.hidden = false;
    typeset(solBox);
    solBtn.textContent = T("Hide solution");
    solBtn.setAttribute("aria-expanded", "true");
  }

  // Put new feedback in the live region.  The same text twice in a row (say, two wrong
  // answers) is emptied first and filled a moment later, so that screen readers say it again.
  let lastHtml = "";
  let token = 0;
  function announce(nodes, again) {
    const box = document.createElement("div");
    nodes.forEach((n) => box.append(n));
    const html = box.innerHTML;
    if (html === lastHtml && !again) return; // nothing new to say
    const mine = ++token;
    status.textContent = "";
    const fill = () => {
      if (mine !== token) return;
      status.append(...Array.from(box.childNodes));
      typeset(status);
    };
    if (html && html === lastHtml) setTimeout(fill, 80);
    else fill();
    lastHtml = html;
  }

  function showLocal(kind, text) {
    announce([iconText(kind, text)], true);
  }

  let current = {};
  let lastSig = null;
  let shownAttempts = 0;
  function update(st) {
    // only a question whose own state changed is redrawn (its live region must stay quiet otherwise)
    const sig = JSON.stringify(st || {});
    waiting = false;
    clearTimeout(waitTimer);
    if (sig === lastSig) return;
    lastSig = sig;
    current = st || {};
    const attempts = current.attempts || 0;
    if (checkBtn) {
      checkBtn.removeAttribute("aria-busy");
      checkBtn.textContent = view.checkLabel || T("Check");
      const out = q.max_attempts && attempts >= q.max_attempts;
      if (out) checkBtn.setAttribute("aria-disabled", "true");
      else checkBtn.removeAttribute("aria-disabled");
      const solved = current.result && current.result.correct === true && attempts > 0;
      if (q.max_attempts) {
        attemptsEl.textContent = out ? T("No attempts left")
          : solved ? "" : T("Attempt {n} of {m}", { n: attempts + 1, m: q.max_attempts });
      }
    }
    const solAvail = !view.ownSolution && !!(current.solution_available || current.solution || view.solutionAlways);
    if (solAvail) solParts();
    if (solBtn) solBtn.hidden = !solAvail;
    if (current.solution && solWanted) showSolution(current.solution);
    if (current.error) return showLocal("info", T(current.error)); // refused or not stored: say why, in words
    if (!current.result) {
      token += 1;
      status.textContent = "";
      lastHtml = "";
      if (view.onState) view.onState(current, after);
      return;
    }
    const v = verdictOf(q, current, ctx);
    const r = current.result;
    const line = iconText(v.kind, v.text);
    if (q.graded && ["correct", "partial", "wrong"].indexOf(v.kind) >= 0 && typeof r.max_score === "number") {
      line.append(el("span", { class: "h4s-points", text: T("Points") + ": " + ctx.F(r.score) + " / " + ctx.F(r.max_score) }));
    }
    const box = el("div", {}, line);
    if (view.statusExtra) view.statusExtra(current, box);
    const msgs = (current.messages || []).filter(Boolean);
    if (msgs.length) box.append(el("ul", { class: "h4s-messages" }, msgs.map((m) => el("li", { html: m }))));
    if (current.general) box.append(el("div", { class: "h4s-general", html: current.general }));
    announce(Array.from(box.childNodes), attempts !== shownAttempts);
    shownAttempts = attempts;
    clearMarks();
    if (view.mark && attempts > 0) view.mark(r, current);
    if (view.onState) view.onState(current, after);
  }

  return { root, update, showLocal };
}

export function isEmpty(r) {
  if (r === null || r === undefined) return true;
  if (typeof r === "string") return r.trim() === "";
  if (Array.isArray(r)) return r.length === 0 || r.every((x) => x === null || (typeof x === "string" && x.trim() === ""));
  if (typeof r === "object") return Object.keys(r).length === 0 || Object.values(r).every((x) => x === null || x === "");
  return false;
}

function unknownView(q, c) {
  return { body: el("p", { text: q.type }), getResponse: () => null, checkLabel: null };
}
