// The host of a static page's quizzes once a learner acts (part of the runtime's late part, lazy.js): grading
// in the page with the types' graders and the session rule (session.js), solutions, and grading by h4s serve
// (payload.server) with the offline outbox.  `h` is the quiz's host record made by runtime.js's mount:
// {payload, spec, entries: {qid: static entry}, byId: {qid: question}, state(): the state, set(qid, st)}.
import { deobfuscate } from "./grader/sha256.js";
import { grade } from "./grader/grade.js";
import { outboxAdd } from "./outbox.js";
import { uuid4 } from "./records.js";
import { sessionStep } from "./session.js";

export const OOPS = "Something went wrong. Please try again.";

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

// h4s serve strips every key from the page and sets payload.server: the
// server grades (h4s_kit/quiz_api.py) and answers {attempts, result, messages, ...}
export async function ask(h, action, body) {
  const r = await fetch(h.payload.server + "/" + action, {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify(Object.assign({ module: h.spec.module }, body)), // the learner is the server's cookie
  });
  const out = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(out.error || "");
  return out;
}

function answered(h, qid, response, out) {
  const st = Object.assign({ attempts: 0 }, h.state()[qid] || {});
  delete st.error;
  const counted = out.attempts > st.attempts;
  h.set(qid, Object.assign(st, out, counted ? { response } : {}));
}

async function serverCheck(h, qid, response) {
  const st = Object.assign({ attempts: 0 }, h.state()[qid] || {});
  const answerId = uuid4();   // the server stores this answer once, however often it is sent (outbox.js)
  let out;
  try {
    out = await ask(h, "check", { qid, response, answer_id: answerId });
  } catch (err) {
    let error = err.message;   // the server's own sentence (429, 503 ...)
    if (err.name == "TypeError") {   // the server cannot be reached: keep the answer, send it when back online
      outboxAdd(h.payload.server + "/check", { module: h.spec.module, qid, response, answer_id: answerId },
        (o) => answered(h, qid, response, o.result ? o : { error: o.error || OOPS }));
      error = "Saved on this device; it will be checked when you are back online";
    }
    return h.set(qid, Object.assign(st, { error: error || OOPS }));
  }
  answered(h, qid, response, out);
}

export async function check(h, qid, response) {
  if (h.payload.server) return serverCheck(h, qid, response);
  const q = h.byId[qid];
  const entry = h.entries[qid];
  if (!q || !entry || !entry.key) return;
  const st = Object.assign({ attempts: 0 }, h.state()[qid] || {});
  delete st.error;
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
    h.set(qid, Object.assign({}, st, { result, messages: [], general: null }));
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
  h.set(qid, st);
}

export async function solution(h, qid) {
  if (h.payload.server) {
    try {
      const out = await ask(h, "solution", { qid });
      h.set(qid, Object.assign({}, h.state()[qid] || {}, { solution: out.solution }));
    } catch (err) {
      console.error("h4s: no solution", err);
    }
    return;
  }
  const q = h.byId[qid];
  const entry = h.entries[qid];
  const st = Object.assign({}, h.state()[qid] || {});
  if (!q || !entry || !entry.sol || sessionStep(ruleOf(q, entry), st.attempts || 0, "solution").refused) return;
  try {
    st.solution = unveil(entry, entry.key || {}, qid);
  } catch (err) {
    console.error("h4s: no solution", err);
    return;
  }
  h.set(qid, st);
}
