// h4s static runtime: pages without a kernel (Jupyter Book, nbconvert, SCORM, h4s serve).
// Mounts every <div class="h4s-quiz" data-h4s-static> once, grades in the browser with the types' graders
// (or asks h4s serve when the page has payload.server), applies the session rule (session.js) and keeps
// the state in the page.  window.__h4sRuntime.scan() mounts quizzes added later; it is idempotent.
//
// The question types come as chunks (dist/types/<type>.js, scripts/build_js.mjs) that run before this
// script: each pushes a factory onto self.__h4sT; the factory gets KIT (the modules the chunks share
// with this script) and returns the type's module.  A chunk that runs later registers at once.
// What a learner's answer needs (grading, solutions, h4s serve, records) is the late part (lazy_ref.js),
// run when the page is idle or at the first answer: this script only shows the quizzes.
import * as text from "./grader/text.js";
import { needLazy, setKit } from "./lazy_ref.js";
import * as registry from "./registry.js";
import * as dom from "./ui/dom.js";
import { createQuiz, localDraw } from "./ui/quiz.js";

const { TYPES, addType } = registry;

function fail(root, err) {
  console.error("h4s: could not show this quiz", err);
  const p = document.createElement("p");
  p.className = "h4s-load-error";
  p.textContent = "This quiz could not be shown (" + (err && err.message ? err.message : String(err)) + ").";
  root.append(p);
}

const parsed = new WeakMap();

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
  // the host record the late part acts on (static_host.js)
  const h = {
    payload, spec, entries, byId,
    state: () => state,
    set(qid, st) {
      state = Object.assign({}, state);
      state[qid] = st;
      quiz.update(state);
    },
  };
  const late = (fn) => (qid, ...args) => needLazy().then((L) => L[fn](h, qid, ...args), (err) => {
    console.error("h4s: the quiz cannot answer here", err);
    h.set(qid, Object.assign({}, state[qid] || {}, { error: "Something went wrong. Please try again." }));
  });
  try {
    quiz = createQuiz(root, {
      spec, strings: payload.strings || {}, mode: "static", initialState: state,
      onCheck: late("check"), onSolution: late("solution"),
      onReset() { state = {}; quiz.update(state); },
      // a pool's draw: h4s serve decides it (h4s_kit/quiz_api.py: {ids} of this learner's attempt, a new one on
      // Reset); otherwise the page's own, with the late part's SHA-256
      draw: spec.draw && ((fresh) => needLazy().then((L) => (payload.server
        ? L.ask(h, "draw", { bank: spec.draw.bank, new: !!fresh }).then((o) => o.ids) : localDraw(spec, fresh)))),
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
export const KIT = { "grader/text": text, "ui/dom": dom, registry };

if (typeof window !== "undefined" && typeof document !== "undefined") {
  if (window.__h4sRuntime) {
    window.__h4sRuntime.scan();   // a second copy of the runtime on the page: its chunks registered already
  } else {
    const add = (factory) => addType(factory(KIT));
    (window.__h4sT || []).forEach(add);
    // a chunk that runs after this script (a book page loads them async) mounts the quizzes that waited for it
    window.__h4sT = { push(factory) { add(factory); scan(); } };
    window.__h4sRuntime = { scan, mount };
    setKit(KIT);
    const idle = (f) => (window.requestIdleCallback ? requestIdleCallback(f, { timeout: 1000 }) : setTimeout(f, 50));
    const late = (f) => () => needLazy().then(f, (err) => console.error("h4s:", err));
    // records (records.js): every answer of the page; the slots, and answers kept offline (outbox.js) sent
    // again, once the quizzes are mounted and the page is idle (the first localStorage read takes milliseconds)
    document.addEventListener("h4s:graded", (ev) => late((L) => L.onGraded(ev.detail, ev.target))());
    window.addEventListener("online", late((L) => L.outboxFlush(true)));
    const later = () => idle(late((L) => { L.fillSlots(); L.outboxFlush(); }));
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", later);
    else later();
    scan();
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => scan());
    if (document.readyState !== "complete") window.addEventListener("load", () => scan(document, true));
    else scan(document, true);
  }
}
