"""bench static: 50 questions in a static page, h4s vs jupyterquiz, measured in the same run.

    .venv/bin/python bench/static_page.py [--runs 9] [--pages book|standalone|both]

Two settings: both quizzes in one Jupyter Book 1.x book with the project's own _config.yml (one notebook
each, executed, as their users publish them), and each tool's own standalone page (h4s's offline/SCORM
page; jupyterquiz's notebook exported with nbconvert).  The code cell that makes each quiz holds its
answers, so it is hidden on both tools' pages, as published quizzes are (cell tag remove-input; nbconvert's
exclude_input for jupyterquiz's page).  Each run opens both pages, alternating, in a fresh
headless Chromium context after a blank page of the same origin (a warm browser with its renderer process
running, a cold cache), and measures from navigation start:

* until all 50 questions are in the DOM and laid out (not display:none), watched from inside the page by
  an init script at every animation frame (see WATCH);
* the page's first contentful paint: when the questions are on screen;
* the browser's floor: the first paint of a page with one line of text, same server and browser.

Every request is logged passively; requests to other hosts are counted and fail at name resolution
(Chromium's --host-resolver-rules), as on a machine with no internet.  Requests are not intercepted with
page.route: interception sends every request through the Playwright client and, measured here, added
~100-300 ms to both pages.  The pages are served by a threaded HTTP/1.1 server (keep-alive, like any real
web server).  Also: bytes of quiz JS (gzip) that each page ships.
"""
from __future__ import annotations

import argparse
import gzip
import http.server
import json
import shutil
import subprocess
import sys
import threading
import time
from functools import partial
from pathlib import Path
from urllib.parse import urlparse

import nbformat

from _util import ROOT, fmt, machine, summary

WORK = ROOT / "bench" / "_work" / "static"
N = 50


def questions_h4s() -> list[dict]:
    out = []
    for i in range(N):
        if i % 2 == 0:
            out.append({"id": f"q{i}", "type": "single_choice", "text": f"Question {i + 1}: what is {i} + 2?",
                        "options": [{"id": "a", "text": str(i + 2)},
                                    {"id": "b", "text": str(i + 3), "feedback": "Count again."}], "answer": "a"})
        else:
            out.append({"id": f"q{i}", "type": "numeric", "text": f"Question {i + 1}: what is {i} times 2?",
                        "answers": [{"value": i * 2}]})
    return out


def questions_jq() -> list[dict]:
    out = []
    for i in range(N):
        if i % 2 == 0:
            out.append({"question": f"Question {i + 1}: what is {i} + 2?", "type": "many_choice",
                        "answers": [{"answer": str(i + 2), "correct": True, "feedback": "Right."},
                                    {"answer": str(i + 3), "correct": False, "feedback": "Count again."}]})
        else:
            out.append({"question": f"Question {i + 1}: what is {i} times 2?", "type": "numeric",
                        "answers": [{"type": "value", "value": i * 2, "correct": True, "feedback": "Right."},
                                    {"type": "default", "feedback": "Try again."}]})
    return out


def make_book() -> Path:
    if WORK.exists():
        shutil.rmtree(WORK)
    WORK.mkdir(parents=True)
    shutil.copy(ROOT / "_config.yml", WORK / "_config.yml")
    (WORK / "index.md").write_text("# Static quiz benchmark\n\n50 questions, h4s and jupyterquiz.\n")
    cells = {
        "h4s": f"from h4s_widgets import Quiz\nQuiz({questions_h4s()!r}, title='50 questions')",
        "jupyterquiz": f"from jupyterquiz import display_quiz\ndisplay_quiz({questions_jq()!r})",
    }
    for name, src in cells.items():
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        # the quiz's source holds its answers: published pages hide it (h4s's modules tag remove-input;
        # Jupyter Book honours the tag for both tools, nbconvert's exclude_input below)
        nb.cells = [nbformat.v4.new_markdown_cell(f"# {name}"),
                    nbformat.v4.new_code_cell(src, metadata={"tags": ["remove-input"]})]
        nbformat.write(nb, WORK / f"{name}.ipynb")
    (WORK / "_toc.yml").write_text("format: jb-book\nroot: index\nchapters:\n- file: h4s\n- file: jupyterquiz\n")
    subprocess.run([str(Path(sys.executable).parent / "jupyter-book"), "build", str(WORK), "--quiet"], check=True,
                   env={**__import__("os").environ, "H4S_RECORDS": "off"})
    return WORK / "_build" / "html"


