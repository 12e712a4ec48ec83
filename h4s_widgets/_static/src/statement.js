// The xAPI statement of one answer on a static page: h4s_kit/records/xapi.py's answered_statement, with the
// interaction mapping of xapi.js (records.js keeps it; tests/test_records_xapi.py runs it against Python).
import { uuid4 } from "./records.js";
import { canonicalJson, interactionComponents, interactionType, responsePattern } from "./xapi.js";

const EXT = "https://h4s.invalid/xapi/ext/";

function xapiBase() {
  const m = typeof document !== "undefined" && document.querySelector('meta[name="h4s-xapi-base"]');
  return ((m && m.content) || "https://h4s.invalid/xapi").replace(/\/+$/, "");
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
  result.extensions[EXT + "response-json"] = canonicalJson(d.response === undefined ? null : d.response);
  const raw = res.score, mx = res.max_score;
  if (typeof raw === "number" && typeof mx === "number" && mx) {
    result.score = { raw: raw, min: Math.min(0, raw), max: Math.max(mx, raw),
      scaled: Math.round(Math.max(-1, Math.min(1, raw / mx)) * 10000) / 10000 };
  }
  if (res.correct === true || res.correct === false) result.success = res.correct;
  const dur = isoDuration(d.duration_s);
  if (dur) result.duration = dur;
  const ctxExt = {};
  ctxExt[EXT + "module"] = module;
  ctxExt[EXT + "question"] = q.id;
  ctxExt[EXT + "question-type"] = q.type;
  ctxExt[EXT + "attempt"] = d.attempt || 1;
  return {
    id: id || uuid4(),
    actor: { objectType: "Agent", account: { homePage: base, name: String(d.learner || "anonymous") } },
    verb: { id: "http://adlnet.gov/expapi/verbs/answered", display: { "en-US": "answered" } },
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
