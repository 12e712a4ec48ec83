// h4s grader: the rules of _grading.py for pages without a kernel (browsers, file://, node).
// Tested with Python on tests/cases/grading_cases.json. _assets.py puts all JS files in ONE
// scope, so internal top-level names start with "g_".

/** Whitespace set WS of _grading.py (the same as what String.prototype.trim removes). */
const g_WS = /[\t-\r \xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]+/g;
/** Python's str.strip(): removes the characters of str.isspace at both ends. */
const g_PYSPACE = "[\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+";
const g_PYSTRIP = new RegExp(`^${g_PYSPACE}|${g_PYSPACE}$`, "g");
const g_strip = (s) => s.replace(g_PYSTRIP, "");
const g_own = (o, k) => Object.prototype.hasOwnProperty.call(o, k);
const g_isDict = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const g_round = (x) => Math.floor(x * 10000 + 0.5) / 10000;
/** Gaps `[[...]]` of a text (Python: GAP_RE = \[\[(.+?)\]\], "." does not match "\n"). */
const g_gapsIn = (text) => [...text.matchAll(/\[\[([^\n]+?)\]\]/g)].map((m) => m[1]);

// ------------------------------------------------------------- SHA-256
// From FIPS 180-4, 6.2. Constants as defined there: fractional parts of the
// square roots (H0) and cube roots (K) of the first primes.
let g_shaK = null;
let g_shaH = null;
const g_frac32 = (x) => ((x - Math.floor(x)) * 4294967296) | 0;
const g_rotr = (x, n) => (x >>> n) | (x << (32 - n));

/**
 * SHA-256 of bytes.
 * @param {Uint8Array} bytes
 * @returns {Uint8Array} the 32-byte digest
 */
