// The xAPI interaction mapping of h4s_kit/records/xapi.py, in one place for the browser: the records of a
// static page (records.js) and the SCORM runtime (scorm.js, whose 2004 responses are these patterns).
// Each type's module says its interactionType and the kind of its response (types/*.js: `xapi`);
// tests/test_records_xapi.py runs both languages on the same cases.
import { parseNumber } from "./grader/text.js";
import { XAPI } from "./types/xapi.gen.js";

/** compact JSON with sorted keys: the same bytes as Python's canonical_json */
export function canonicalJson(v) {
  if (Array.isArray(v)) return "[" + v.map((x) => (x === undefined ? "null" : canonicalJson(x))).join(",") + "]";
  if (v && typeof v === "object") {
    return "{" + Object.keys(v).sort().filter((k) => v[k] !== undefined)
      .map((k) => JSON.stringify(k) + ":" + canonicalJson(v[k])).join(",") + "}";
  }
  return v === undefined ? "null" : JSON.stringify(v);
}

/** The xAPI interactionType of an h4s question type ("other" for a type without one). */
export const interactionType = (type) => (XAPI[type] && XAPI[type].interaction) || "other";

/** A numeric response as xAPI writes it ("3,5" -> "3.5"), "" when it is no number (xapi._number). */
export function numberPattern(r) {
  const x = parseNumber(r);
  return x === null ? "" : String(x);
}

/**
 * The learner's response as an xAPI response string for its interactionType (xapi.response_pattern): ids for
 * choice and sequencing, `source[.]target` ids for matching and Likert, a number for numeric, texts for fill-in.
 * @param {string} type the h4s question type
 * @param {*} r the response
 * @param {object} [spec] the question as the page shows it (matching: its `rights`)
 */
export function responsePattern(type, r, spec) {
  const s = (x) => (x === null || x === undefined ? "" : String(x));
  if (r === null || r === undefined) return "";
  const kind = XAPI[type] && XAPI[type].pattern;
  if (typeof kind === "function") return kind(r, spec);   // a type's own
  if (kind === "number") return numberPattern(r);
  if (kind === "boolean") return r === true ? "true" : r === false ? "false" : s(r);
  if (kind === "list" && Array.isArray(r)) return r.map(s).join("[,]");
  if ((kind === "pairs" || kind === "likert") && r && typeof r === "object" && !Array.isArray(r)) {
    const rights = (spec && spec.rights) || [];
    return Object.keys(r).map((k) => [k, kind === "likert" ? r[k] : rights.indexOf(r[k]) + 1])
      .filter((p) => typeof p[1] === "number" && p[1] > 0).map((p) => p.join("[.]")).join("[,]");
  }
  return typeof r === "object" ? canonicalJson(r) : s(r);
}

/** text of an option's HTML: tags dropped, spaces collapsed (as xapi.plain; entities such as &amp; stay) */
export const plainText = (html) => html.replace(/<[^>]*>/g, "").replace(/\s+/g, " ").trim();

/**
 * The interaction's components as the page shows them: ids and texts, never which is right
 * (xapi.interaction_components).  A Likert question is a matching of its statements to its scale points.
 */
export function interactionComponents(type, spec, lang) {
  const out = {};
  if (!spec) return out;
  const c = (id, t) => ({ id, description: { [lang]: t } });
  const own = XAPI[type] && XAPI[type].components;   // a type's own, from its public spec
  if (own) return own(spec, c);
  const list = (a) => a.map((o) => c(o.id, plainText(o.html)));
  const choices = spec.options || spec.items;
  const source = spec.lefts || spec.statements;
  if (choices && choices.length) out.choices = list(choices);
  if (source && source.length) {
    out.source = list(source);
    out.target = (spec.rights || spec.scale).map((t, k) => c("" + (k + 1), t));
  }
  return out;
}
