// h4s SCORM runtime (SCORM 1.2 and 2004), written for h4s; built into h4s_kit/assets/scorm/h4s-scorm.js.
/*
 *
 * - finds the LMS API the way the SCORM run-time environment describes: window.API (1.2) or
 *   window.API_1484_11 (2004) on this window and its parents (at most MAX_PARENTS steps), then on the opener;
 * - initialises, reads cmi.suspend_data and offers it to the quiz front-end as initial state
 *   (window.__h4sInitialState(spec) -> {qid: {attempts, result, response}}), shows a "welcome back" line;
 * - listens for the bubbling "h4s:graded" CustomEvent of every quiz (docs-dev/CONTRACTS.md) and records each
 *   answer as a new cmi.interactions.n, sets the score (percent) and the status, saves progress, commits;
 * - finishes on pagehide / unload.  Without an LMS the page works as a plain page.
 * - the responses are xAPI's patterns (xapi.js, the records' mapping), in SCORM 1.2's older syntax there.
 * Configuration: <script type="application/json" id="h4s-scorm-config">{version, module, pass_mark,
 *   closing: [qid], questions: {qid: {points, graded, type}}}</script>
 */
import { interactionType, numberPattern, responsePattern } from "./xapi.js";

(function () {
  "use strict";
  var MAX_PARENTS = 7;
  var cfgEl = document.getElementById("h4s-scorm-config");
  var cfg = {};
  try { cfg = JSON.parse(cfgEl ? cfgEl.textContent : "{}") || {}; } catch (e) { cfg = {}; }
  var V2004 = String(cfg.version) === "2004";
  var questions = cfg.questions || {};
  var closing = cfg.closing || [];
  var SUSPEND_MAX = V2004 ? 64000 : 4096;

  // ---------------------------------------------------------------- finding the API
  function findIn(win, name) {
    var tries = 0;
    try {
      while (win && win[name] == null && win.parent && win.parent !== win) {
        tries += 1;
        if (tries > MAX_PARENTS) return null;
        win = win.parent;
      }
      return (win && win[name]) || null;
    } catch (e) {           // another origin: no API there
      return null;
    }
  }

  function findAPI() {
    var name = V2004 ? "API_1484_11" : "API";
    var api = findIn(window, name);
    if (!api && window.opener) {
      try { api = findIn(window.opener, name); } catch (e) { api = null; }
    }
    return api;
  }

  var api = findAPI();
  var S = V2004 ? {
    init: function () { return api.Initialize(""); },
    get: function (k) { return api.GetValue(k); },
    set: function (k, v) { return api.SetValue(k, String(v)); },
    commit: function () { return api.Commit(""); },
    finish: function () { return api.Terminate(""); },
  } : {
    init: function () { return api.LMSInitialize(""); },
    get: function (k) { return api.LMSGetValue(k); },
    set: function (k, v) { return api.LMSSetValue(k, String(v)); },
    commit: function () { return api.LMSCommit(""); },
    finish: function () { return api.LMSFinish(""); },
  };
  var K = V2004 ? {
    entry: "cmi.entry", suspend: "cmi.suspend_data", exit: "cmi.exit", session: "cmi.session_time",
    raw: "cmi.score.raw", min: "cmi.score.min", max: "cmi.score.max", count: "cmi.interactions._count",
  } : {
    entry: "cmi.core.entry", suspend: "cmi.suspend_data", exit: "cmi.core.exit", session: "cmi.core.session_time",
    raw: "cmi.core.score.raw", min: "cmi.core.score.min", max: "cmi.core.score.max",
    count: "cmi.interactions._count",
  };

  var connected = false;
  if (api) {
    try { connected = String(S.init()) === "true"; } catch (e) { connected = false; }
  }
  var started = Date.now();
  // answers: qid -> [attempts, score, max, correct (1, 0 or -1 for not graded), feedback ids, response]
  var state = { v: 1, n: 0, a: {} };

  function safeGet(k) {
    try { return S.get(k); } catch (e) { return ""; }
  }

  if (connected) {
    var saved = safeGet(K.suspend);
    if (saved) {
      try {
        var parsed = JSON.parse(saved);
        if (parsed && parsed.v === 1 && parsed.a) state = parsed;
      } catch (e) { /* not ours: start again */ }
    }
    // interactions are numbered from the LMS's count (they must be set in order: 0, 1, 2, ...)
    var count = parseInt(safeGet(K.count), 10);
    state.n = isFinite(count) && count >= 0 ? count : state.n;
    if (!V2004 && (safeGet("cmi.core.lesson_status") === "not attempted" || !safeGet("cmi.core.lesson_status"))) {
      S.set("cmi.core.lesson_status", "incomplete");
    }
    if (V2004 && safeGet("cmi.completion_status") !== "completed") S.set("cmi.completion_status", "incomplete");
    S.set(K.exit, "suspend");
  }

  // ---------------------------------------------------------------- pools (a bank with draw: n)
  // ui/quiz.js keeps each pool's draw ({seed, attempt, ids}) here, in suspend_data, so that the LMS shows the
  // same set when the learner comes back; a new attempt (Reset) drops the answers of the old set.  The score
  // is over the drawn questions of the closing quiz (basis()).
  state.d = state.d || {};
  window.__h4sDrawStore = {
    get: function (k) { return state.d[k] || null; },
    set: function (k, rec) {
      var old = state.d[k];
      if (old && old.ids) old.ids.forEach(function (q) { delete state.a[q]; });
      state.d[k] = rec;
      if (connected) { S.set(K.suspend, suspendText()); S.commit(); }
    },
  };
  function drawnClosing() {
    var drawn = null;
    Object.keys(state.d).forEach(function (k) {
      var ids = state.d[k] && state.d[k].ids;
      if (ids && ids.some(function (q) { return closing.indexOf(q) >= 0; })) drawn = ids;
    });
    return drawn;
  }

  // ---------------------------------------------------------------- the quiz front-end's initial state
  function initialState(spec) {
    var out = {};
    ((spec && spec.questions) || []).forEach(function (q) {
      var a = state.a[q.id];
      if (!a) return;
      out[q.id] = {
        attempts: a[0],
        result: { score: a[1], max_score: a[2], correct: a[3] === 1 ? true : a[3] === 0 ? false : null,
          feedback: a[4] || [] },
        response: a[5] === undefined ? null : a[5],
      };
    });
    return out;
  }
  // NB: not on window.__h4sRuntime: the quiz runtime takes that name as "already loaded"
  window.__h4sInitialState = initialState;

  // ---------------------------------------------------------------- formats
  function pad(n, w) { n = String(n); while (n.length < w) n = "0" + n; return n; }

  function timespan12(seconds) {          // HHHH:MM:SS.SS
    var cs = Math.max(0, Math.round(seconds * 100));
    var h = Math.floor(cs / 360000); cs -= h * 360000;
    var m = Math.floor(cs / 6000); cs -= m * 6000;
    var s = Math.floor(cs / 100); cs -= s * 100;
    return pad(Math.min(h, 9999), 4) + ":" + pad(m, 2) + ":" + pad(s, 2) + "." + pad(cs, 2);
  }

  function duration2004(seconds) {        // PT1H2M3.45S
    var cs = Math.max(0, Math.round(seconds * 100));
    var h = Math.floor(cs / 360000); cs -= h * 360000;
    var m = Math.floor(cs / 6000); cs -= m * 6000;
    return "PT" + (h ? h + "H" : "") + (m ? m + "M" : "") + (cs / 100) + "S";
  }

  function clock(ts) {
    var d = new Date(ts);
    return pad(d.getHours(), 2) + ":" + pad(d.getMinutes(), 2) + ":" + pad(d.getSeconds(), 2);
  }

  function stamp(ts) {
    var d = new Date(ts);
    return d.getFullYear() + "-" + pad(d.getMonth() + 1, 2) + "-" + pad(d.getDate(), 2) + "T" + clock(ts);
  }

  // SCORM 1.2 has no long-fill-in and no other: fill-in and performance there
  function typeOf(qtype) {
    var t = qtype === "likert" ? "likert" : interactionType(qtype);
    if (!V2004 && t === "long-fill-in") return "fill-in";
    if (!V2004 && t === "other") return "performance";
    return t;
  }

  function clean(s, max) {
    s = String(s === null || s === undefined ? "" : s).replace(/[\u0000-\u001f]+/g, " ");
    if (V2004) s = s.replace(/\[/g, "(").replace(/\]/g, ")");
    else s = s.replace(/,/g, " ");
    return max && s.length > max ? s.slice(0, max) : s;
  }

  // SCORM 2004 localized_string_type: "{" at the start would open a {lang=..} tag
  function text2004(s, max) {
    s = clean(s, max);
    return s.charAt(0) === "{" ? "(" + s.slice(1) : s;
  }

  // SCORM 2004 real(10,7): digits, no exponent
  function decimal(x) {
    if (!isFinite(x) || Math.abs(x) >= 1e10) return null;
    var s = x.toFixed(7).replace(/0+$/, "").replace(/\.$/, "");
    return s === "-0" ? "0" : s;
  }

  // one answer -> the interactions that record it: [{suffix, type, response}].  SCORM 2004's formats (RTE 4.1.6)
  // are xAPI's response patterns (xapi.js): choice and sequencing ids "a[,]b", matching "source[.]target"
  // ids, numeric a real (here with at most 7 decimals), fill-in at most 10 strings of 250 characters.
  // SCORM 1.2 separates with "," and "." and has "t"/"f".  A Likert question gives one interaction per statement.
  function interactionsOf(q, meta, r) {
    var type = typeOf(q.type);
    var lim = V2004 ? 4000 : 255;
    var one = function (t, resp) { return [{ suffix: "", type: t, response: resp }]; };
    if (r === null || r === undefined) return q.type === "likert" ? [] : one(type, "");
    if (q.type === "likert") {
      if (typeof r !== "object") return [];
      var ids = meta.statements || Object.keys(r);
      return ids.filter(function (k) { return typeof r[k] === "number"; }).map(function (k) {
        return { suffix: "." + k, type: "likert", response: String(r[k]) };
      });
    }
    if (type === "numeric") {
      var d = decimal(numberPattern(r) === "" ? NaN : Number(numberPattern(r)));
      if (d !== null) return one(type, d);
      return V2004 ? one("fill-in", text2004(r, 250)) : one(type, clean(r, lim));
    }
    if (type === "true-false") {
      var tf = responsePattern(q.type, r);
      return one(type, V2004 ? tf : tf.charAt(0));
    }
    if (type === "fill-in" || type === "long-fill-in") {
      var items = Array.isArray(r) ? r : [typeof r === "object" ? JSON.stringify(r) : r];
      if (type === "long-fill-in" && V2004) return one(type, text2004(items.join(" "), 4000));
      if (V2004) return one(type, items.slice(0, 10).map(function (x) { return text2004(x, 250); }).join("[,]"));
      return one(type, items.map(function (x) { return clean(x, 0); }).join("; ").slice(0, lim));
    }
    if (type === "choice" || type === "sequencing" || type === "matching") {
      // xAPI's pattern (ids: the bank's ids have no brackets or commas), in SCORM 1.2's syntax there
      var pattern = responsePattern(q.type, r, { rights: meta.rights || [] });
      if (!V2004) pattern = pattern.split("[,]").join(",").split("[.]").join(".");
      return one(type, pattern.slice(0, lim));
    }
    return one(type, clean(typeof r === "object" ? JSON.stringify(r) : r, lim));
  }

  function result(res) {
    if (!res || res.correct === null || res.correct === undefined) return "neutral";
    if (res.correct === true) return "correct";
    if (typeof res.score === "number" && typeof res.max_score === "number" && res.max_score > 0 && res.score > 0) {
      return String(Math.round((res.score / res.max_score) * 10000) / 10000);   // partly right: the fraction
    }
    return V2004 ? "incorrect" : "wrong";
  }

  // ---------------------------------------------------------------- score and status
  function basis() {
    var ids = closing.length ? closing : Object.keys(questions);
    var drawn = drawnClosing();
    return ids.filter(function (q) { return questions[q] && questions[q].graded && (!drawn || drawn.indexOf(q) >= 0); });
  }

  function summary() {
    var ids = basis(), score = 0, max = 0, answered = 0;
    ids.forEach(function (q) {
      max += questions[q].points || 0;
      var a = state.a[q];
      if (a && a[0] > 0) { answered += 1; score += a[1] || 0; }
    });
    var pct = max > 0 ? Math.round((score / max) * 10000) / 100 : 0;
    var done = ids.length > 0 && answered === ids.length;
    var status;
    if (!done) status = "incomplete";
    else if (closing.length && typeof cfg.pass_mark === "number") {
      status = score / max >= cfg.pass_mark - 1e-9 ? "passed" : "failed";
    } else status = "completed";
    return { score: score, max: max, pct: pct, done: done, answered: answered, total: ids.length, status: status };
  }

  function setStatus(sm) {
    if (!V2004) {
      S.set("cmi.core.lesson_status", sm.status);
    } else {
      S.set("cmi.completion_status", sm.done ? "completed" : "incomplete");
      S.set("cmi.success_status", sm.status === "passed" ? "passed" : sm.status === "failed" ? "failed" : "unknown");
    }
  }

  function setScore(sm) {
    S.set(K.min, "0");
    S.set(K.max, "100");
    S.set(K.raw, String(sm.pct));
    if (V2004) S.set("cmi.score.scaled", String(Math.round(sm.pct * 100) / 10000));
  }

  function suspendText() {
    var copy = JSON.parse(JSON.stringify(state));
    var text = JSON.stringify(copy);
    if (text.length <= SUSPEND_MAX) return text;
    // too long (SCORM 1.2 allows 4096 characters): drop the longest responses first, then feedback ids
    var ids = Object.keys(copy.a).sort(function (x, y) {
      return JSON.stringify(copy.a[y][5] || "").length - JSON.stringify(copy.a[x][5] || "").length;
    });
    for (var i = 0; i < ids.length && text.length > SUSPEND_MAX; i++) {
      copy.a[ids[i]].length = 5;
      text = JSON.stringify(copy);
    }
    for (var j = 0; j < ids.length && text.length > SUSPEND_MAX; j++) {
      copy.a[ids[j]][4] = [];
      text = JSON.stringify(copy);
    }
    return text;
  }

  // ---------------------------------------------------------------- recording
  function record(d) {
    var q = (d && d.question) || {};
    if (!q.id) return;
    var res = d.result || {};
    var meta = questions[q.id] || { points: res.max_score || 0, graded: res.correct !== null, type: q.type };
    if (!questions[q.id]) questions[q.id] = meta;
    state.a[q.id] = [d.attempt || 1, typeof res.score === "number" ? res.score : 0,
      typeof res.max_score === "number" ? res.max_score : 0,
      res.correct === true ? 1 : res.correct === false ? 0 : -1, res.feedback || [],
      d.response === undefined ? null : d.response];
    if (!connected) return;
    var ts = typeof d.timestamp === "number" ? d.timestamp * 1000 : Date.now();
    var idPart = String(cfg.module || "module").replace(/[^A-Za-z0-9_.-]/g, "-");
    var secs = typeof d.duration_s === "number" ? d.duration_s : 0;
    var list = interactionsOf(q, meta, d.response);
    list.forEach(function (it) {
      var p = "cmi.interactions." + state.n + ".";
      state.n += 1;
      S.set(p + "id", (V2004 ? "urn:h4s:" : "") + idPart + "." + q.id + it.suffix);
      S.set(p + "type", it.type);   // the type first: the LMS checks the response against it
      S.set(p + (V2004 ? "learner_response" : "student_response"), it.response);
      S.set(p + "result", it.type === "likert" ? "neutral" : result(res));
      S.set(p + "weighting", String(decimal((meta.points || 0) / list.length) || 0));
      S.set(p + "latency", V2004 ? duration2004(secs) : timespan12(secs));
      S.set(p + (V2004 ? "timestamp" : "time"), V2004 ? stamp(ts) : clock(ts));
    });
    var sm = summary();
    setScore(sm);
    setStatus(sm);
    S.set(K.suspend, suspendText());
    S.commit();
  }

  document.addEventListener("h4s:graded", function (ev) {
    try { record(ev.detail); } catch (e) { if (window.console) console.error("h4s SCORM: could not record", e); }
  });

  // ---------------------------------------------------------------- welcome back
  function welcome() {
    var box = document.querySelector(".h4s-scorm-status");
    if (!box || !connected) return;
    var sm = summary();
    if (!sm.answered) return;
    var words = (cfg.strings && cfg.strings.resume) ||
      "Welcome back. You have answered {n} of {m} questions; your score is {p}%.";
    box.textContent = words.replace("{n}", sm.answered).replace("{m}", sm.total).replace("{p}", sm.pct);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", welcome);
  else welcome();

  // ---------------------------------------------------------------- finishing
  var finished = false;
  function finish() {
    if (!connected || finished) return;
    finished = true;
    try {
      S.set(K.session, V2004 ? duration2004((Date.now() - started) / 1000) : timespan12((Date.now() - started) / 1000));
      S.set(K.suspend, suspendText());
      S.commit();
      S.finish();
    } catch (e) { /* the LMS window may be gone already */ }
  }
  window.addEventListener("pagehide", finish);
  window.addEventListener("unload", finish);

  window.h4sScorm = {
    connected: connected, version: V2004 ? "2004" : "1.2", state: function () { return state; },
    summary: summary, finish: finish,
  };
})();