function g_sha256(bytes) {
  if (!g_shaK) {
    g_shaK = [];
    g_shaH = [];
    for (let n = 2; g_shaK.length < 64; n++) {
      let prime = true;
      for (let d = 2; d * d <= n; d++) if (n % d === 0) prime = false;
      if (!prime) continue;
      if (g_shaH.length < 8) g_shaH.push(g_frac32(Math.sqrt(n)));
      g_shaK.push(g_frac32(Math.cbrt(n)));
    }
  }
  const K = g_shaK;
  const h = g_shaH.slice();
  const len = bytes.length;
  // padding: 0x80, zeros, 64-bit big-endian length in bits; a multiple of 64 bytes
  const m = new Uint8Array((((len + 8) >> 6) + 1) * 64);
  m.set(bytes);
  m[len] = 0x80;
  const dv = new DataView(m.buffer);
  dv.setUint32(m.length - 8, Math.floor(len / 536870912)); // len * 8 / 2^32
  dv.setUint32(m.length - 4, (len * 8) >>> 0);
  const w = new Int32Array(64);
  for (let off = 0; off < m.length; off += 64) {
    for (let t = 0; t < 16; t++) w[t] = dv.getInt32(off + 4 * t);
    for (let t = 16; t < 64; t++) {
      const x = w[t - 15];
      const y = w[t - 2];
      w[t] = w[t - 16] + (g_rotr(x, 7) ^ g_rotr(x, 18) ^ (x >>> 3)) + w[t - 7]
        + (g_rotr(y, 17) ^ g_rotr(y, 19) ^ (y >>> 10));
    }
    let [a, b, c, d, e, f, g, k] = h;
    for (let t = 0; t < 64; t++) {
      const t1 = (k + (g_rotr(e, 6) ^ g_rotr(e, 11) ^ g_rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[t] + w[t]) | 0;
      const t2 = ((g_rotr(a, 2) ^ g_rotr(a, 13) ^ g_rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      k = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
    }
    [a, b, c, d, e, f, g, k].forEach((v, i) => { h[i] = (h[i] + v) | 0; });
  }
  const out = new Uint8Array(32);
  const odv = new DataView(out.buffer);
  h.forEach((v, i) => odv.setInt32(4 * i, v));
  return out;
}

const g_utf8 = (s) => new TextEncoder().encode(s);

/**
 * Hex SHA-256 of the UTF-8 encoding of a string (synchronous; no crypto.subtle).
 * @param {string} str
 * @returns {string} 64 lower-case hex digits
 */
export function sha256hex(str) {
  return Array.from(g_sha256(g_utf8(str)), (b) => (b + 256).toString(16).slice(1)).join("");
}

/**
 * Salted hash of one key value, as _spec.key_hash computes it.
 * @param {string} salt
 * @param {string} qid question id
 * @param {string} value
 * @returns {string} 24 hex digits
 */
export function keyHash(salt, qid, value) {
  return sha256hex(`${salt}\x1f${qid}\x1f${value}`).slice(0, 24);
}

/**
 * Inverse of _spec.obfuscate: base64, XOR with a SHA-256 keystream, UTF-8.
 * @param {string} b64
 * @param {string} salt
 * @param {string} qid
 * @returns {string}
 */
export function deobfuscate(b64, salt, qid) {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  let ks = null;
  for (let i = 0; i < bin.length; i++) {
    if (i % 32 === 0) ks = g_sha256(g_utf8(`${salt}\x1f${qid}\x1fsolution\x1f${i / 32}`));
    out[i] = bin.charCodeAt(i) ^ ks[i % 32];
  }
  return new TextDecoder().decode(out);
}

// ------------------------------------------------------------ text, numbers

/**
 * NFC; with foldWs runs of WS become one space and the ends are trimmed;
 * without caseSensitive the text is lower-cased.
 * @param {string} s
 * @param {boolean} [caseSensitive=false]
 * @param {boolean} [foldWs=true]
 * @returns {string}
 */
export function normText(s, caseSensitive = false, foldWs = true) {
  s = s.normalize("NFC");
  if (foldWs) s = s.replace(g_WS, " ").replace(/^ | $/g, "");
  return caseSensitive ? s : s.toLowerCase();
}

/**
 * A number as typed: "3.14", "3,14", "-2", "\u22122", "1e3", "1 000"; a comma is a decimal separator.
 * @param {*} v a string or a number
 * @returns {number|null} null when it is not a finite number
 */
export function parseNumber(v) {
  if (typeof v === "number") return Number.isFinite(v) ? v : null;
  if (typeof v !== "string") return null;
  const s = v.normalize("NFC").replace(g_WS, "").replace(/\u2212/g, "-");
  if (!/^[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)(?:[eE][+-]?[0-9]+)?$/.test(s)) return null;
  const x = Number(s.replace(",", "."));
  return Number.isFinite(x) ? x : null;
}

/**
 * Words in a text (runs of whitespace separate them).
 * @param {string} s
 * @returns {number}
 */
export function countWords(s) {
  s = normText(s, true);
  return s ? s.split(" ").length : 0;
}

const g_blank = (v) => v == null || (typeof v === "string" && normText(v) === "");
const g_close = (x, t, tol) => Math.abs(x - t) <= tol + 1e-9 * Math.max(1, Math.abs(t));
const g_numMatch = (a, x) => (a.value != null
  ? g_close(x, a.value, a.tolerance || 0)
  : a.min - 1e-9 * Math.max(1, Math.abs(a.min)) <= x && x <= a.max + 1e-9 * Math.max(1, Math.abs(a.max)));

function g_regex(re, cs, s) {
  try {
    return new RegExp(`^(?:${re})$`, cs ? "u" : "iu").test(s);
  } catch (e) {
    return false; // valid in Python, not in JS: no match
  }
}

// ------------------------------------------------------------------ grade

/**
 * @typedef {{score: number, max_score: number, correct: (boolean|null), feedback: string[]}} GradeResult
 */

/**
 * Grade a response, with the rules of _grading.py.
 * @param {object} q a question dict (schema defaults applied here) or its static key
 *   (_spec.static_key: has `salt`, key values hashed with keyHash)
 * @param {*} r the response (see "Responses per type" in docs-dev/CONTRACTS.md)
 * @returns {GradeResult}
 */
export function grade(q, r) {
  const t = q.type;
  const hashed = q.salt != null;
  const K = (v) => (hashed ? keyHash(q.salt, q.id, v) : v);
  const pts = q.points ?? (t === "essay" || t === "likert" || t === "flashcards" ? 0 : 1);
  const res = (frac, correct, feedback) => ({ score: g_round(frac * pts), max_score: g_round(pts), correct, feedback });
  const empty = () => res(0, false, ["empty"]);
  const invalid = () => res(0, false, ["invalid"]);
  const ungraded = (score, max, feedback) => ({ score, max_score: max, correct: null, feedback });
  const fits = (ids) => g_isDict(r) && Object.keys(r).every((k) => ids.includes(k));
  if (r === undefined) r = null;

  // nums[i]: the alternatives of gap i that are numbers (cloze), matched as numbers too
  const gaps = (keys, norm, nums) => {
    const n = keys.length;
    const numberOk = (i, x) => {
      if (!nums || !nums[i] || !nums[i].length) return false;
      const v = parseNumber(x);
      return v !== null && nums[i].some((t) => g_close(v, t, 0));
    };
    if (r === null) return empty();
    if (!Array.isArray(r) || r.length > n || !r.every((x) => x == null || typeof x === "string")) return invalid();
    let good = 0;
    const fb = [];
    for (let i = 0; i < n; i++) {
      const x = r[i];
      if (g_blank(x)) fb.push(`gap:${i + 1}:empty`);
      else if (keys[i].includes(K(norm(x))) || numberOk(i, x)) { good++; fb.push(`gap:${i + 1}:correct`); }
      else fb.push(`gap:${i + 1}:wrong`);
    }
    if (fb.every((f) => f.endsWith(":empty"))) return empty();
    return res(good / n, good === n, fb);
  };

  switch (t) {
    case "single_choice": {
      if (g_blank(r)) return empty();
      if (typeof r !== "string" || !q.options.some((o) => o.id === r)) return invalid();
      // 1 for the answer; a partly (or also fully) right option's mark in `scores` (keys hashed like `answer`)
      const k = K(r);
      const frac = k === q.answer ? 1 : g_own(q.scores || {}, k) ? q.scores[k] : 0;
      return res(frac, frac === 1, [`option:${r}`]);
    }
    case "multiple_response": {
      if (r === null || (Array.isArray(r) && !r.length)) return empty();
      const ids = q.options.map((o) => o.id);
      if (!Array.isArray(r) || !r.every((x) => typeof x === "string" && ids.includes(x))) return invalid();
      const key = new Set(q.answers);
      const chosen = new Set(r);
      let hit = 0;
      for (const c of chosen) if (key.has(K(c))) hit++;
      const miss = chosen.size - hit;
      const exact = hit === key.size && !miss;
      const frac = (q.partial_credit ?? true)
        ? Math.max(q.negative_marks ? -1 : 0, Math.min(1, (hit - miss) / key.size))
        : (exact ? 1 : 0);
      return res(frac, exact, ids.filter((i) => chosen.has(i)).map((i) => `option:${i}`));
    }
    case "true_false": {
      if (r === null) return empty();
      if (typeof r !== "boolean") return invalid();
      const ok = hashed ? K(String(r)) === q.answer : r === q.answer;
      return res(ok ? 1 : 0, ok, [String(r)]);
    }
    case "cloze": {
      const cs = !!q.case_sensitive;
      const ws = q.ignore_whitespace ?? true;
      const norm = (x) => normText(x, cs, ws);
      const alts = hashed ? null : g_gapsIn(q.text).map((g) => g.split("|").map(g_strip));
      const nums = hashed ? q.gap_numbers
        : alts.map((list) => list.map(parseNumber).filter((x) => x !== null));
      return gaps(hashed ? q.gaps : alts.map((list) => list.map(norm)), norm, nums);
    }
    case "drag_words": {
      const norm = (x) => normText(x, true);
      return gaps(hashed ? q.gaps : g_gapsIn(q.text).map((w) => [norm(g_strip(w))]), norm);
    }
    case "numeric": {
      if (g_blank(r)) return empty();
      const x = parseNumber(r);
      if (x === null) return invalid();
      for (let i = 0; i < q.answers.length; i++) {
        const a = q.answers[i];
        const s = a.score ?? 1;
        if (g_numMatch(a, x)) return res(s, s === 1, [`answer:${i}`]);
      }
      return res(0, false, ["nomatch"]);
    }
    case "short_text": {
      if (g_blank(r)) return empty();
      if (typeof r !== "string") return invalid();
      const cs = !!q.case_sensitive;
      const folded = normText(r, true);
      const given = K(normText(r, cs));
      for (let i = 0; i < q.answers.length; i++) {
        const a = q.answers[i];
        const s = a.score ?? 1;
        const ok = a.text != null ? given === (hashed ? a.text : normText(a.text, cs)) : g_regex(a.regex, cs, folded);
        if (ok) return res(s, s === 1, [`answer:${i}`]);
      }
      return res(0, false, ["nomatch"]);
    }
    case "matching": {
      if (r === null || (g_isDict(r) && Object.values(r).every(g_blank))) return empty();
      if (!fits(q.pairs.map((p) => p.id)) || !Object.values(r).every((v) => v == null || typeof v === "string")) {
        return invalid();
      }
      let good = 0;
      const fb = q.pairs.map((p) => {
        const v = g_own(r, p.id) ? r[p.id] : null;
        if (g_blank(v)) return `pair:${p.id}:empty`;
        if (K(v) !== p.right) return `pair:${p.id}:wrong`;
        good++;
        return `pair:${p.id}:correct`;
      });
      return res(good / q.pairs.length, good === q.pairs.length, fb);
    }
    case "ordering": {
      if (r === null || (Array.isArray(r) && !r.length)) return empty();
      const ids = hashed ? q.ids : q.items.map((i) => i.id);
      const sorted = (a) => JSON.stringify([...a].sort());
      if (!Array.isArray(r) || !r.every((x) => typeof x === "string") || sorted(r) !== sorted(ids)) return invalid();
      let good = 0;
      const fb = r.map((got, p) => {
        const ok = (hashed ? K(`${p}:${got}`) : got) === q.items[p].id;
        good += ok;
        return `position:${p + 1}:${ok ? "correct" : "wrong"}`;
      });
      const n = ids.length;
      const exact = good === n;
      return res((q.partial_credit ?? true) ? good / n : (exact ? 1 : 0), exact, fb);
    }
    case "essay": {
      if (g_blank(r)) return ungraded(0, 0, ["empty"]);
      if (typeof r !== "string") return ungraded(0, 0, ["invalid"]);
      const low = normText(r);
      return ungraded(0, 0, [countWords(r) < (q.min_words || 0) ? "too_short" : "submitted"].concat(
        (q.keywords || []).map((k, i) => `keyword:${i}:${low.includes(normText(k)) ? "found" : "missing"}`)));
    }
    case "likert": {
      const n = q.scale.length;
      const ids = q.statements.map((s) => s.id);
      const top = n * ids.length;
      if (r === null || (g_isDict(r) && !Object.keys(r).length)) return ungraded(0, top, ["empty"]);
      if (!fits(ids) || !Object.values(r).every((v) => Number.isInteger(v) && v >= 1 && v <= n)) {
        return ungraded(0, top, ["invalid"]);
      }
      const vals = Object.values(r);
      const total = vals.reduce((s, v) => s + v, 0);
      if (vals.length < ids.length) return ungraded(total, top, ["incomplete"]);
      const mean = total / ids.length;
      const band = (q.bands || []).findIndex((b) => b.min <= mean && mean <= b.max);
      return ungraded(total, top, [band < 0 ? "noband" : `band:${band}`]);
    }
    case "flashcards": {
      const n = q.cards.length;
      if (r === null || (g_isDict(r) && !Object.keys(r).length)) return ungraded(0, n, ["empty"]);
      if (!fits(q.cards.map((c) => c.id)) || !Object.values(r).every((v) => v === "known" || v === "unknown")) {
        return ungraded(0, n, ["invalid"]);
      }
      return ungraded(Object.values(r).filter((v) => v === "known").length, n,
        q.cards.map((c) => `card:${c.id}:${g_own(r, c.id) ? r[c.id] : "unseen"}`));
    }
    case "code":
      return ungraded(0, g_round(pts), ["needs_kernel"]);
    default:
      throw new Error(`question ${q.id}: type ${JSON.stringify(t)} has no grader`);
  }
}
