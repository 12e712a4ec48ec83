// h4s static entry point: pages without a kernel (Jupyter Book, nbconvert, SCORM).
// Mounts every <div class="h4s-quiz" data-h4s-static> once, grades with
// grader.js in the browser, and keeps the state in the page.
// window.__h4sRuntime.scan() mounts quizzes added later; it is idempotent.
import { grade, deobfuscate } from "./grader.js";
import { h4sUI } from "./ui.js";

const h4sStatic = (function () {
  "use strict";

  function fail(root, err) {
    console.error("h4s: could not show this quiz", err);
    const p = document.createElement("p");
    p.className = "h4s-load-error";
    p.textContent = "This quiz could not be shown (" + (err && err.message ? err.message : String(err)) + ").";
    root.append(p);
  }

  async function unveil(entry, key, qid) {
    if (!entry || !entry.sol) return null;
    const salt = key.salt !== undefined ? key.salt : entry.salt;
    return await Promise.resolve(deobfuscate(entry.sol, salt, qid));
  }

  function mount(root) {
    if (root.hasAttribute("data-h4s-mounted")) return;
    root.setAttribute("data-h4s-mounted", "");
    const dataEl = root.querySelector("script.h4s-data");
    let payload;
    try {
      payload = JSON.parse(dataEl ? dataEl.textContent : "null");
      if (!payload || !payload.spec) throw new Error("no quiz data");
    } catch (err) {
      fail(root, err);
      return;
    }
    const spec = payload.spec;
    const entries = {};
    spec.questions.forEach((q, i) => { entries[q.id] = (payload.static || [])[i] || {}; });
    const byId = {};
    spec.questions.forEach((q) => { byId[q.id] = q; });
    // a host page (e.g. the SCORM runtime) may hand back earlier answers: {qid: {attempts, result, response}}
    let state = {};
    if (typeof window !== "undefined" && typeof window.__h4sInitialState === "function") {
      try {
        const given = window.__h4sInitialState(spec) || {};
        Object.keys(given).forEach((qid) => {
          const st = Object.assign({}, given[qid]);
          const fb = (entries[qid] && entries[qid].fb) || {};
          const ids = (st.result && st.result.feedback) || [];
          if (!st.messages) st.messages = ids.filter((id) => fb[id]).map((id) => fb[id]);
          if (st.general === undefined && st.result) st.general = fb.general || null;
          if (byId[qid]) state[qid] = st;
        });
      } catch (err) {
        console.error("h4s: could not restore earlier answers", err);
      }
    }
    let quiz = null;
    const setQ = (qid, st) => {
      state = Object.assign({}, state);
      state[qid] = st;
      quiz.update(state);
    };

    // h4s serve strips every key from the page and sets payload.server: the
    // server grades (h4s_kit/quiz_api.py) and answers {attempts, result, messages, ...}
    async function ask(action, body) {
      const r = await fetch(payload.server + "/" + action, {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify(Object.assign({ module: spec.module }, body)), // the learner is the server's cookie
      });
      const out = await r.json().catch(() => ({}));
      if (!r.ok) throw new Error(out.error || "");
      return out;
    }

    async function onServerCheck(qid, response) {
      const st = Object.assign({ attempts: 0 }, state[qid] || {});
      let out;
      try {
        out = await ask("check", { qid, response });
      } catch (err) {
        // the server's own sentence (429, 503 ...), or ours (translated by ui.js) when the network failed
        return setQ(qid, Object.assign(st, { error: (err.name === "Error" && err.message) || "Something went wrong. Please try again." }));
      }
      delete st.error;
      const counted = out.attempts > st.attempts;
      setQ(qid, Object.assign(st, out, counted ? { response } : {}));
    }

    async function onCheck(qid, response) {
      if (payload.server) return onServerCheck(qid, response);
      const q = byId[qid];
      const entry = entries[qid];
      if (!q || !entry || !entry.key) return;
      const st = Object.assign({ attempts: 0 }, state[qid] || {});
      if (q.max_attempts && st.attempts >= q.max_attempts) return;
      let result;
      try {
        result = await Promise.resolve(grade(entry.key, response));
      } catch (err) {
        console.error("h4s: grading failed", err);
        return;
      }
      result = Object.assign({}, result);
      if (result.max_score === undefined && result.maxScore !== undefined) result.max_score = result.maxScore;
      const fbIds = result.feedback || [];
      const fb = entry.fb || {};
      if (fbIds.indexOf("empty") >= 0 || fbIds.indexOf("invalid") >= 0) {
        // not an attempt: nothing was answered
        setQ(qid, Object.assign({}, st, { result, messages: [], general: null }));
        return;
      }
      st.attempts += 1;
      st.result = result;
      st.response = response;
      st.messages = fbIds.filter((id) => fb[id]).map((id) => fb[id]);
      st.general = fb.general || null;
      if (q.show_solution_after && st.attempts >= q.show_solution_after) st.solution_available = true;
      if (q.type === "essay" && entry.sol) {
        try { st.solution = await unveil(entry, entry.key, qid); } catch (err) { /* no model answer */ }
      }
      setQ(qid, st);
    }

    async function onSolution(qid) {
      if (payload.server) {
        try {
          const out = await ask("solution", { qid });
          setQ(qid, Object.assign({}, state[qid] || {}, { solution: out.solution }));
        } catch (err) {
          console.error("h4s: no solution", err);
        }
        return;
      }
      const q = byId[qid];
      const entry = entries[qid];
      const st = Object.assign({}, state[qid] || {});
      const allowed = q && (q.type === "code" || st.solution_available);
      if (!allowed || !entry || !entry.sol) return;
      try {
        st.solution = await unveil(entry, entry.key || {}, qid);
      } catch (err) {
        console.error("h4s: no solution", err);
        return;
      }
      setQ(qid, st);
    }

    try {
      quiz = h4sUI.createQuiz(root, {
        spec, strings: payload.strings || {}, mode: "static", initialState: state,
        onCheck, onSolution,
        onReset() { state = {}; quiz.update(state); },
      });
    } catch (err) {
      fail(root, err);
    }
  }

  function scan(scope) {
    const where = scope && scope.querySelectorAll ? scope : document;
    const t0 = typeof performance !== "undefined" ? performance.now() : 0;
    let n = 0;
    where.querySelectorAll(".h4s-quiz[data-h4s-static]").forEach((root) => {
      if (!root.hasAttribute("data-h4s-mounted")) { mount(root); n += 1; }
    });
    // bench/static_page.py reads this: how long mounting took, in the page's own clock
    if (n && typeof performance !== "undefined" && performance.measure) {
      try { performance.measure("h4s:mount", { start: t0, end: performance.now() }); } catch (err) { /* old browser */ }
    }
  }

  return { scan, mount };
})();

if (typeof window !== "undefined" && typeof document !== "undefined") {
  window.__h4sRuntime = Object.assign(window.__h4sRuntime || {}, { scan: h4sStatic.scan, mount: h4sStatic.mount });
  h4sStatic.scan();
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", () => h4sStatic.scan());
  }
}
