// h4s static records: progress per module and "Download my results", with no server.
// Part of the static runtime (classic script body between ui.js and static.js: no imports).
// Listens for the bubbling "h4s:graded" event; keeps in localStorage
//   "h4s-progress": {module: {qid: {attempts, score, max, correct, at}}}
//   "h4s-records":  [xAPI statements]   (the last 2000)
// and fills every .h4s-records-slot with a button that saves them as a JSON file
// ({format: "h4s-results", version: 1, statements}) for `h4s records import`.
// The statements follow h4s_kit/records/xapi.py; keep the two in step.

const H4S_REC = {
  progressKey: "h4s-progress",
  recordsKey: "h4s-records",
  max: 2000,
  ext: "https://h4s.invalid/xapi/ext/",
  verb: "http://adlnet.gov/expapi/verbs/answered",
  types: {
    single_choice: "choice", multiple_response: "choice", true_false: "true-false", cloze: "fill-in",
    drag_words: "fill-in", short_text: "fill-in", essay: "long-fill-in", matching: "matching",
    ordering: "sequencing", numeric: "numeric", likert: "matching", code: "other", flashcards: "other",
  },
  memory: {},
};

function h4sRecLoad(key, fallback) {
  try {
    const v = window.localStorage.getItem(key);
    return v ? JSON.parse(v) : fallback;
  } catch (e) {
    return H4S_REC.memory[key] || fallback;
  }
}

function h4sRecSave(key, value) {
  H4S_REC.memory[key] = value;
  try { window.localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* private mode: memory only */ }
}

function h4sRecBase() {
  const m = typeof document !== "undefined" && document.querySelector('meta[name="h4s-xapi-base"]');
  return ((m && m.content) || "https://h4s.invalid/xapi").replace(/\/+$/, "");
}

