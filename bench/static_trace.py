"""bench static, where the time goes: Chromium traces of h4s's standalone page and of control pages.

    .venv/bin/python bench/static_page.py --pages standalone     # builds the pages once
    .venv/bin/python bench/static_trace.py [--runs 15]
    .venv/bin/python bench/static_page.py --pages book            # the book pages
    .venv/bin/python bench/static_trace.py --book [--runs 15]

static_page.py says *how long* until 50 questions are visible; this script says *what* the time is spent
on, and which part of it a quiz can change.  From h4s's standalone page (bench/_work/static/standalone)
it makes control pages that differ in one thing each, then loads all of them alternately, each in a fresh
Chromium context after a blank page of the same origin (as static_page.py), with a performance trace
(categories devtools.timeline, loading, blink.user_timing) and the same in-page watch of the questions.  Per page, medians of:

* response: navigation start to the first byte of the page;
* main-thread time before the first contentful paint: HTML parsing (scripts excluded), script, style
  (UpdateLayoutTree), layout, paint;
* laid out: all questions in the DOM and laid out (the in-page watch of static_page.py);
* first contentful paint (FCP).

The pages: a one-line page (the browser's floor); the same with a paragraph made by a script; h4s's page
with the runtime and its CSS but no quiz; h4s's page with 5, then 50 questions; the 50-question page with
the quiz's DOM pre-rendered into the HTML (what server-side rendering could at best give); the same page
without the quiz's CSS (unstyled questions); jupyterquiz's standalone page (50 questions, nbconvert).

With ``--book``, the two book pages of static_page.py and controls made from them: each tool's questions as
mounted, put into the page by one ``outerHTML`` where the quiz is, with none of the tool's script (what the
markup alone costs), and h4s's also without its headings, fieldsets and legends, Check buttons and live regions.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import sys

from static_page import CHROMIUM_ARGS, FCP, N, WATCH, WORK, serve

STANDALONE = WORK / "standalone"
MAIN = ("ParseHTML", "EvaluateScript", "UpdateLayoutTree", "Layout", "Paint")


def _data_span(s: str) -> tuple[int, int]:
    i = s.index('<script type="application/json" class="h4s-data">') + len('<script type="application/json" class="h4s-data">')
    return i, s.index("</script>", i)


@contextlib.contextmanager
def _tab(directory):
    """A Chromium tab and the address of ``directory``, served while the block runs."""
    from playwright.sync_api import sync_playwright
    srv, base = serve(directory)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox"])
            try:
                yield browser.new_page(), base
            finally:
                browser.close()
    finally:
        srv.shutdown()


def prerendered(page: str) -> str:
    """The page with the quiz's DOM, as the runtime builds it in Chromium, written into the HTML, and the
    runtime started only after the first frame (it then removes the copy and mounts as usual): what a
    server-side rendering of the questions could at best give, with no script before the first paint."""
    with _tab(STANDALONE) as (tab, base):
        tab.goto(f"{base}/h4s.html")
        inner = tab.evaluate("document.querySelector('.h4s-quiz .h4s-inner').outerHTML")
    opening = '<div class="h4s-quiz h4s-static" data-h4s-static lang="en">'
    a = page.index(opening) + len(opening)
    page = page[:a] + inner + page[a:]
    i = page.index('<script id="h4s-runtime">') + len('<script id="h4s-runtime">')
    j = page.index("</script>", i)
    return (page[:i] + "requestAnimationFrame(() => setTimeout(() => {"
            "document.querySelectorAll('.h4s-quiz > .h4s-inner').forEach((e) => e.remove());\n"
            + page[i:j] + "\n}, 0));" + page[j:])


def make_controls() -> dict[str, tuple[str, str, int]]:
    """{label: (file, selector, questions)} written beside the standalone pages."""
    page = (STANDALONE / "h4s.html").read_text(encoding="utf-8")
    d = STANDALONE
    (d / "ctl-script-line.html").write_text(
        "<!DOCTYPE html><html lang='en'><title>one line</title><p>One line of text.</p><script>"
        "const p=document.createElement('p');p.className='h4s-question';p.textContent='Made by a script.';"
        "document.body.append(p);</script></html>", encoding="utf-8")
    a = page.index('<div class="h4s-quiz h4s-static"')
    b = page.index("</div>", a) + len("</div>")
    (d / "ctl-no-quiz.html").write_text(page[:a] + page[b:], encoding="utf-8")
    i, j = _data_span(page)
    data = json.loads(page[i:j].replace("<\\/", "</"))
    data["spec"] = dict(data["spec"], questions=data["spec"]["questions"][:5])
    data["static"] = data["static"][:5]
    five = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    (d / "ctl-5-questions.html").write_text(page[:i] + five + page[j:], encoding="utf-8")
    (d / "ctl-prerendered.html").write_text(prerendered(page), encoding="utf-8")
    a = page.index('<style id="h4s-css">') + len('<style id="h4s-css">')
    (d / "ctl-no-css.html").write_text(page[:a] + page[page.index("</style>", a):], encoding="utf-8")
    return {
        "one line of text (floor)": ("h4s-bench-one-line.html", "p", 1),
        "one line + a paragraph made by a script": ("ctl-script-line.html", ".h4s-question", 1),
        "h4s page, runtime and CSS, no quiz": ("ctl-no-quiz.html", "", 0),
        "h4s page, 5 questions": ("ctl-5-questions.html", ".h4s-question", 5),
        f"h4s page, {N} questions": ("h4s.html", ".h4s-question", N),
        f"h4s page, {N} questions pre-rendered in the HTML, runtime after the first frame":
            ("ctl-prerendered.html", ".h4s-question", N),
        f"h4s page, {N} questions, without the quiz's CSS": ("ctl-no-css.html", ".h4s-question", N),
        f"jupyterquiz page, {N} questions": ("jupyterquiz.html", ".Quiz", N),
    }


BOOK = WORK / "_build" / "html"

# what is left of h4s's questions when their accessible markup goes: headings, fieldsets and legends, the Check
# buttons and the live regions (as plain as jupyterquiz's questions, which have none of these)
_PLAIN = """(r) => {
  const swap = (sel) => r.querySelectorAll(sel).forEach((e) => {
    const d = document.createElement('div');
    for (const a of e.attributes) d.setAttribute(a.name, a.value);
    d.append(...e.childNodes); e.replaceWith(d);
  });
  swap('h3, h4, fieldset, legend');
  r.querySelectorAll('.h4s-actions, .h4s-feedback').forEach((e) => e.remove());
}"""


def _markup_only(page: str, start: int, end: int, html: str) -> str:
    """``page`` with ``page[start:end]`` (a quiz and the script that draws it) replaced by its mounted DOM, put
    in by one ``outerHTML`` at the same place: the quiz's markup without any of its script."""
    return (page[:start] + '<div id="ctl-mount"></div><script>document.getElementById("ctl-mount").outerHTML = '
            + json.dumps(html).replace("</", "<\\/") + ";</script>" + page[end:])


