// h4s static records: progress per module and "Download my results", with no server.
// Listens for the bubbling "h4s:graded" event; keeps in localStorage
//   "h4s-progress": {module: {qid: {attempts, score, max, correct, at}}}
//   "h4s-records":  [xAPI statements]   (the last 2000)
// and fills every .h4s-records-slot with a button that saves them as a JSON file
// ({format: "h4s-results", version: 1, statements}) for `h4s records import`.
// The statements are h4s_kit/records/xapi.py's (answered_statement); the interaction mapping is xapi.js.
import { canonicalJson, interactionComponents, interactionType, responsePattern } from "./xapi.js";

const REC = {
  progressKey: "h4s-progress",
  recordsKey: "h4s-records",
  max: 2000,
  ext: "https://h4s.invalid/xapi/ext/",
  verb: "http://adlnet.gov/expapi/verbs/answered",
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

function xapiBase() {
  const m = typeof document !== "undefined" && document.querySelector('meta[name="h4s-xapi-base"]');
  return ((m && m.content) || "https://h4s.invalid/xapi").replace(/\/+$/, "");
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

function isoDuration(s) {
  if (typeof s !== "number" || !(s >= 0)) return null;
  let cs = Math.round(s * 100);
  const h = Math.floor(cs / 360000); cs -= h * 360000;
  const m = Math.floor(cs / 6000); cs -= m * 6000;
  let out = "PT" + (h ? h + "H" : "") + (m ? m + "M" : "");
  if (cs || out === "PT") out += (cs / 100).toFixed(2).replace(/\.?0+$/, "") + "S";
  return out;
}

// the xAPI statement for one "h4s:graded" detail (see xapi.answered_statement); spec: the question as the
// page shows it (from the quiz's data).  The description is the text the quiz sends (ui.js: the text as shown,
// so cloze and drag-the-words gaps are empty, never their answers).
export function answeredStatement(d, id, lang, spec) {
  const base = xapiBase();
  const q = d.question || {};
  const module = d.module || "unknown-module";
  const res = d.result || {};
  lang = lang || "en";
  const modIri = base + "/modules/" + module;
  const def = Object.assign({ type: "http://adlnet.gov/expapi/activities/cmi.interaction",
    name: { [lang]: String(q.id).slice(0, 200) }, interactionType: interactionType(q.type) },
  interactionComponents(q.type, spec, lang));
  if (q.text) def.description = { [lang]: String(q.text).slice(0, 1000) };
  const result = { response: responsePattern(q.type, d.response, spec), extensions: {} };
  result.extensions[REC.ext + "response-json"] = canonicalJson(d.response === undefined ? null : d.response);
  const raw = res.score, mx = res.max_score;
  if (typeof raw === "number" && typeof mx === "number" && mx) {
    result.score = { raw: raw, min: Math.min(0, raw), max: Math.max(mx, raw),
      scaled: Math.round(Math.max(-1, Math.min(1, raw / mx)) * 10000) / 10000 };
  }
  if (res.correct === true || res.correct === false) result.success = res.correct;
  const dur = isoDuration(d.duration_s);
  if (dur) result.duration = dur;
  const ctxExt = {};
  ctxExt[REC.ext + "module"] = module;
  ctxExt[REC.ext + "question"] = q.id;
  ctxExt[REC.ext + "question-type"] = q.type;
  ctxExt[REC.ext + "attempt"] = d.attempt || 1;
  return {
    id: id || uuid4(),
    actor: { objectType: "Agent", account: { homePage: base, name: String(d.learner || "anonymous") } },
    verb: { id: REC.verb, display: { "en-US": "answered" } },
    object: { objectType: "Activity", id: modIri + "/questions/" + q.id, definition: def },
    result: result,
    context: {
      contextActivities: { parent: [{ objectType: "Activity", id: modIri,
        definition: { type: "http://adlnet.gov/expapi/activities/module", name: { en: module } } }] },
      platform: "h4s", language: lang, extensions: ctxExt,
    },
    timestamp: new Date(Math.floor((d.timestamp || Date.now() / 1000) * 1000)).toISOString(),
    version: "1.0.3",
  };
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

function fillSlots() {
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

function onGraded(ev) {
  const d = ev && ev.detail;
  if (!d || !d.question) return;
  const target = ev.target && ev.target.closest ? ev.target : null;
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

/** Listen for answers and fill the records slots (once per page). */
export function startRecords() {
  if (typeof document === "undefined" || typeof window === "undefined") return;
  document.addEventListener("h4s:graded", onGraded);
  // the quizzes are mounted by runtime.js after this starts: fill the slots once they exist, when
  // the page is idle (a timer set now ran before the first frame, and the first localStorage read of a
  // page takes milliseconds); Safari has no requestIdleCallback
  const later = () => (typeof window.requestIdleCallback === "function"
    ? window.requestIdleCallback(() => fillSlots(), { timeout: 1000 }) : setTimeout(fillSlots, 50));
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", later);
  else later();
}
