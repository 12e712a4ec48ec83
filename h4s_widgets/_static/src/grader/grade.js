// The JS grader: the rules of h4s_widgets/_grading.py for pages without a kernel (browsers, file://, node).
// Each question type's rule is the `grade` of its module in types/ (see registry.js); this file gives them
// what they share: defaults from the schema, the salted key of a static key, the result's shape.
import { DEFAULTS } from "../defaults.gen.js";
import { GRADERS } from "../registry.js";
import { keyHash } from "./sha256.js";
import { isDict, round4 } from "./text.js";

/**
 * @typedef {{score: number, max_score: number, correct: (boolean|null), feedback: string[]}} GradeResult
 */

/**
 * Grade a response, with the rules of _grading.py.
 * @param {object} q a question dict (schema defaults applied here, from defaults.gen.js) or its static key
 *   (_spec.static_key: has `salt`, key values hashed with keyHash)
 * @param {*} r the response (see "Responses per type" in docs-dev/CONTRACTS.md)
 * @returns {GradeResult}
 */
export function grade(q, r) {
  const fn = GRADERS[q.type];
  if (!fn) throw new Error(`question ${q.id}: type ${JSON.stringify(q.type)} has no grader`);
  const d = DEFAULTS[q.type] || {};
  const opt = (k) => q[k] ?? d[k];
  const hashed = q.salt != null;
  const pts = opt("points") ?? 0;
  const res = (frac, correct, feedback) => ({ score: round4(frac * pts), max_score: round4(pts), correct, feedback });
  if (r === undefined) r = null;
  return fn(q, r, {
    hashed,
    pts,
    opt,
    /** a key value as the key holds it: hashed in a static key */
    K: (v) => (hashed ? keyHash(q.salt, q.id, v) : v),
    res,
    empty: () => res(0, false, ["empty"]),
    invalid: () => res(0, false, ["invalid"]),
    ungraded: (score, max, feedback) => ({ score, max_score: max, correct: null, feedback }),
    /** r is an object whose keys are all among ids */
    fits: (ids) => isDict(r) && Object.keys(r).every((k) => ids.includes(k)),
    /** defaults of a part of a question (NumericAnswer, TextAnswer) */
    part: (name, obj, k) => obj[k] ?? (DEFAULTS[name] || {})[k],
  });
}
