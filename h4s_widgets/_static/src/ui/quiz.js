// The quiz: header (title, progress, score), its question cards, summary, reset.  Shared by the live
// widget (widget.js) and static pages (runtime.js).  It never grades: it collects responses, hands them
// to its host (onCheck / onSolution / onReset) and renders the state the host gives back
// ({qid: {attempts, result, messages, general, response, solution_available, solution}}, docs-dev/CONTRACTS.md).
import { drawIds } from "../draw.js";
import { ICON, el, plain, typeset } from "./dom.js";
import { fmt } from "./format.js";
import { learnerId } from "./learner.js";
import { buildQuestion } from "./question.js";
import { verdictOf } from "./verdict.js";

const localStore = {
  get(k) { try { return JSON.parse(localStorage.getItem(k)); } catch (err) { return null; } },
  set(k, v) { try { localStorage.setItem(k, JSON.stringify(v)); } catch (err) { /* private mode */ } },
};

// A bank with `draw: n` shows n questions of its pool per attempt (h4s_widgets/_draw.py): a random seed per
// attempt, kept in localStorage (a SCORM package: in suspend_data, window.__h4sDrawStore) so that a reload
// shows the same set; `fresh` (Reset) draws again.  h4s serve decides the draw itself (opts.draw).
export function localDraw(spec, fresh) {
  const ids = spec.questions.map((q) => q.id);
  const store = window.__h4sDrawStore || localStore;
  const key = "h4s-draw:" + (spec.module || "") + ":" + spec.draw.bank;
  let rec = store.get(key);
  if (fresh || !rec || typeof rec.seed !== "string") {
    const b = crypto.getRandomValues(new Uint8Array(8));
    const seed = Array.from(b, (x) => (x + 256).toString(16).slice(1)).join("");
    rec = { seed, attempt: ((rec && rec.attempt) || 0) + 1, ids: drawIds(ids, seed, spec.draw.n) };
    store.set(key, rec);
  }
  return drawIds(ids, rec.seed, spec.draw.n);
}

