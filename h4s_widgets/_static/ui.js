// h4s front-end: the quiz DOM, shared by the live widget (widget.js) and
// static pages (static.js).  It never grades: it collects responses, hands
// them to its host (onCheck / onSolution / onReset) and renders the state the
// host gives back ({qid: {attempts, result, messages, general, response,
// solution_available, solution}}, see docs-dev/CONTRACTS.md).
//
// Accessibility: every input has a label, option groups are fieldsets with
// names, feedback goes to a role="status" region per question and always has
// text and an icon, everything works by keyboard, no positive tabindex.
//
// The static runtime concatenates this file with others into one function
// scope, so everything lives inside the single name `h4sUI`.
import { countWords, parseNumber } from "./grader.js";

export const h4sUI = (function () {
  "use strict";

  const ICON = { correct: "\u2713", wrong: "\u2717", partial: "\u25d0", info: "\u2139", saved: "\u2713" };
  const RUN = Math.random().toString(36).slice(2, 8);
  let counter = 0;

  function newId(prefix) {
    counter += 1;
    return "h4s-" + RUN + "-" + prefix + "-" + counter;
  }

  // el("div", {class: "x", text: "hi", onclick: fn}, [children])
  function el(tag, attrs, children) {
    const e = document.createElement(tag);
    if (attrs) {
      for (const k of Object.keys(attrs)) {
        const v = attrs[k];
        if (v === null || v === undefined || v === false) continue;
        if (k === "class") e.className = v;
        else if (k === "html") e.innerHTML = v;
        else if (k === "text") e.textContent = v;
        else if (k.slice(0, 2) === "on" && typeof v === "function") e.addEventListener(k.slice(2), v);
        else e.setAttribute(k, v === true ? "" : String(v));
      }
    }
    for (const c of [].concat(children === undefined ? [] : children)) {
      if (c !== null && c !== undefined && c !== false) e.append(c);
    }
    return e;
  }

  function plain(html) {
    const d = document.createElement("div");
    d.innerHTML = html || "";
    return (d.textContent || "").replace(/\s+/g, " ").trim();
  }

  // numbers in the learner's language (0,5 in German), at most two decimals.  The first
  // Intl.NumberFormat of a page costs tens of ms (ICU data) and the first render formats the
  // points of every question: small whole numbers in the languages h4s ships (all Latin digits,
  // no grouping below 1000) are written directly; one cached formatter per language otherwise
  const formats = {};
  const LATIN_DIGITS = /^(en|bg|cs|da|de|el|es|et|fi|fr|ga|hr|hu|it|lt|lv|mt|nl|pl|pt|ro|sk|sl|sv)\b/i;
  function fmt(x, lang) {
    const v = typeof x === "number" && isFinite(x) ? Math.round(x * 100) / 100 : 0;
    lang = lang || "en";
    if (Number.isInteger(v) && v >= 0 && v < 1000 && LATIN_DIGITS.test(lang)) return String(v);
    try {
      formats[lang] = formats[lang] || new Intl.NumberFormat(lang, { maximumFractionDigits: 2 });
      return formats[lang].format(v);
    } catch (e) {
      return String(v);
    }
  }

  const words = (text) => countWords(text || "");

  function isNumber(text) {
    const x = parseNumber(text);
    return x !== null && x !== undefined;
  }

  let memoLearner = null;
  function learnerId() {
    // 128 random bits written as a UUID (getRandomValues works on http pages too, randomUUID does not)
    const make = () => Array.from(window.crypto.getRandomValues(new Uint8Array(16)), (x) => (x + 256).toString(16).slice(1))
      .join("").replace(/(.{8})(.{4})(.{4})(.{4})/, "$1-$2-$3-$4-");
    try {
      let id = window.localStorage.getItem("h4s-learner");
      if (!id) {
        id = make();
        window.localStorage.setItem("h4s-learner", id);
      }
      return id;
    } catch (e) {
      memoLearner = memoLearner || make();
      return memoLearner;
    }
  }

  function liveUrl(spec) {
    if (spec && spec.live_url) return spec.live_url;
    const m = document.querySelector('meta[name="h4s-live-url"]');
    return m && m.content ? m.content : null;
  }

  // ------------------------------------------------------------ the quiz

  function createQuiz(root, opts) {
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
      views = spec.questions.map((q, i) => {
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

    resetBtn.addEventListener("click", () => {
      state = {};
      for (const k of Object.keys(lastAttempts)) delete lastAttempts[k];
      build();
      render();
      if (opts.onReset) opts.onReset();
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
      spec.questions.forEach((q) => {
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
      spec.questions.forEach((q, i) => {
        const st = state[q.id] || {};
        const v = views[i];
        if (v) v.update(st);
        const attempts = st.attempts || 0;
        if ((lastAttempts[q.id] || 0) < attempts) gradedEvent(q, st);
        lastAttempts[q.id] = attempts;
      });
      const { answered, score, max } = totals();
      const n = spec.questions.length;
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
      spec.questions.forEach((q, i) => {
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

    build();
    render();
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

  function typeset(node) {
    const mj = window.MathJax;
    if (mj && typeof mj.typesetPromise === "function" && node.querySelector(".h4s-math")) {
      mj.typesetPromise([node]).catch(() => {});
    }
  }

  // -------------------------------------------------------- verdicts

  function verdictOf(q, st, ctx) {
    const T = ctx.T;
    const r = st.result || {};
    const fb = r.feedback || [];
    if (fb.indexOf("empty") >= 0) return { kind: "info", text: T("Please answer first") };
    if (fb.indexOf("invalid") >= 0) {
      return { kind: "info", text: q.type === "numeric" ? T("That is not a number") : T("Please answer first") };
    }
    if (fb.indexOf("incomplete") >= 0) return { kind: "info", text: T("Please answer first") };
    if (q.type === "essay") {
      if (fb.indexOf("too_short") >= 0) {
        return { kind: "partial", text: T("Words: {n} (at least {m})", { n: words(st.response || ""), m: q.min_words }) };
      }
      return { kind: "saved", text: T("Saved") };
    }
    if (!q.graded) return { kind: "saved", text: T("Saved") };
    if (q.type === "code") {
      const d = r.details || {};
      const msg = { syntax_error: "Your code has a syntax error", timeout: "Your code took too long",
        learner_error: "Your code raised an error", crashed: "Your code raised an error",
        setup_error: "Your code raised an error" }[d.status || fb[0]];
      if (msg) return { kind: "wrong", text: T(msg) };
    }
    if (r.correct) return { kind: "correct", text: T("Correct") };
    if ((r.score || 0) > 0) return { kind: "partial", text: T("Partly correct") };
    return { kind: "wrong", text: T("Not quite") };
  }

  function iconText(kind, text, cls) {
    return el("p", { class: "h4s-verdict h4s-verdict--" + kind + (cls ? " " + cls : "") }, [
      el("span", { class: "h4s-icon", "aria-hidden": "true", text: ICON[kind] }),
      el("strong", { text }),
    ]);
  }

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

  // --------------------------------------------------- one question card

  function buildQuestion(q, index, ctx, host) {
    const T = ctx.T;
    const level = ctx.spec.title ? "h4" : "h3";
    const headingId = newId("qh");
    const textId = newId("qt");
    const root = el("div", { class: "h4s-question h4s-type-" + q.type, "data-qid": q.id, "data-type": q.type });
    root.append(el(level, { class: "h4s-qtitle", id: headingId }, [
      el("span", { class: "h4s-qnum", text: T("Question {n}", { n: index + 1 }) }),
      q.title ? el("span", { class: "h4s-qname", text: q.title }) : null,
    ]));
    const inlineText = q.type === "cloze" || q.type === "drag_words";
    if (!inlineText) root.append(el("div", { class: "h4s-qtext", id: textId, html: q.text_html }));

    const marks = [];
    const clearMarks = () => {
      while (marks.length) marks.pop().remove();
      root.querySelectorAll(".h4s-is-ok, .h4s-is-bad").forEach((e) => e.classList.remove("h4s-is-ok", "h4s-is-bad"));
      root.querySelectorAll("[aria-invalid]").forEach((e) => e.removeAttribute("aria-invalid"));
    };
    const mark = (target, ok, after) => marks.push(addMark(target, ok, T, after));
    const vctx = Object.assign({}, ctx, { q, textId, headingId, mark, clearMarks, host, qroot: root });
    const view = (TYPES[q.type] || unknownView)(q, vctx);
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
    const solBtn = el("button", { type: "button", class: "h4s-btn h4s-btn-quiet h4s-sol-btn", hidden: true, "aria-expanded": "false" });
    const solBox = el("div", { class: "h4s-solution", id: newId("sol"), hidden: true });
    solBtn.setAttribute("aria-controls", solBox.id);
    solBtn.textContent = T("Show solution");
    let solWanted = false;
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
    actions.append(solBtn);
    const attemptsEl = el("span", { class: "h4s-attempts" });
    actions.append(attemptsEl);
    if (view.extraActions) view.extraActions.forEach((a) => actions.append(a));
    root.append(actions);

    const status = el("div", { class: "h4s-feedback", role: "status", "aria-live": "polite", "aria-atomic": "false" });
    root.append(status);
    const after = el("div", { class: "h4s-after" });
    root.append(after, solBox);

    function showSolution(html) {
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
      solBtn.hidden = !solAvail;
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

  function isEmpty(r) {
    if (r === null || r === undefined) return true;
    if (typeof r === "string") return r.trim() === "";
    if (Array.isArray(r)) return r.length === 0 || r.every((x) => x === null || (typeof x === "string" && x.trim() === ""));
    if (typeof r === "object") return Object.keys(r).length === 0 || Object.values(r).every((x) => x === null || x === "");
    return false;
  }

  // ---------------------------------------------------------- the types

  function unknownView(q, c) {
    return { body: el("p", { text: q.type }), getResponse: () => null, checkLabel: null };
  }

  function choiceView(q, c) {
    const T = c.T;
    const multiple = q.type === "multiple_response";
    const tf = q.type === "true_false";
    const options = tf ? [{ id: "true", html: T("True") }, { id: "false", html: T("False") }] : q.options;
    const legendId = newId("lg");
    const fs = el("fieldset", { class: "h4s-choices" + (tf ? " h4s-choices--tf" : ""), "aria-labelledby": c.textId + " " + legendId });
    fs.append(el("legend", { id: legendId, class: "h4s-instr", text: multiple ? T("Select all that apply") : T("Choose one answer") }));
    const name = newId("grp");
    const inputs = [];
    for (const o of options) {
      const id = newId("opt");
      const input = el("input", { type: multiple ? "checkbox" : "radio", name, id, value: o.id });
      inputs.push(input);
      fs.append(el("label", { class: "h4s-option", for: id }, [input, el("span", { class: "h4s-option-text", html: o.html })]));
    }
    return {
      body: fs,
      getResponse() {
        if (multiple) return inputs.filter((i) => i.checked).map((i) => i.value);
        const chosen = inputs.find((i) => i.checked);
        if (!chosen) return null;
        return tf ? chosen.value === "true" : chosen.value;
      },
      mark(r) {
        if (multiple || r.correct === null || r.correct === undefined) return;
        const chosen = inputs.find((i) => i.checked);
        if (chosen) c.mark(chosen.closest("label"), !!r.correct, chosen.closest("label").lastChild);
      },
    };
  }

  function gapText(q, c, makeGap) {
    const text = el("div", { class: "h4s-qtext h4s-gaptext", id: c.textId, html: q.text_html });
    const gaps = [];
    text.querySelectorAll(".h4s-gap").forEach((span) => {
      const n = parseInt(span.getAttribute("data-gap"), 10) || gaps.length + 1;
      const g = makeGap(n);
      span.replaceWith(g.node);
      gaps.push(g);
    });
    return { text, gaps };
  }

  function markGaps(r, gaps, c) {
    for (const id of r.feedback || []) {
      const m = /^gap:(\d+):(correct|wrong)$/.exec(id);
      if (m && gaps[+m[1] - 1]) c.mark(gaps[+m[1] - 1].input, m[2] === "correct");
    }
  }

  function clozeView(q, c) {
    const T = c.T;
    const { text, gaps } = gapText(q, c, (n) => {
      const input = el("input", { type: "text", class: "h4s-gap-input", "aria-label": T("Gap {n}", { n }),
        autocomplete: "off", autocapitalize: "off", spellcheck: "false", size: "12" });
      return { node: input, input };
    });
    return {
      body: text,
      getResponse: () => gaps.map((g) => (g.input.value.trim() ? g.input.value : null)),
      mark: (r) => markGaps(r, gaps, c),
    };
  }

  function dragWordsView(q, c) {
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

  function textInputView(q, c, numeric) {
    const T = c.T;
    const id = newId("in");
    const unitId = newId("unit");
    const input = el("input", { type: "text", id, class: "h4s-text-input" + (numeric ? " h4s-num-input" : ""),
      inputmode: numeric ? "decimal" : null, autocomplete: "off", spellcheck: numeric ? "false" : null,
      "aria-describedby": numeric && q.unit ? unitId : null });
    const row = el("div", { class: "h4s-answer-row" }, [
      el("label", { for: id, class: "h4s-label", text: T("Your answer") }),
      el("span", { class: "h4s-input-wrap" }, [input, numeric && q.unit ? el("span", { class: "h4s-unit", id: unitId, text: q.unit }) : null]),
    ]);
    return {
      body: row,
      getResponse: () => (input.value.trim() ? input.value : null),
      validate: numeric ? () => (input.value.trim() && !isNumber(input.value) ? T("That is not a number") : null) : null,
      mark: (r) => {
        if (r.correct === true) c.mark(input, true, input.parentNode.lastChild);
        else if (r.correct === false) c.mark(input, false, input.parentNode.lastChild);
      },
    };
  }

  function matchingView(q, c) {
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

  function orderingView(q, c) {
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

  function codeView(q, c) {
    const T = c.T;
    const id = newId("code");
    const helpId = newId("help");
    const ta = el("textarea", { id, class: "h4s-code", spellcheck: "false", autocapitalize: "off", autocomplete: "off",
      wrap: "off", rows: String(Math.max(6, (q.starter || "").split("\n").length + 2)), "aria-describedby": helpId });
    ta.value = q.starter || "";
    let escaped = false;
    ta.addEventListener("keydown", (e) => {
      if (e.key === "Escape") { escaped = true; return; }
      if (e.key === "Tab" && !e.ctrlKey && !e.altKey && !e.metaKey) {
        if (escaped) { escaped = false; return; } // let the browser move focus
        e.preventDefault();
        indent(ta, e.shiftKey);
        return;
      }
      if (e.key !== "Shift") escaped = false;
    });
    ta.addEventListener("blur", () => { escaped = false; });
    const label = el("label", { for: id, class: "h4s-label", text: T("Your answer") });
    const help = el("p", { class: "h4s-help", id: helpId, text: T("Tab indents. Press Esc, then Tab, to leave the editor.") });
    const isStatic = c.mode === "static";
    const body = [label, ta, help];
    let extraActions = null;
    if (isStatic) {
      const url = liveUrl(c.spec);
      body.push(el("p", { class: "h4s-note" }, [
        el("span", { class: "h4s-icon", "aria-hidden": "true", text: ICON.info }), " ",
        T("This exercise needs Python. Open the interactive version to run your code."),
      ]));
      if (url) extraActions = [el("a", { class: "h4s-btn h4s-btn-link h4s-live-link", href: url, text: T("Open the interactive version") })];
    }
    return {
      body,
      checkLabel: isStatic ? null : T("Run tests"),
      busyLabel: T("Running\u2026"),
      solutionAlways: isStatic,
      extraActions,
      getResponse: () => ta.value,
      statusExtra(st, box) {
        const d = (st.result && st.result.details) || {};
        if (d.message && d.status && d.status !== "ok") box.append(el("pre", { class: "h4s-error", text: d.message }));
        if (d.status === "ok" && Array.isArray(d.tests)) {
          box.append(el("ul", { class: "h4s-tests" }, d.tests.map((t) => {
            const ok = t.status === "passed";
            return el("li", { class: "h4s-test h4s-test--" + (ok ? "ok" : "bad") }, [
              el("span", { class: "h4s-icon", "aria-hidden": "true", text: ok ? ICON.correct : ICON.wrong }),
              el("strong", { text: (ok ? T("Test passed") : T("Test failed")) + ": " }),
              el("span", { text: t.name }),
              !ok && t.message ? el("span", { class: "h4s-test-msg", text: " \u2014 " + t.message }) : null,
            ]);
          })));
        }
      },
    };
  }

  function indent(ta, out) {
    const v = ta.value;
    const s = ta.selectionStart;
    const lineStart = v.lastIndexOf("\n", s - 1) + 1;
    if (out) {
      const m = /^ {1,4}/.exec(v.slice(lineStart));
      if (!m) return;
      ta.setRangeText("", lineStart, lineStart + m[0].length, "preserve");
      ta.selectionStart = ta.selectionEnd = Math.max(lineStart, s - m[0].length);
    } else {
      const sp = "    ".slice((s - lineStart) % 4);
      ta.setRangeText(sp, s, ta.selectionEnd, "end");
    }
    ta.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function essayView(q, c) {
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

  function likertView(q, c) {
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

  function flashcardsView(q, c) {
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

  const TYPES = {
    single_choice: choiceView, multiple_response: choiceView, true_false: choiceView,
    cloze: clozeView, drag_words: dragWordsView,
    numeric: (q, c) => textInputView(q, c, true), short_text: (q, c) => textInputView(q, c, false),
    matching: matchingView, ordering: orderingView, code: codeView, essay: essayView,
    likert: likertView, flashcards: flashcardsView,
  };

  return { createQuiz, learnerId, liveUrl, verdictOf, isEmpty, plain };
})();
