// h4s static records: progress per module and "Download my results", with no server.
// Listens for the bubbling "h4s:graded" event; keeps in localStorage
//   "h4s-progress": {module: {qid: {attempts, score, max, correct, at}}}
//   "h4s-records":  [xAPI statements]   (the last 2000)
// and fills every .h4s-records-slot with a button that saves them as a JSON file
// ({format: "h4s-results", version: 1, statements}) for `h4s records import`.
// The statements are h4s_kit/records/xapi.py's (statement.js).  Part of the runtime's late part (lazy.js):
// runtime.js hands it the "h4s:graded" events and asks it to fill the slots when the page is idle.
import { answeredStatement } from "./statement.js";

const REC = {
  progressKey: "h4s-progress",
  recordsKey: "h4s-records",
  max: 2000,
  memory: {},
};

export function load(key, fallback) {
  try {
    const v = window.localStorage.getItem(key);
    return v ? JSON.parse(v) : fallback;
  } catch (e) {
    return REC.memory[key] || fallback;
  }
}

export function save(key, value) {
  REC.memory[key] = value;
  try { window.localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* private mode: memory only */ }
}

export function uuid4() {
  const c = typeof crypto !== "undefined" ? crypto : null;
  if (c && typeof c.randomUUID === "function") {
    try { return c.randomUUID(); } catch (e) { /* not a secure context */ }
  }
  const b = new Uint8Array(16);
  if (c && c.getRandomValues) c.getRandomValues(b); else for (let i = 0; i < 16; i++) b[i] = Math.floor(Math.random() * 256);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
}

// a quiz's data (its strings, and its questions as the page shows them), parsed once per quiz: the payload does
// not change, and the slot is filled again after every answer
const dataOf = typeof WeakMap === "function" ? new WeakMap() : null;
function quizData(root) {
  const quiz = root && root.closest ? root.closest(".h4s-quiz") : null;
  const data = quiz && quiz.querySelector("script.h4s-data");
  if (!data) return {};
  if (dataOf && dataOf.has(data)) return dataOf.get(data);
  let payload = {};
  try { payload = JSON.parse(data.textContent) || {}; } catch (e) { /* no strings: English */ }
  if (dataOf) dataOf.set(data, payload);
  return payload;
}

function tr(strings, id, vars) {
  let s = strings[id] || id;
  for (const k of Object.keys(vars || {})) s = s.split("{" + k + "}").join(String(vars[k]));
  return s;
}

export function fillSlots() {
  if (typeof document === "undefined") return;
  // progress only: the statements (up to 2000, megabytes of JSON for a busy learner) are read when
  // the learner downloads them, not on every page load and every answer
  const progress = load(REC.progressKey, {});
  let n = 0;
  Object.keys(progress).forEach((m) => { n += Object.keys(progress[m] || {}).length; });
  document.querySelectorAll(".h4s-records-slot").forEach((slot) => {
    const quiz = slot.closest(".h4s-quiz");
    const module = (quiz && quiz.getAttribute("data-h4s-module")) || slot.getAttribute("data-module") || "";
    const strings = quizData(slot).strings || {};
    const T = (id, vars) => tr(strings, id, vars);
    let note = slot.querySelector(".h4s-records-note");
    let btn = slot.querySelector(".h4s-records-download");
    if (!btn) {
      const noteId = "h4s-rec-" + Math.random().toString(36).slice(2, 10);
      note = document.createElement("p");
      note.className = "h4s-records-note";
      note.id = noteId;
      note.setAttribute("aria-live", "polite");
      btn = document.createElement("button");
      btn.type = "button";
      btn.className = "h4s-btn h4s-records-download";
      btn.textContent = T("Download my results");
      btn.setAttribute("aria-describedby", noteId);
      btn.addEventListener("click", download);
      slot.append(btn, note);
    }
    const mods = Object.keys(progress);
    const mine = module && progress[module] ? [module] : mods;
    let answered = 0, right = 0;
    mine.forEach((m) => Object.keys(progress[m] || {}).forEach((qid) => {
      answered += 1;
      if (progress[m][qid].correct) right += 1;
    }));
    btn.disabled = n === 0;
    note.textContent = n === 0
      ? T("Answer a question to save your results in this browser.")
      : T("{n} questions answered, {r} right, saved only in this browser. The file is for your trainer if they ask for it.",
          { n: answered, r: right });
  });
}

function download() {
  const statements = load(REC.recordsKey, []);
  const doc = { format: "h4s-results", version: 1, exported: new Date().toISOString(), statements: statements };
  const blob = new Blob([JSON.stringify(doc, null, 1)], { type: "application/json" });
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = "h4s-results-" + new Date().toISOString().slice(0, 10) + ".json";
  document.body.append(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
}

/** Keep one graded answer ("h4s:graded" detail d, dispatched on the element target): its xAPI statement (the
 * last REC.max) and the module's progress; then the slots again. */
export function onGraded(d, target) {
  if (!d || !d.question) return;
  target = target && target.closest ? target : null;
  const langEl = target && target.closest("[lang]");
  const st = answeredStatement(d, null, (langEl && langEl.getAttribute("lang")) || "en",
    ((quizData(target).spec || {}).questions || []).find((x) => x.id === d.question.id));
  const list = load(REC.recordsKey, []);
  list.push(st);
  save(REC.recordsKey, list.slice(-REC.max));
  const module = d.module || "unknown-module";
  const progress = load(REC.progressKey, {});
  const mod = progress[module] || (progress[module] = {});
  const res = d.result || {};
  const prev = mod[d.question.id] || { attempts: 0, score: 0 };
  mod[d.question.id] = {
    attempts: Math.max(prev.attempts + 1, d.attempt || 1),
    score: Math.max(prev.score || 0, res.score || 0),
    max: res.max_score || 0,
    correct: !!(prev.correct || res.correct === true),
    at: st.timestamp,
  };
  save(REC.progressKey, progress);
  fillSlots();
}