export function createQuiz(root, opts) {
  const spec = opts.spec || { questions: [] };
  const strings = opts.strings || {};
  const mode = opts.mode || "live";
  const T = (id, vars) => {
    let s = strings[id] || id;
    if (vars) for (const k of Object.keys(vars)) s = s.split("{" + k + "}").join(String(vars[k]));
    return s;
  };
  const langOf = root.closest("[lang]") || document.documentElement;
  const lang = (langOf && langOf.getAttribute("lang")) || "en";
  const F = (x) => fmt(x, lang);
  const ctx = { spec, strings, mode, T, F, opts };
  const hasTitle = !!spec.title;
  let state = opts.initialState || {};
  let views = [];
  let shown = spec.draw ? [] : spec.questions;   // the questions of this attempt
  const lastAttempts = {};
  // results that were there before this view was made are not new events
  for (const qid of Object.keys(state)) lastAttempts[qid] = (state[qid] && state[qid].attempts) || 0;
  const started = {};

  root.classList.add("h4s-quiz", mode === "static" ? "h4s-static" : "h4s-live");
  // built outside the page and attached once, at the end of createQuiz
  const inner = el("div", { class: "h4s-inner" });

  // header: title, progress, running score
  const head = el("div", { class: "h4s-quiz-head" });
  const titleEl = hasTitle ? el("h3", { class: "h4s-quiz-title", tabindex: "-1", text: spec.title }) : null;
  const progressText = el("span", { class: "h4s-progress-text" });
  const scoreText = el("span", { class: "h4s-score-text" });
  const barFill = el("span", { class: "h4s-bar-fill" });
  head.append(
    titleEl || "",
    el("div", { class: "h4s-progress" }, [
      progressText,
      el("span", { class: "h4s-bar", "aria-hidden": "true" }, barFill),
      scoreText,
    ])
  );
  const list = el("div", { class: "h4s-questions" });
  // footer: summary, reset, records slot
  const summaryBody = el("tbody");
  const summaryFoot = el("tfoot");
  const summary = el("details", { class: "h4s-summary" }, [
    el("summary", { text: T("Summary") }),
    el("table", { class: "h4s-summary-table" }, [
      el("thead", {}, el("tr", {}, [
        el("th", { scope: "col", text: T("Question") }),
        el("th", { scope: "col", text: T("Result") }),
        el("th", { scope: "col", text: T("Points") }),
      ])),
      summaryBody,
      summaryFoot,
    ]),
  ]);
  const resetBtn = el("button", { type: "button", class: "h4s-btn h4s-btn-quiet h4s-reset", text: T("Reset") });
  const foot = el("div", { class: "h4s-quiz-foot" }, [
    summary,
    el("div", { class: "h4s-foot-actions" }, resetBtn),
    el("div", { class: "h4s-records-slot" }),
  ]);
  inner.append(head, list, foot);

  function build() {
    list.textContent = "";
    views = shown.map((q, i) => {
      const v = buildQuestion(q, i, ctx, {
        check: (response) => doCheck(q, response),
        solution: () => opts.onSolution && opts.onSolution(q.id),
      });
      list.append(v.root);
      started[q.id] = Date.now();
      return v;
    });
    if (inner.isConnected) typeset(root);
  }

  const pending = {};
  function doCheck(q, response) {
    started[q.id] = started[q.id] || Date.now();
    pending[q.id] = { response, at: Date.now() };
    if (opts.onCheck) opts.onCheck(q.id, response);
  }

  function pick(fresh) {
    const apply = (ids) => { shown = spec.questions.filter((q) => ids.includes(q.id)); build(); render(); };
    const got = opts.draw ? opts.draw(fresh) : localDraw(spec, fresh);
    // the server cannot be reached: a draw of the browser's own (the server refuses what is not in its draw)
    if (got && got.then) got.then(apply, (err) => { console.error("h4s: no draw", err); apply(localDraw(spec, fresh)); });
    else apply(got);
  }

  resetBtn.addEventListener("click", () => {
    state = {};
    for (const k of Object.keys(lastAttempts)) delete lastAttempts[k];
    if (opts.onReset) opts.onReset();
    if (spec.draw) pick(true);
    else { build(); render(); }
    if (titleEl) titleEl.focus();
    else resetBtn.focus();
  });

  function gradedEvent(q, st) {
    const p = pending[q.id];
    const now = Date.now();
    const detail = {
      module: spec.module || null,
      question: { id: q.id, type: q.type, text: plain(q.text_html) },
      response: st.response !== undefined ? st.response : p ? p.response : null,
      result: st.result,
      attempt: st.attempts,
      learner: learnerId(),
      timestamp: now / 1000,
      duration_s: Math.round((now - (started[q.id] || now))) / 1000,
    };
    started[q.id] = now;
    root.dispatchEvent(new CustomEvent("h4s:graded", { bubbles: true, composed: true, detail }));
  }

  function totals() {
    let answered = 0, score = 0, max = 0;
    shown.forEach((q) => {
      const st = state[q.id] || {};
      const attempts = st.attempts || 0;
      if (attempts > 0) answered += 1;
      if (q.graded) {
        max += q.points || 0;
        if (attempts > 0 && st.result) score += st.result.score || 0;
      }
    });
    return { answered, score, max };
  }

  function render() {
    shown.forEach((q, i) => {
      const st = state[q.id] || {};
      const v = views[i];
      if (v) v.update(st);
      const attempts = st.attempts || 0;
      if ((lastAttempts[q.id] || 0) < attempts) gradedEvent(q, st);
      lastAttempts[q.id] = attempts;
    });
    const { answered, score, max } = totals();
    const n = shown.length;
    progressText.textContent = T("{n} of {m} answered", { n: answered, m: n });
    barFill.style.width = (n ? Math.round((answered / n) * 100) : 0) + "%";
    scoreText.textContent = max > 0 ? T("Score") + ": " + F(score) + " / " + F(max) : "";
    // the summary table (a row per question) is made when it is open: nobody sees it closed, and
    // 50 questions' rows were a fifth of a quiz's DOM on the first paint
    summaryStale = true;
    if (summary.open) fillSummary();
  }

  let summaryStale = true;
  function fillSummary() {
    summaryStale = false;
    summaryBody.textContent = "";
    shown.forEach((q, i) => {
      const st = state[q.id] || {};
      const res = (st.attempts || 0) > 0 ? st.result : null;
      const verdict = res ? verdictOf(q, st, ctx) : null;
      summaryBody.append(el("tr", {}, [
        el("td", { text: T("Question {n}", { n: i + 1 }) + (q.title ? ": " + q.title : "") }),
        el("td", {}, verdict
          ? [el("span", { class: "h4s-icon", "aria-hidden": "true", text: ICON[verdict.kind] }), " " + verdict.text]
          : (q.graded ? "\u2014" : T("Not graded"))),
        el("td", { text: q.graded ? (res ? F(res.score) : "\u2014") + " / " + F(q.points) : "\u2014" }),
      ]));
    });
    const { score, max } = totals();
    summaryFoot.textContent = "";
    let passCell = "";
    if (typeof spec.pass_mark === "number" && max > 0) {
      const passed = score / max >= spec.pass_mark - 1e-9;
      passCell = T("Pass mark") + ": " + Math.round(spec.pass_mark * 100) + "% \u2014 " +
        (passed ? T("Passed") : T("Not passed yet"));
    }
    summaryFoot.append(el("tr", {}, [
      el("th", { scope: "row", text: T("Total") }),
      el("td", { text: passCell }),
      el("td", { text: max > 0 ? F(score) + " / " + F(max) : "\u2014" }),
    ]));
  }
  summary.addEventListener("toggle", () => { if (summary.open && summaryStale) fillSummary(); });

  if (spec.draw) pick(false);
  else { build(); render(); }
  root.append(inner);
  typeset(root);

  return {
    update(newState) {
      state = newState || {};
      render();
    },
    get state() { return state; },
    destroy() { root.textContent = ""; },
  };
}
