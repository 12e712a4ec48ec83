/* h4s SCORM runtime (MIT), built by scripts/build_js.mjs from h4s_widgets/_static/src/scorm.js: do not edit. */
(() => {
  // h4s_widgets/_static/src/grader/text.js
  var WS = /[\t-\r \xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]+/g;
  var PYSPACE = "[	-\r-    - \u2028\u2029  　]+";
  var PYSTRIP = new RegExp(`^${PYSPACE}|${PYSPACE}$`, "g");
  function parseNumber(v) {
    if (typeof v === "number") return Number.isFinite(v) ? v : null;
    if (typeof v !== "string") return null;
    const s = v.normalize("NFC").replace(WS, "").replace(/\u2212/g, "-");
    if (!/^[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)(?:[eE][+-]?[0-9]+)?$/.test(s)) return null;
    const x = Number(s.replace(",", "."));
    return Number.isFinite(x) ? x : null;
  }

  // h4s_widgets/_static/src/ui/dom.js
  var RUN = Math.random().toString(36).slice(2, 8);

  // h4s_widgets/_static/src/types/cloze.js
  var xapi = { interaction: "fill-in", pattern: "list" };

  // h4s_widgets/_static/src/types/code.js
  var xapi2 = { interaction: "other" };

  // h4s_widgets/_static/src/types/drag_words.js
  var xapi3 = { interaction: "fill-in", pattern: "list" };

  // h4s_widgets/_static/src/types/essay.js
  var xapi4 = { interaction: "long-fill-in" };

  // h4s_widgets/_static/src/types/flashcards.js
  var xapi5 = { interaction: "other" };

  // h4s_widgets/_static/src/types/likert.js
  var xapi6 = { interaction: "matching", pattern: "likert" };

  // h4s_widgets/_static/src/types/matching.js
  var xapi7 = { interaction: "matching", pattern: "pairs" };

  // h4s_widgets/_static/src/types/multiple_response.js
  var xapi8 = { interaction: "choice", pattern: "list" };

  // h4s_widgets/_static/src/types/numeric.js
  var xapi9 = { interaction: "numeric", pattern: "number" };

  // h4s_widgets/_static/src/types/ordering.js
  var xapi10 = { interaction: "sequencing", pattern: "list" };

  // h4s_widgets/_static/src/types/select_words.js
  var ids = (r) => Array.isArray(r) ? [...new Set(r.filter((v) => typeof v === "number" && Number.isInteger(v)))].sort((a, b) => a - b) : [];
  var xapi11 = {
    interaction: "choice",
    pattern: (r) => ids(r).join("[,]"),
    components: (spec, c) => ({ choices: (spec.pieces || []).filter((p) => "unit" in p).map((p) => c(String(p.unit), p.text)) })
  };
  var WS2 = "\\t-\\r \\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff";
  var TOKEN = new RegExp(`\\[([^\\[\\]]*)\\]|[^${WS2}\\[\\]]+`, "gu");

  // h4s_widgets/_static/src/types/short_text.js
  var xapi12 = { interaction: "fill-in" };

  // h4s_widgets/_static/src/types/single_choice.js
  var xapi13 = { interaction: "choice" };

  // h4s_widgets/_static/src/types/true_false.js
  var xapi14 = { interaction: "true-false", pattern: "boolean" };

  // h4s_widgets/_static/src/types/xapi.gen.js
  var XAPI = { cloze: xapi, code: xapi2, drag_words: xapi3, essay: xapi4, flashcards: xapi5, likert: xapi6, matching: xapi7, multiple_response: xapi8, numeric: xapi9, ordering: xapi10, select_words: xapi11, short_text: xapi12, single_choice: xapi13, true_false: xapi14 };

  // h4s_widgets/_static/src/xapi.js
  function canonicalJson(v) {
    if (Array.isArray(v)) return "[" + v.map((x) => x === void 0 ? "null" : canonicalJson(x)).join(",") + "]";
    if (v && typeof v === "object") {
      return "{" + Object.keys(v).sort().filter((k) => v[k] !== void 0).map((k) => JSON.stringify(k) + ":" + canonicalJson(v[k])).join(",") + "}";
    }
    return v === void 0 ? "null" : JSON.stringify(v);
  }
  var interactionType = (type) => XAPI[type] && XAPI[type].interaction || "other";
  function numberPattern(r) {
    const x = parseNumber(r);
    return x === null ? "" : String(x);
  }
  function responsePattern(type, r, spec) {
    const s = (x) => x === null || x === void 0 ? "" : String(x);
    if (r === null || r === void 0) return "";
    const kind = XAPI[type] && XAPI[type].pattern;
    if (typeof kind === "function") return kind(r, spec);
    if (kind === "number") return numberPattern(r);
    if (kind === "boolean") return r === true ? "true" : r === false ? "false" : s(r);
    if (kind === "list" && Array.isArray(r)) return r.map(s).join("[,]");
    if ((kind === "pairs" || kind === "likert") && r && typeof r === "object" && !Array.isArray(r)) {
      const rights = spec && spec.rights || [];
      return Object.keys(r).map((k) => [k, kind === "likert" ? r[k] : rights.indexOf(r[k]) + 1]).filter((p) => typeof p[1] === "number" && p[1] > 0).map((p) => p.join("[.]")).join("[,]");
    }
    return typeof r === "object" ? canonicalJson(r) : s(r);
  }

  // h4s_widgets/_static/src/scorm.js
  (function() {
    "use strict";
    var MAX_PARENTS = 7;
    var cfgEl = document.getElementById("h4s-scorm-config");
    var cfg = {};
    try {
      cfg = JSON.parse(cfgEl ? cfgEl.textContent : "{}") || {};
    } catch (e) {
      cfg = {};
    }
    var V2004 = String(cfg.version) === "2004";
    var questions = cfg.questions || {};
    var closing = cfg.closing || [];
    var SUSPEND_MAX = V2004 ? 64e3 : 4096;
    function findIn(win, name) {
      var tries = 0;
      try {
        while (win && win[name] == null && win.parent && win.parent !== win) {
          tries += 1;
          if (tries > MAX_PARENTS) return null;
          win = win.parent;
        }
        return win && win[name] || null;
      } catch (e) {
        return null;
      }
    }
    function findAPI() {
      var name = V2004 ? "API_1484_11" : "API";
      var api2 = findIn(window, name);
      if (!api2 && window.opener) {
        try {
          api2 = findIn(window.opener, name);
        } catch (e) {
          api2 = null;
        }
      }
      return api2;
    }
    var api = findAPI();
    var S = V2004 ? {
      init: function() {
        return api.Initialize("");
      },
      get: function(k) {
        return api.GetValue(k);
      },
      set: function(k, v) {
        return api.SetValue(k, String(v));
      },
      commit: function() {
        return api.Commit("");
      },
      finish: function() {
        return api.Terminate("");
      }
    } : {
      init: function() {
        return api.LMSInitialize("");
      },
      get: function(k) {
        return api.LMSGetValue(k);
      },
      set: function(k, v) {
        return api.LMSSetValue(k, String(v));
      },
      commit: function() {
        return api.LMSCommit("");
      },
      finish: function() {
        return api.LMSFinish("");
      }
    };
    var K = V2004 ? {
      entry: "cmi.entry",
      suspend: "cmi.suspend_data",
      exit: "cmi.exit",
      session: "cmi.session_time",
      raw: "cmi.score.raw",
      min: "cmi.score.min",
      max: "cmi.score.max",
      count: "cmi.interactions._count"
    } : {
      entry: "cmi.core.entry",
      suspend: "cmi.suspend_data",
      exit: "cmi.core.exit",
      session: "cmi.core.session_time",
      raw: "cmi.core.score.raw",
      min: "cmi.core.score.min",
      max: "cmi.core.score.max",
      count: "cmi.interactions._count"
    };
    var connected = false;
    if (api) {
      try {
        connected = String(S.init()) === "true";
      } catch (e) {
        connected = false;
      }
    }
    var started = Date.now();
    var state = { v: 1, n: 0, a: {} };
    function safeGet(k) {
      try {
        return S.get(k);
      } catch (e) {
        return "";
      }
    }
    if (connected) {
      var saved = safeGet(K.suspend);
      if (saved) {
        try {
          var parsed = JSON.parse(saved);
          if (parsed && parsed.v === 1 && parsed.a) state = parsed;
        } catch (e) {
        }
      }
      var count = parseInt(safeGet(K.count), 10);
      state.n = isFinite(count) && count >= 0 ? count : state.n;
      if (!V2004 && (safeGet("cmi.core.lesson_status") === "not attempted" || !safeGet("cmi.core.lesson_status"))) {
        S.set("cmi.core.lesson_status", "incomplete");
      }
      if (V2004 && safeGet("cmi.completion_status") !== "completed") S.set("cmi.completion_status", "incomplete");
      S.set(K.exit, "suspend");
    }
    state.d = state.d || {};
    window.__h4sDrawStore = {
      get: function(k) {
        return state.d[k] || null;
      },
      set: function(k, rec) {
        var old = state.d[k];
        if (old && old.ids) old.ids.forEach(function(q) {
          delete state.a[q];
        });
        state.d[k] = rec;
        if (connected) {
          S.set(K.suspend, suspendText());
          S.commit();
        }
      }
    };
    function drawnClosing() {
      var drawn = null;
      Object.keys(state.d).forEach(function(k) {
        var ids2 = state.d[k] && state.d[k].ids;
        if (ids2 && ids2.some(function(q) {
          return closing.indexOf(q) >= 0;
        })) drawn = ids2;
      });
      return drawn;
    }
    function initialState(spec) {
      var out = {};
      (spec && spec.questions || []).forEach(function(q) {
        var a = state.a[q.id];
        if (!a) return;
        out[q.id] = {
          attempts: a[0],
          result: {
            score: a[1],
            max_score: a[2],
            correct: a[3] === 1 ? true : a[3] === 0 ? false : null,
            feedback: a[4] || []
          },
          response: a[5] === void 0 ? null : a[5]
        };
      });
      return out;
    }
    window.__h4sInitialState = initialState;
    function pad(n, w) {
      n = String(n);
      while (n.length < w) n = "0" + n;
      return n;
    }
    function timespan12(seconds) {
      var cs = Math.max(0, Math.round(seconds * 100));
      var h = Math.floor(cs / 36e4);
      cs -= h * 36e4;
      var m = Math.floor(cs / 6e3);
      cs -= m * 6e3;
      var s = Math.floor(cs / 100);
      cs -= s * 100;
      return pad(Math.min(h, 9999), 4) + ":" + pad(m, 2) + ":" + pad(s, 2) + "." + pad(cs, 2);
    }
    function duration2004(seconds) {
      var cs = Math.max(0, Math.round(seconds * 100));
      var h = Math.floor(cs / 36e4);
      cs -= h * 36e4;
      var m = Math.floor(cs / 6e3);
      cs -= m * 6e3;
      return "PT" + (h ? h + "H" : "") + (m ? m + "M" : "") + cs / 100 + "S";
    }
    function clock(ts) {
      var d = new Date(ts);
      return pad(d.getHours(), 2) + ":" + pad(d.getMinutes(), 2) + ":" + pad(d.getSeconds(), 2);
    }
    function stamp(ts) {
      var d = new Date(ts);
      return d.getFullYear() + "-" + pad(d.getMonth() + 1, 2) + "-" + pad(d.getDate(), 2) + "T" + clock(ts);
    }
    function typeOf(qtype) {
      var t = qtype === "likert" ? "likert" : interactionType(qtype);
      if (!V2004 && t === "long-fill-in") return "fill-in";
      if (!V2004 && t === "other") return "performance";
      return t;
    }
    function clean(s, max) {
      s = String(s === null || s === void 0 ? "" : s).replace(/[\u0000-\u001f]+/g, " ");
      if (V2004) s = s.replace(/\[/g, "(").replace(/\]/g, ")");
      else s = s.replace(/,/g, " ");
      return max && s.length > max ? s.slice(0, max) : s;
    }
    function text2004(s, max) {
      s = clean(s, max);
      return s.charAt(0) === "{" ? "(" + s.slice(1) : s;
    }
    function decimal(x) {
      if (!isFinite(x) || Math.abs(x) >= 1e10) return null;
      var s = x.toFixed(7).replace(/0+$/, "").replace(/\.$/, "");
      return s === "-0" ? "0" : s;
    }
    function interactionsOf(q, meta, r) {
      var type = typeOf(q.type);
      var lim = V2004 ? 4e3 : 255;
      var one = function(t, resp) {
        return [{ suffix: "", type: t, response: resp }];
      };
      if (r === null || r === void 0) return q.type === "likert" ? [] : one(type, "");
      if (q.type === "likert") {
        if (typeof r !== "object") return [];
        var ids2 = meta.statements || Object.keys(r);
        return ids2.filter(function(k) {
          return typeof r[k] === "number";
        }).map(function(k) {
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
        if (type === "long-fill-in" && V2004) return one(type, text2004(items.join(" "), 4e3));
        if (V2004) return one(type, items.slice(0, 10).map(function(x) {
          return text2004(x, 250);
        }).join("[,]"));
        return one(type, items.map(function(x) {
          return clean(x, 0);
        }).join("; ").slice(0, lim));
      }
      if (type === "choice" || type === "sequencing" || type === "matching") {
        var pattern = responsePattern(q.type, r, { rights: meta.rights || [] });
        if (!V2004) pattern = pattern.split("[,]").join(",").split("[.]").join(".");
        return one(type, pattern.slice(0, lim));
      }
      return one(type, clean(typeof r === "object" ? JSON.stringify(r) : r, lim));
    }
    function result(res) {
      if (!res || res.correct === null || res.correct === void 0) return "neutral";
      if (res.correct === true) return "correct";
      if (typeof res.score === "number" && typeof res.max_score === "number" && res.max_score > 0 && res.score > 0) {
        return String(Math.round(res.score / res.max_score * 1e4) / 1e4);
      }
      return V2004 ? "incorrect" : "wrong";
    }
    function basis() {
      var ids2 = closing.length ? closing : Object.keys(questions);
      var drawn = drawnClosing();
      return ids2.filter(function(q) {
        return questions[q] && questions[q].graded && (!drawn || drawn.indexOf(q) >= 0);
      });
    }
    function summary() {
      var ids2 = basis(), score = 0, max = 0, answered = 0;
      ids2.forEach(function(q) {
        max += questions[q].points || 0;
        var a = state.a[q];
        if (a && a[0] > 0) {
          answered += 1;
          score += a[1] || 0;
        }
      });
      var pct = max > 0 ? Math.round(score / max * 1e4) / 100 : 0;
      var done = ids2.length > 0 && answered === ids2.length;
      var status;
      if (!done) status = "incomplete";
      else if (closing.length && typeof cfg.pass_mark === "number") {
        status = score / max >= cfg.pass_mark - 1e-9 ? "passed" : "failed";
      } else status = "completed";
      return { score, max, pct, done, answered, total: ids2.length, status };
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
      if (V2004) S.set("cmi.score.scaled", String(Math.round(sm.pct * 100) / 1e4));
    }
    function suspendText() {
      var copy = JSON.parse(JSON.stringify(state));
      var text = JSON.stringify(copy);
      if (text.length <= SUSPEND_MAX) return text;
      var ids2 = Object.keys(copy.a).sort(function(x, y) {
        return JSON.stringify(copy.a[y][5] || "").length - JSON.stringify(copy.a[x][5] || "").length;
      });
      for (var i = 0; i < ids2.length && text.length > SUSPEND_MAX; i++) {
        copy.a[ids2[i]].length = 5;
        text = JSON.stringify(copy);
      }
      for (var j = 0; j < ids2.length && text.length > SUSPEND_MAX; j++) {
        copy.a[ids2[j]][4] = [];
        text = JSON.stringify(copy);
      }
      return text;
    }
    function record(d) {
      var q = d && d.question || {};
      if (!q.id) return;
      var res = d.result || {};
      var meta = questions[q.id] || { points: res.max_score || 0, graded: res.correct !== null, type: q.type };
      if (!questions[q.id]) questions[q.id] = meta;
      state.a[q.id] = [
        d.attempt || 1,
        typeof res.score === "number" ? res.score : 0,
        typeof res.max_score === "number" ? res.max_score : 0,
        res.correct === true ? 1 : res.correct === false ? 0 : -1,
        res.feedback || [],
        d.response === void 0 ? null : d.response
      ];
      if (!connected) return;
      var ts = typeof d.timestamp === "number" ? d.timestamp * 1e3 : Date.now();
      var idPart = String(cfg.module || "module").replace(/[^A-Za-z0-9_.-]/g, "-");
      var secs = typeof d.duration_s === "number" ? d.duration_s : 0;
      var list = interactionsOf(q, meta, d.response);
      list.forEach(function(it) {
        var p = "cmi.interactions." + state.n + ".";
        state.n += 1;
        S.set(p + "id", (V2004 ? "urn:h4s:" : "") + idPart + "." + q.id + it.suffix);
        S.set(p + "type", it.type);
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
    document.addEventListener("h4s:graded", function(ev) {
      try {
        record(ev.detail);
      } catch (e) {
        if (window.console) console.error("h4s SCORM: could not record", e);
      }
    });
    function welcome() {
      var box = document.querySelector(".h4s-scorm-status");
      if (!box || !connected) return;
      var sm = summary();
      if (!sm.answered) return;
      var words2 = cfg.strings && cfg.strings.resume || "Welcome back. You have answered {n} of {m} questions; your score is {p}%.";
      box.textContent = words2.replace("{n}", sm.answered).replace("{m}", sm.total).replace("{p}", sm.pct);
    }
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", welcome);
    else welcome();
    var finished = false;
    function finish() {
      if (!connected || finished) return;
      finished = true;
      try {
        S.set(K.session, V2004 ? duration2004((Date.now() - started) / 1e3) : timespan12((Date.now() - started) / 1e3));
        S.set(K.suspend, suspendText());
        S.commit();
        S.finish();
      } catch (e) {
      }
    }
    window.addEventListener("pagehide", finish);
    window.addEventListener("unload", finish);
    window.h4sScorm = {
      connected,
      version: V2004 ? "2004" : "1.2",
      state: function() {
        return state;
      },
      summary,
      finish
    };
  })();
})();
