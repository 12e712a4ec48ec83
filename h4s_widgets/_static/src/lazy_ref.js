// The static runtime's late part (lazy.js, built as dist/runtime-lazy.js): grading in the page (the types'
// graders are in their chunks; the rest: defaults, SHA-256 for hashed keys, the session rule), solutions,
// grading by h4s serve and its offline outbox, the records and "Download my results".  No quiz needs it to
// show, so a page runs it when it is idle (or at the first answer, if that comes earlier): from a non-executed
// inline <script type="text/plain" id="h4s-lazy"> (single-file and inline pages: they work offline), or from
// the file named by the runtime tag's data-h4s-lazy (book pages: _static/h4s/quiz-lazy-<hash>.js, cached with
// the page when a learner keeps it offline).  In the runtime bundle, draw.js's import of grader/sha256.js
// comes here (scripts/build_js.mjs): a pool's draw waits for needLazy().
const LAZY = { m: null, p: null, kit: null };

export const sha256hex = (str) => LAZY.m.sha256hex(str);

/** the kit the late part takes from the runtime (runtime.js: KIT) */
export function setKit(kit) { LAZY.kit = kit; }

/** A promise of the late part's module, run once; a file that failed to load is asked again next time. */
export function needLazy() {
  return LAZY.p || (LAZY.p = new Promise((ok, no) => {
    window.__h4sL = (factory) => ok(LAZY.m = factory(LAZY.kit));
    const inline = document.getElementById("h4s-lazy");
    const file = document.querySelector("[data-h4s-lazy]");
    const s = document.createElement("script");
    if (inline) s.text = inline.textContent;
    else if (file) {
      s.src = file.getAttribute("data-h4s-lazy");
      s.onerror = () => { LAZY.p = null; s.remove(); no(new Error("could not load " + s.src)); };
    } else return no(new Error("this page has no h4s-lazy part"));
    document.head.append(s);
  }));
}