function h4sRecUuid() {
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

// compact JSON with sorted keys: the same bytes as Python's canonical_json
function h4sRecJson(v) {
  if (Array.isArray(v)) return "[" + v.map((x) => (x === undefined ? "null" : h4sRecJson(x))).join(",") + "]";
  if (v && typeof v === "object") {
    return "{" + Object.keys(v).sort().filter((k) => v[k] !== undefined)
      .map((k) => JSON.stringify(k) + ":" + h4sRecJson(v[k])).join(",") + "}";
  }
  return v === undefined ? "null" : JSON.stringify(v);
}

function h4sRecDuration(s) {
  if (typeof s !== "number" || !(s >= 0)) return null;
  let cs = Math.round(s * 100);
  const h = Math.floor(cs / 360000); cs -= h * 360000;
  const m = Math.floor(cs / 6000); cs -= m * 6000;
  let out = "PT" + (h ? h + "H" : "") + (m ? m + "M" : "");
  if (cs || out === "PT") out += (cs / 100).toFixed(2).replace(/\.?0+$/, "") + "S";
  return out;
}

// text of an option's HTML: tags dropped, spaces collapsed (as xapi.plain; entities such as &amp; stay)
function h4sRecPlain(html) {
  return html.replace(/<[^>]*>/g, "").replace(/\s+/g, " ").trim();
}

// interactionType and components (choices / source and target) as the page shows them: ids and texts, never
// which is right.  A Likert question (statements on one scale) is a matching of statements to scale points.
function h4sRecDefinition(def, type, spec, lang) {
  def.interactionType = H4S_REC.types[type] || "other";
  spec = spec || {};
  const c = (id, t) => ({ id: id, description: { [lang]: t } });
  const list = (a) => a.map((o) => c(o.id, h4sRecPlain(o.html)));
  const choices = spec.options || spec.items, source = spec.lefts || spec.statements;
  if (choices) def.choices = list(choices);
  if (source) {
    def.source = list(source);
    def.target = (spec.rights || spec.scale).map((t, k) => c("" + (k + 1), t));   // right-hand items or scale points
  }
  return def;
}

// the response in the interaction's pattern: ids for matching ("source[.]target") and likert, a number for numeric
function h4sRecPattern(type, r, spec) {
  const s = (x) => (x === null || x === undefined ? "" : String(x));
  if (r === null || r === undefined) return "";
  if (type === "numeric") return s(parseNumber(r));   // grader.js (before this file in the runtime)
  if (type === "true_false") return r === true ? "true" : r === false ? "false" : s(r);
  if (Array.isArray(r) && ["multiple_response", "cloze", "drag_words", "ordering"].indexOf(type) >= 0) return r.map(s).join("[,]");
  if (typeof r === "object" && (type === "matching" || type === "likert")) {
    const rights = (spec && spec.rights) || [];
    return Object.keys(r).map((k) => [k, type === "likert" ? r[k] : rights.indexOf(r[k]) + 1]).filter((p) => p[1] > 0)
      .map((p) => p.join("[.]")).join("[,]");
  }
  return typeof r === "object" ? h4sRecJson(r) : s(r);
}

// the xAPI statement for one "h4s:graded" detail (see xapi.answered_statement); spec: the question as the
// page shows it (from the quiz's data).  The description is the text the quiz sends (ui.js: the text as shown,
// so cloze and drag-the-words gaps are empty, never their answers).
function h4sRecStatement(d, id, lang, spec) {
  const base = h4sRecBase();
  const q = d.question || {};
  const module = d.module || "unknown-module";
  const res = d.result || {};
  lang = lang || "en";
  const modIri = base + "/modules/" + module;
  const def = h4sRecDefinition({ type: "http://adlnet.gov/expapi/activities/cmi.interaction",
    name: { [lang]: String(q.id).slice(0, 200) } }, q.type, spec, lang);
  if (q.text) def.description = { [lang]: String(q.text).slice(0, 1000) };
  const result = { response: h4sRecPattern(q.type, d.response, spec), extensions: {} };
  result.extensions[H4S_REC.ext + "response-json"] = h4sRecJson(d.response === undefined ? null : d.response);
  const raw = res.score, mx = res.max_score;
  if (typeof raw === "number" && typeof mx === "number" && mx) {
    result.score = { raw: raw, min: Math.min(0, raw), max: Math.max(mx, raw),
      scaled: Math.round(Math.max(-1, Math.min(1, raw / mx)) * 10000) / 10000 };
  }
  if (res.correct === true || res.correct === false) result.success = res.correct;
  const dur = h4sRecDuration(d.duration_s);
  if (dur) result.duration = dur;
  const ctxExt = {};
  ctxExt[H4S_REC.ext + "module"] = module;
  ctxExt[H4S_REC.ext + "question"] = q.id;
  ctxExt[H4S_REC.ext + "question-type"] = q.type;
  ctxExt[H4S_REC.ext + "attempt"] = d.attempt || 1;
  return {
    id: id || h4sRecUuid(),
    actor: { objectType: "Agent", account: { homePage: base, name: String(d.learner || "anonymous") } },
    verb: { id: H4S_REC.verb, display: { "en-US": "answered" } },
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
const h4sRecDataOf = typeof WeakMap === "function" ? new WeakMap() : null;
function h4sRecData(root) {
  const quiz = root && root.closest ? root.closest(".h4s-quiz") : null;
  const data = quiz && quiz.querySelector("script.h4s-data");
  if (!data) return {};
  if (h4sRecDataOf && h4sRecDataOf.has(data)) return h4sRecDataOf.get(data);
  let payload = {};
  try { payload = JSON.parse(data.textContent) || {}; } catch (e) { /* no strings: English */ }
  if (h4sRecDataOf) h4sRecDataOf.set(data, payload);
  return payload;
}

function h4sRecT(strings, id, vars) {
  let s = strings[id] || id;
  for (const k of Object.keys(vars || {})) s = s.split("{" + k + "}").join(String(vars[k]));
  return s;
}

function h4sRecFill() {
  if (typeof document === "undefined") return;
  // progress only: the statements (up to 2000, megabytes of JSON for a busy learner) are read when
  // the learner downloads them, not on every page load and every answer
  const progress = h4sRecLoad(H4S_REC.progressKey, {});
  let n = 0;
  Object.keys(progress).forEach((m) => { n += Object.keys(progress[m] || {}).length; });
  document.querySelectorAll(".h4s-records-slot").forEach((slot) => {
    const quiz = slot.closest(".h4s-quiz");
    const module = (quiz && quiz.getAttribute("data-h4s-module")) || slot.getAttribute("data-module") || "";
    const strings = h4sRecData(slot).strings || {};
    const T = (id, vars) => h4sRecT(strings, id, vars);
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
      btn.addEventListener("click", h4sRecDownload);
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

function h4sRecDownload() {
  const statements = h4sRecLoad(H4S_REC.recordsKey, []);
  const doc = { format: "h4s-results", version: 1, exported: new Date().toISOString(), statements: statements };
  const blob = new Blob([JSON.stringify(doc, null, 1)], { type: "application/json" });
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = "h4s-results-" + new Date().toISOString().slice(0, 10) + ".json";
  document.body.append(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
}

function h4sRecOnGraded(ev) {
  const d = ev && ev.detail;
  if (!d || !d.question) return;
  const target = ev.target && ev.target.closest ? ev.target : null;
  const langEl = target && target.closest("[lang]");
  const st = h4sRecStatement(d, null, (langEl && langEl.getAttribute("lang")) || "en",
    ((h4sRecData(target).spec || {}).questions || []).find((x) => x.id === d.question.id));
  const list = h4sRecLoad(H4S_REC.recordsKey, []);
  list.push(st);
  h4sRecSave(H4S_REC.recordsKey, list.slice(-H4S_REC.max));
  const module = d.module || "unknown-module";
  const progress = h4sRecLoad(H4S_REC.progressKey, {});
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
  h4sRecSave(H4S_REC.progressKey, progress);
  h4sRecFill();
}

if (typeof document !== "undefined" && typeof window !== "undefined") {
  document.addEventListener("h4s:graded", h4sRecOnGraded);
  // the quizzes are mounted by static.js after this file runs: fill the slots once they exist, when
  // the page is idle (a timer set now ran before the first frame, and the first localStorage read of a
  // page takes milliseconds); Safari has no requestIdleCallback
  const later = () => (typeof window.requestIdleCallback === "function"
    ? window.requestIdleCallback(() => h4sRecFill(), { timeout: 1000 }) : setTimeout(h4sRecFill, 50));
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", later);
  else later();
}