def quiz_js_bytes(page: Path) -> dict[str, int]:
    """Bytes (gzip) of the quiz JS that h4s's page ships (its inline runtime, or its inline type chunks and the
    runtime file it links; and apart, the runtime's late part), and of jupyterquiz's JS."""
    import re
    html = page.read_text(encoding="utf-8")
    inline = re.search(r'<script id="h4s-runtime"(?![^>]*\ssrc=)[^>]*>(.*?)</script>', html, re.S)
    if inline:
        h4s = "".join(re.findall(r'<script class="h4s-type">(.*?)</script>', html, re.S)) + inline.group(1)
    else:
        chunks = re.findall(r'<script class="h4s-type">(.*?)</script>', html, re.S)
        src = re.search(r'<script id="h4s-runtime" [^>]*src="([^"]+)"', html).group(1)
        h4s = "".join(chunks) + (page.parent / src).read_text(encoding="utf-8")
    # the runtime's late part (grading, records), run when the page is idle: inline (not executed until then)
    # or the file the runtime tag names
    late = re.search(r'<script id="h4s-lazy" type="text/plain">(.*?)</script>', html, re.S)
    late_src = re.search(r'data-h4s-lazy="([^"]+)"', html)
    late_js = late.group(1) if late else (page.parent / late_src.group(1)).read_text(encoding="utf-8") if late_src else ""
    jq_dir = Path(__import__("jupyterquiz").__file__).parent / "js"
    jq = "".join(p.read_text() for p in sorted(jq_dir.glob("*.js")))
    return {"h4s": len(gzip.compress(h4s.encode(), 9)), "jupyterquiz": len(gzip.compress(jq.encode(), 9)),
            "h4s late part": len(gzip.compress(late_js.encode(), 9))}


SELECTOR = {"h4s": ".h4s-question", "jupyterquiz": ".Quiz"}

# Watched from inside the page (an init script, before the page's own scripts): at every animation frame,
# are all 50 questions in the DOM and laid out (not display:none)?  The time is kept in the page and read
# after load.  Polling from Playwright (page.wait_for_function) instead injects Playwright's own script at
# commit and evaluates it every frame: measured here, that delayed both pages' first paint by 15-30 ms.
WATCH = """(() => {
  const SEL = %r, N = %d;
  const tick = () => {
    const q = document.querySelectorAll(SEL);
    if (q.length >= N && [...q].every(e => e.offsetParent !== null)) { window.__benchVisibleAt = performance.now(); return; }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();"""


FCP = ("() => (performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime || false")


