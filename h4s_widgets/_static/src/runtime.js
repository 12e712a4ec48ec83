// h4s static runtime: pages without a kernel (Jupyter Book, nbconvert, SCORM, h4s serve).
// Mounts every <div class="h4s-quiz" data-h4s-static> once, grades in the browser with the types' graders
// (or asks h4s serve when the page has payload.server), applies the session rule (session.js) and keeps
// the state in the page.  window.__h4sRuntime.scan() mounts quizzes added later; it is idempotent.
//
// The question types come as chunks (dist/types/<type>.js, scripts/build_js.mjs) that run before this
// script: each pushes a factory onto self.__h4sT; the factory gets KIT (the modules the chunks share
// with this script) and returns the type's module.  A chunk that runs later registers at once.
import * as text from "./grader/text.js";
import * as dom from "./ui/dom.js";
import { deobfuscate } from "./grader/sha256.js";
import { grade } from "./grader/grade.js";
import { outboxAdd, outboxFlush } from "./outbox.js";
import { startRecords, uuid4 } from "./records.js";
import { TYPES, addType } from "./registry.js";
import { sessionStep } from "./session.js";
import { createQuiz } from "./ui/quiz.js";

function fail(root, err) {
  console.error("h4s: could not show this quiz", err);
  const p = document.createElement("p");
  p.className = "h4s-load-error";
  p.textContent = "This quiz could not be shown (" + (err && err.message ? err.message : String(err)) + ").";
  root.append(p);
}

function unveil(entry, key, qid) {
  if (!entry || !entry.sol) return null;
  return deobfuscate(entry.sol, key.salt !== undefined ? key.salt : entry.salt, qid);
}

// the session rule of a question on a static page (_session.rule_of): a code exercise cannot run here
const ruleOf = (q, entry) => ({
  max_attempts: q.max_attempts ?? null,
  show_solution_after: q.show_solution_after ?? null,
  example_answer: q.type === "essay" && !!entry.sol,
  solution_always: q.type === "code",
});

const parsed = new WeakMap();
const OOPS = "Something went wrong. Please try again.";

/** Mount one quiz; one whose types' chunks have not all run yet waits (scan() again when they do), unless
 * `force` (the page has loaded: a type without a chunk shows as unknown). */
