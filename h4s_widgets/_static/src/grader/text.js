// Text and number rules of h4s_widgets/_grading.py, for the JS graders (tested on tests/cases/grading_cases.json).

/** Whitespace set WS of _grading.py (the same as what String.prototype.trim removes). */
const WS = /[\t-\r \xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]+/g;
/** Python's str.strip(): removes the characters of str.isspace at both ends. */
const PYSPACE = "[\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+";
const PYSTRIP = new RegExp(`^${PYSPACE}|${PYSPACE}$`, "g");

export const strip = (s) => s.replace(PYSTRIP, "");
export const own = (o, k) => Object.prototype.hasOwnProperty.call(o, k);
export const isDict = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
export const round4 = (x) => Math.floor(x * 10000 + 0.5) / 10000;
/** Gaps `[[...]]` of a text (Python: GAP_RE = \[\[(.+?)\]\], "." does not match "\n"). */
export const gapsIn = (text) => [...text.matchAll(/\[\[([^\n]+?)\]\]/g)].map((m) => m[1]);

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
  if (foldWs) s = s.replace(WS, " ").replace(/^ | $/g, "");
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
  const s = v.normalize("NFC").replace(WS, "").replace(/\u2212/g, "-");
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

/** Nothing given: null, undefined, or a string of whitespace. */
export const blank = (v) => v == null || (typeof v === "string" && normText(v) === "");
/** x equals t within tol (and a relative 1e-9 for floating point). */
export const close = (x, t, tol) => Math.abs(x - t) <= tol + 1e-9 * Math.max(1, Math.abs(t));

/** A Python regular expression matched against all of s; one that JS cannot compile matches nothing. */
export function fullMatch(re, cs, s) {
  try {
    return new RegExp(`^(?:${re})$`, cs ? "u" : "iu").test(s);
  } catch (e) {
    return false;
  }
}