def make_standalone() -> Path:
    """Each tool's own single static page, outside any book: h4s's page (the one its SCORM packages and
    offline copies ship, h4s_kit.interop.page) and jupyterquiz's notebook exported with nbconvert, the
    way its users publish a page without a book."""
    from nbclient import NotebookClient
    from nbconvert import HTMLExporter

    from h4s_kit.interop.page import page_document, render_module

    out = WORK / "standalone"
    if out.exists():
        shutil.rmtree(out)
    (out / "h4s-module").mkdir(parents=True)
    shutil.copy(WORK / "h4s.ipynb", out / "h4s-module" / "module.ipynb")
    page = render_module(out / "h4s-module", execute=True)
    (out / "h4s.html").write_text(page_document(page), encoding="utf-8")
    nb = nbformat.read(WORK / "jupyterquiz.ipynb", as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    body, _ = HTMLExporter(exclude_input=True).from_notebook_node(nb)
    (out / "jupyterquiz.html").write_text(body, encoding="utf-8")
    return out


CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
    # no internet, as in many classrooms: any other host fails at once, without intercepting requests
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost"]

BLANK = "h4s-bench-blank.html"
FLOOR = "h4s-bench-one-line.html"


def serve(directory: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    (directory / BLANK).write_text("<!DOCTYPE html><html lang='en'><title>blank</title></html>", encoding="utf-8")
    (directory / FLOOR).write_text("<!DOCTYPE html><html lang='en'><title>one line</title>"
                                   "<p>One line of text.</p></html>", encoding="utf-8")
    class Quiet(http.server.SimpleHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as any real web server

        def log_message(self, *args):  # one line per request would bury the results
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(directory)))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv, f"http://127.0.0.1:{srv.server_address[1]}"


def measure(browser, base: str, runs: int) -> dict:
    times: dict[str, list[float]] = {"h4s": [], "jupyterquiz": []}
    fcp: dict[str, list[float]] = {"h4s": [], "jupyterquiz": []}
    shown: dict[str, list[float]] = {"h4s": [], "jupyterquiz": []}
    requests: dict[str, tuple[int, list[str]]] = {}
    failed: dict[str, str] = {}
    mount: list[float] = []
    for _ in range(runs):
        for name in times:
            ctx = browser.new_context()
            page = ctx.new_page()
            log: list[str] = []
            # a warm browser, a cold cache: a blank page of the same origin first starts the renderer
            # process (100+ ms here), which is the browser's cost, not the page's; nothing of it is cached
            page.goto(f"{base}/{BLANK}")
            page.on("request", lambda r, log=log: log.append(r.url))
            page.add_init_script(WATCH % (SELECTOR[name], N))
            page.goto(f"{base}/{name}.html", wait_until="load")
            t = f = None
            try:
                t = page.wait_for_function("() => window.__benchVisibleAt || false", timeout=15000).json_value()
                times[name].append(t / 1000)
            except Exception as e:  # the peer may never show its quiz offline
                failed[name] = str(e).splitlines()[0]
            try:
                f = page.wait_for_function(FCP, timeout=5000).json_value()
                fcp[name].append(f / 1000)
            except Exception:
                pass
            if t is not None and f is not None:
                # on screen: laid out, and the page has painted (a page that paints before the quiz is
                # mounted shows the questions in a later frame, so this is a lower bound there)
                shown[name].append(max(t, f) / 1000)
            if name == "h4s":
                mount.append(page.evaluate(
                    "performance.getEntriesByName('h4s:mount').reduce((a, e) => a + e.duration, 0)") / 1000)
            third = sorted({u for u in log if urlparse(u).scheme in ("http", "https", "ws", "wss")
                            and urlparse(u).hostname not in ("127.0.0.1", "localhost")})
            requests[name] = (len(log), third)
            ctx.close()
    floor = []   # what any page costs in this browser: first paint of one line of text, same conditions
    for _ in range(runs):
        ctx = browser.new_context()
        page = ctx.new_page()
        page.goto(f"{base}/{BLANK}")
        page.goto(f"{base}/{FLOOR}", wait_until="load")
        floor.append(page.wait_for_function(FCP, timeout=5000).json_value() / 1000)
        ctx.close()
    return {"times": times, "fcp": fcp, "requests": requests, "failed": failed, "mount": mount, "floor": floor, "shown": shown}


def report(label: str, m: dict, size: dict[str, int]) -> None:
    print(f"--- {label}")
    res, shown = {}, {}
    for name, xs in m["times"].items():
        if xs:
            res[name] = summary(f"{name}: all {N} questions in the DOM and laid out", xs)
            print(fmt(res[name]))
        else:
            print(f"{name}: questions never all visible ({m['failed'].get(name)})")
        if m["fcp"][name]:
            print(fmt(summary(f"{name}: first contentful paint of the page", m["fcp"][name])))
        if m["shown"][name]:
            shown[name] = summary(f"{name}: all {N} questions visible (laid out and the page painted)",
                                  m["shown"][name])
            print(fmt(shown[name]))
        total, third = m["requests"][name]
        print(f"{name}: {total} requests, {len(third)} to other hosts {third}")
        late = (f" before its quizzes show (+ {size['h4s late part'] / 1024:.1f} KB late part: grading and records, "
                "run when the page is idle)") if name == "h4s" else ""
        print(f"{name}: quiz JS {size[name] / 1024:.1f} KB gzip{late}")
    if m["floor"]:
        print(fmt(summary("browser floor: first contentful paint of a one-line page, same server and browser",
                          m["floor"])))
    if m["mount"]:
        print(fmt(summary("h4s: runtime mounting the 50 questions (performance.measure h4s:mount)", m["mount"])))
    if len(res) == 2:
        print(f"ratio h4s / jupyterquiz (time to all laid out): {res['h4s']['median'] / res['jupyterquiz']['median']:.2f}")
    if len(shown) == 2:
        print(f"ratio h4s / jupyterquiz (time to all visible): "
              f"{shown['h4s']['median'] / shown['jupyterquiz']['median']:.2f}")
    print(json.dumps({"times": m["times"], "js_gzip": size}, indent=None)[:2000])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--no-build", action="store_true", help="reuse the pages built by an earlier run")
    ap.add_argument("--pages", choices=("book", "standalone", "both"), default="both",
                    help="book: both quizzes in one Jupyter Book 1.x; standalone: each tool's own single page")
    a = ap.parse_args()
    dirs = {}
    if a.pages in ("book", "both") or not (WORK / "h4s.ipynb").exists():
        dirs["book"] = WORK / "_build" / "html" if a.no_build else make_book()
    if a.pages in ("standalone", "both"):
        dirs["standalone"] = WORK / "standalone" if a.no_build else make_standalone()
    if a.pages == "standalone":
        dirs.pop("book", None)

    from playwright.sync_api import sync_playwright
    results = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        for label, d in dirs.items():
            srv, base = serve(d)
            try:
                results[label] = measure(browser, base, a.runs)
            finally:
                srv.shutdown()
        browser.close()
    print(f"machine: {machine()}")
    for label, m in results.items():
        size = quiz_js_bytes(dirs[label] / "h4s.html")
        report({"book": "in one Jupyter Book 1.x page each",
                "standalone": "standalone: h4s's own page vs jupyterquiz exported with nbconvert"}[label], m, size)


if __name__ == "__main__":
    main()