def make_book_controls() -> dict[str, tuple[str, str, int]]:
    """{label: (file, selector, questions)} beside the book pages of static_page.py: each tool's page as built,
    and its questions' mounted markup alone (no script of the tool), h4s's also without its accessible parts."""
    h4s, jq = ((BOOK / f).read_text(encoding="utf-8") for f in ("h4s.html", "jupyterquiz.html"))
    with _tab(BOOK) as (tab, base):
        tab.goto(f"{base}/h4s.html")
        tab.wait_for_selector(".h4s-question")
        grab = ("(plain) => { const r = document.querySelector('.h4s-quiz').cloneNode(true);"
                " r.querySelectorAll('script, noscript').forEach((e) => e.remove());"
                " if (plain) (%s)(r); return r.outerHTML; }" % _PLAIN)
        h4s_markup, h4s_plain = tab.evaluate(grab, False), tab.evaluate(grab, True)
        tab.goto(f"{base}/jupyterquiz.html")
        tab.wait_for_selector(".Quiz")
        jq_id = tab.evaluate("document.querySelector('.Quiz').parentElement.id")
        jq_markup = tab.evaluate("(id) => document.getElementById(id).outerHTML", jq_id)
    a = h4s.index('<div class="h4s-quiz h4s-static"')
    b = h4s.index("</div>", h4s.index('<script id="h4s-runtime"')) + len("</div>")
    (BOOK / "ctl-h4s-markup.html").write_text(_markup_only(h4s, a, b, h4s_markup), encoding="utf-8")
    (BOOK / "ctl-h4s-plain.html").write_text(_markup_only(h4s, a, b, h4s_plain), encoding="utf-8")
    a = jq.index(f'<div id="{jq_id}"')
    b = jq.index("</script>", a) + len("</script>")
    (BOOK / "ctl-jq-markup.html").write_text(_markup_only(jq, a, b, jq_markup), encoding="utf-8")
    return {
        f"h4s book page, {N} questions": ("h4s.html", ".h4s-question", N),
        "h4s: its questions' markup alone (one outerHTML, no h4s script)": ("ctl-h4s-markup.html", ".h4s-question", N),
        "h4s: the same without headings, fieldsets, Check buttons, live regions":
            ("ctl-h4s-plain.html", ".h4s-question", N),
        f"jupyterquiz book page, {N} questions": ("jupyterquiz.html", ".Quiz", N),
        "jupyterquiz: its questions' markup alone (one outerHTML, no script)": ("ctl-jq-markup.html", ".Quiz", N),
    }


