// DOM helpers shared by the quiz (ui/quiz.js, ui/question.js) and the views of the types (types/*.js).
// A static page's type chunks use the runtime's copy of this module (scripts/build_js.mjs: "kit" modules).
import { countWords, parseNumber } from "../grader/text.js";

export const ICON = { correct: "\u2713", wrong: "\u2717", partial: "\u25d0", info: "\u2139", saved: "\u2713" };
const RUN = Math.random().toString(36).slice(2, 8);
let counter = 0;

/** A page-unique element id. */
export function newId(prefix) {
  counter += 1;
  return "h4s-" + RUN + "-" + prefix + "-" + counter;
}

/** el("div", {class: "x", text: "hi", onclick: fn}, [children]) */
export function el(tag, attrs, children) {
  const e = document.createElement(tag);
  if (attrs) {
    for (const k of Object.keys(attrs)) {
      const v = attrs[k];
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") e.className = v;
      else if (k === "html") {
        // HTML without a tag or an entity is its own text: set it without running the HTML parser
        if (/[<&]/.test(v)) e.innerHTML = v;
        else e.textContent = v;
      }
      else if (k === "text") e.textContent = v;
      else if (k.slice(0, 2) === "on" && typeof v === "function") e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? "" : String(v));
    }
  }
  for (const c of [].concat(children === undefined ? [] : children)) {
    if (c !== null && c !== undefined && c !== false) e.append(c);
  }
  return e;
}

/** The text of some HTML, spaces collapsed. */
export function plain(html) {
  const d = document.createElement("div");
  d.innerHTML = html || "";
  return (d.textContent || "").replace(/\s+/g, " ").trim();
}

/** Typeset the maths in a node when the page has MathJax. */
export function typeset(node) {
  const mj = window.MathJax;
  if (mj && typeof mj.typesetPromise === "function" && node.querySelector(".h4s-math")) {
    mj.typesetPromise([node]).catch(() => {});
  }
}

export const words = (text) => countWords(text || "");

export function isNumber(text) {
  const x = parseNumber(text);
  return x !== null && x !== undefined;
}

/** The live version of a page (spec.live_url, or <meta name="h4s-live-url">). */
export function liveUrl(spec) {
  if (spec && spec.live_url) return spec.live_url;
  const m = document.querySelector('meta[name="h4s-live-url"]');
  return m && m.content ? m.content : null;
}

/** A verdict line: icon (hidden from screen readers) and words. */
export function iconText(kind, text, cls) {
  return el("p", { class: "h4s-verdict h4s-verdict--" + kind + (cls ? " " + cls : "") }, [
    el("span", { class: "h4s-icon", "aria-hidden": "true", text: ICON[kind] }),
    el("strong", { text }),
  ]);
}
