// numbers in the learner's language (0,5 in German), at most two decimals.  The first
// Intl.NumberFormat of a page costs tens of ms (ICU data) and the first render formats the
// points of every question: small whole numbers in the languages h4s ships (all Latin digits,
// no grouping below 1000) are written directly; one cached formatter per language otherwise
const formats = {};
const LATIN_DIGITS = /^(en|bg|cs|da|de|el|es|et|fi|fr|ga|hr|hu|it|lt|lv|mt|nl|pl|pt|ro|sk|sl|sv)\b/i;
export function fmt(x, lang) {
  const v = typeof x === "number" && isFinite(x) ? Math.round(x * 100) / 100 : 0;
  lang = lang || "en";
  if (Number.isInteger(v) && v >= 0 && v < 1000 && LATIN_DIGITS.test(lang)) return String(v);
  try {
    formats[lang] = formats[lang] || new Intl.NumberFormat(lang, { maximumFractionDigits: 2 });
    return formats[lang].format(v);
  } catch (e) {
    return String(v);
  }
}