def trace_once(browser, base: str, file: str, sel: str, n: int) -> dict[str, float]:
    ctx = browser.new_context()
    page = ctx.new_page()
    page.goto(f"{base}/h4s-bench-blank.html")
    if n:
        page.add_init_script(WATCH % (sel, n))
    browser.start_tracing(page=page, categories=["devtools.timeline", "loading", "blink.user_timing"])
    page.goto(f"{base}/{file}", wait_until="load")
    fcp = page.wait_for_function(FCP, timeout=5000).json_value()
    laid = page.wait_for_function("() => window.__benchVisibleAt || false", timeout=5000).json_value() if n else None
    events = json.loads(browser.stop_tracing())["traceEvents"]
    ctx.close()
    t0 = min(e["ts"] for e in events if e.get("name") == "navigationStart")
    t_fcp = next(e["ts"] for e in events if e.get("name") == "firstContentfulPaint")
    before = [e for e in events if t0 <= e["ts"] < t_fcp and e.get("ph") == "X"]
    total = {k: sum(e.get("dur", 0) for e in before if e["name"] == k) / 1000 for k in MAIN}
    total["ParseHTML"] -= total["EvaluateScript"]  # scripts run inside the parser's task
    responses = [e["ts"] for e in events if e.get("name") == "ResourceReceiveResponse"]
    out = {"response": (min(responses) - t0) / 1000 if responses else float("nan"), **total,
           "laid out": laid if laid is not None else float("nan"),
           "FCP": fcp}
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--book", action="store_true", help="the book pages and their markup-only controls instead")
    a = ap.parse_args()
    where, made_by = (BOOK, "--pages book") if a.book else (STANDALONE, "--pages standalone")
    if not (where / "h4s.html").exists():
        sys.exit(f"{where / 'h4s.html'} is missing: run `python bench/static_page.py {made_by}` first")
    pages = make_book_controls() if a.book else make_controls()
    from playwright.sync_api import sync_playwright
    res: dict[str, dict[str, list[float]]] = {k: {} for k in pages}
    srv, base = serve(where)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
            for _ in range(a.runs):
                for label, (file, sel, n) in pages.items():
                    for k, v in trace_once(browser, base, file, sel, n).items():
                        res[label].setdefault(k, []).append(v)
            browser.close()
    finally:
        srv.shutdown()
    from _util import machine
    print(f"machine: {machine()}; medians in ms of {a.runs} traced loads per page; main-thread columns "
          "are time spent before the first contentful paint")
    cols = ["response", "ParseHTML", "EvaluateScript", "UpdateLayoutTree", "Layout", "Paint", "laid out", "FCP"]
    names = {"ParseHTML": "parse", "EvaluateScript": "script", "UpdateLayoutTree": "style"}
    print("| page | " + " | ".join(names.get(c, c) for c in cols) + " |")
    print("| --- |" + " ---: |" * len(cols))
    for label, r in res.items():
        cells = []
        for c in cols:
            xs = [x for x in r[c] if x == x]  # drop NaN (no questions to watch)
            cells.append(f"{statistics.median(xs):.1f}" if xs else "–")
        print(f"| {label} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