function mount(root, force) {
  if (root.hasAttribute("data-h4s-mounted")) return false;
  let payload = parsed.get(root);
  if (!payload) {
    const dataEl = root.querySelector("script.h4s-data");
    try {
      payload = JSON.parse(dataEl ? dataEl.textContent : "null");
      if (!payload || !payload.spec) throw new Error("no quiz data");
    } catch (err) {
      root.setAttribute("data-h4s-mounted", "");
      fail(root, err);
      return true;
    }
    parsed.set(root, payload);
  }
  if (!force && payload.spec.questions.some((q) => !TYPES[q.type])) return false;
  root.setAttribute("data-h4s-mounted", "");
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

  function answered(qid, response, out) {
    const st = Object.assign({ attempts: 0 }, state[qid] || {});
    delete st.error;
    const counted = out.attempts > st.attempts;
    setQ(qid, Object.assign(st, out, counted ? { response } : {}));
  }

  async function onServerCheck(qid, response) {
    const st = Object.assign({ attempts: 0 }, state[qid] || {});
    const answerId = uuid4();   // the server stores this answer once, however often it is sent (outbox.js)
    let out;
    try {
      out = await ask("check", { qid, response, answer_id: answerId });
    } catch (err) {
      let error = err.message;   // the server's own sentence (429, 503 ...)
      if (err.name == "TypeError") {   // the server cannot be reached: keep the answer, send it when back online
        outboxAdd(payload.server + "/check", { module: spec.module, qid, response, answer_id: answerId },
          (o) => answered(qid, response, o.result ? o : { error: o.error || OOPS }));
        error = "Saved on this device; it will be checked when you are back online";
      }
      return setQ(qid, Object.assign(st, { error: error || OOPS }));
    }
    answered(qid, response, out);
  }

  async function onCheck(qid, response) {
    if (payload.server) return onServerCheck(qid, response);
    const q = byId[qid];
    const entry = entries[qid];
    if (!q || !entry || !entry.key) return;
    const st = Object.assign({ attempts: 0 }, state[qid] || {});
    const rule = ruleOf(q, entry);
    if (sessionStep(rule, st.attempts, "check").refused) return;
    let result;
    try {
      // graded a microtask later, as the server's answer would come: a second press in the same task finds
      // the question still waiting (ui/question.js) and spends no attempt
      result = Object.assign({}, await Promise.resolve(grade(entry.key, response)));
    } catch (err) {
      console.error("h4s: grading failed", err);
      return;
    }
    const fbIds = result.feedback || [];
    const step = sessionStep(rule, st.attempts, "check", fbIds);
    if (!step.counted) {
      // not an attempt: nothing was answered
      setQ(qid, Object.assign({}, st, { result, messages: [], general: null }));
      return;
    }
    const fb = entry.fb || {};
    st.attempts = step.attempts;
    st.result = result;
    st.response = response;
    st.messages = fbIds.filter((id) => fb[id]).map((id) => fb[id]);
    st.general = fb.general || null;
    if (step.solution_available) st.solution_available = true;
    if (step.send_solution) {
      try { st.solution = unveil(entry, entry.key, qid); } catch (err) { /* no model answer */ }
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
    if (!q || !entry || !entry.sol || sessionStep(ruleOf(q, entry), st.attempts || 0, "solution").refused) return;
    try {
      st.solution = unveil(entry, entry.key || {}, qid);
    } catch (err) {
      console.error("h4s: no solution", err);
      return;
    }
    setQ(qid, st);
  }

  try {
    quiz = createQuiz(root, {
      spec, strings: payload.strings || {}, mode: "static", initialState: state,
      onCheck, onSolution,
      onReset() { state = {}; quiz.update(state); },
      // h4s serve decides a pool's draw (h4s_kit/quiz_api.py): {ids} of this learner's attempt, a new one on Reset
      draw: payload.server && spec.draw ? (fresh) => ask("draw", { bank: spec.draw.bank, new: !!fresh }).then((o) => o.ids) : undefined,
    });
  } catch (err) {
    fail(root, err);
  }
  return true;
}

function scan(scope, force) {
  const where = scope && scope.querySelectorAll ? scope : document;
  const t0 = typeof performance !== "undefined" ? performance.now() : 0;
  let n = 0;
  where.querySelectorAll(".h4s-quiz[data-h4s-static]:not([data-h4s-mounted])").forEach((root) => {
    if (mount(root, force)) n += 1;
  });
  // bench/static_page.py reads this: how long mounting took, in the page's own clock
  if (n && typeof performance !== "undefined" && performance.measure) {
    try { performance.measure("h4s:mount", { start: t0, end: performance.now() }); } catch (err) { /* old browser */ }
  }
}

/** the modules a type chunk may import from the runtime instead of carrying its own copy */
export const KIT = { "grader/text": text, "ui/dom": dom };

if (typeof window !== "undefined" && typeof document !== "undefined") {
  if (window.__h4sRuntime) {
    window.__h4sRuntime.scan();   // a second copy of the runtime on the page: its chunks registered already
  } else {
    const add = (factory) => addType(factory(KIT));
    (window.__h4sT || []).forEach(add);
    // a chunk that runs after this script (a book page loads them async) mounts the quizzes that waited for it
    window.__h4sT = { push(factory) { add(factory); scan(); } };
    window.__h4sRuntime = { scan, mount };
    startRecords();
    window.addEventListener("online", outboxFlush);   // answers kept on this device while offline
    outboxFlush();
    scan();
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => scan());
    if (document.readyState !== "complete") window.addEventListener("load", () => scan(document, true));
    else scan(document, true);
  }
}
