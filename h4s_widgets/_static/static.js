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
    let state = {};
    let quiz = null;
    const setQ = (qid, st) => {
      state = Object.assign({}, state);
      state[qid] = st;
      quiz.update(state);
    };

    async function onCheck(qid, response) {
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
        spec, strings: payload.strings || {}, mode: "static",
        onCheck, onSolution,
        onReset() { state = {}; quiz.update(state); },
      });
    } catch (err) {
      fail(root, err);
    }
  }

  function scan(scope) {
    const where = scope && scope.querySelectorAll ? scope : document;
    where.querySelectorAll(".h4s-quiz[data-h4s-static]").forEach((root) => {
      if (!root.hasAttribute("data-h4s-mounted")) mount(root);
    });
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
