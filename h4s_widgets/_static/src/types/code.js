// code: a Python exercise run against tests in the kernel (h4s_widgets/_code_runner.py); a static page
// offers the live version.  Response: the code.
import { ICON, el, liveUrl, newId } from "../ui/dom.js";

export const name = "code";
export const xapi = { interaction: "other" };

export function grade(q, r, g) {
  return g.ungraded(0, g.res(0).max_score, ["needs_kernel"]);
}

const STATUS = { syntax_error: "Your code has a syntax error", timeout: "Your code took too long",
  learner_error: "Your code raised an error", crashed: "Your code raised an error",
  setup_error: "Your code raised an error" };

export function verdict(q, st, T) {
  const r = st.result || {};
  if (!q.graded) return undefined;
  const msg = STATUS[(r.details || {}).status || (r.feedback || [])[0]];
  if (msg) return { kind: "wrong", text: T(msg) };
}

export function view(q, c) {
  const T = c.T;
  const id = newId("code");
  const helpId = newId("help");
  const ta = el("textarea", { id, class: "h4s-code", spellcheck: "false", autocapitalize: "off", autocomplete: "off",
    wrap: "off", rows: String(Math.max(6, (q.starter || "").split("\n").length + 2)), "aria-describedby": helpId });
  ta.value = q.starter || "";
  let escaped = false;
  ta.addEventListener("keydown", (e) => {
    if (e.key === "Escape") { escaped = true; return; }
    if (e.key === "Tab" && !e.ctrlKey && !e.altKey && !e.metaKey) {
      if (escaped) { escaped = false; return; } // let the browser move focus
      e.preventDefault();
      indent(ta, e.shiftKey);
      return;
    }
    if (e.key !== "Shift") escaped = false;
  });
  ta.addEventListener("blur", () => { escaped = false; });
  const label = el("label", { for: id, class: "h4s-label", text: T("Your answer") });
  const help = el("p", { class: "h4s-help", id: helpId, text: T("Tab indents. Press Esc, then Tab, to leave the editor.") });
  const isStatic = c.mode === "static";
  const body = [label, ta, help];
  let extraActions = null;
  if (isStatic) {
    const url = liveUrl(c.spec);
    body.push(el("p", { class: "h4s-note" }, [
      el("span", { class: "h4s-icon", "aria-hidden": "true", text: ICON.info }), " ",
      T("This exercise needs Python. Open the interactive version to run your code."),
    ]));
    if (url) extraActions = [el("a", { class: "h4s-btn h4s-btn-link h4s-live-link", href: url, text: T("Open the interactive version") })];
  }
  return {
    body,
    checkLabel: isStatic ? null : T("Run tests"),
    busyLabel: T("Running\u2026"),
    solutionAlways: isStatic,
    extraActions,
    getResponse: () => ta.value,
    statusExtra(st, box) {
      const d = (st.result && st.result.details) || {};
      if (d.message && d.status && d.status !== "ok") box.append(el("pre", { class: "h4s-error", text: d.message }));
      if (d.status === "ok" && Array.isArray(d.tests)) {
        box.append(el("ul", { class: "h4s-tests" }, d.tests.map((t) => {
          const ok = t.status === "passed";
          return el("li", { class: "h4s-test h4s-test--" + (ok ? "ok" : "bad") }, [
            el("span", { class: "h4s-icon", "aria-hidden": "true", text: ok ? ICON.correct : ICON.wrong }),
            el("strong", { text: (ok ? T("Test passed") : T("Test failed")) + ": " }),
            el("span", { text: t.name }),
            !ok && t.message ? el("span", { class: "h4s-test-msg", text: " \u2014 " + t.message }) : null,
          ]);
        })));
      }
    },
  };
}

function indent(ta, out) {
  const v = ta.value;
  const s = ta.selectionStart;
  const lineStart = v.lastIndexOf("\n", s - 1) + 1;
  if (out) {
    const m = /^ {1,4}/.exec(v.slice(lineStart));
    if (!m) return;
    ta.setRangeText("", lineStart, lineStart + m[0].length, "preserve");
    ta.selectionStart = ta.selectionEnd = Math.max(lineStart, s - m[0].length);
  } else {
    const sp = "    ".slice((s - lineStart) % 4);
    ta.setRangeText(sp, s, ta.selectionEnd, "end");
  }
  ta.dispatchEvent(new Event("input", { bubbles: true }));
}
