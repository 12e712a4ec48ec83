"""bench page weight (issue 21): what a learner's browser downloads for a module page, and how soon its first
question is usable on a slow connection; h4s's book against a default Jupyter Book 1 book of the same modules.

    .venv/bin/python bench/page_weight.py [--runs 5] [--module 04-open-educational-resources]
                                          [--next 05-writing-good-questions] [--no-build]

Three books of the same pages (book/ and all modules/, the toc that `h4s build` writes), built in
bench/_work/weight/ (kept between runs; --no-build reuses them):

* h4s          `h4s build` with the project's _config.yml;
* jb-default   `jupyter-book build` with a plain Jupyter Book 1 _config.yml (title, author, execution in
               the module's folder, nothing else): the quiz is shown as an ipywidget, whose JavaScript
               Jupyter Book loads from cdnjs and jsDelivr;
* jb-static    the same plain config plus the two lines that make Jupyter Book show the quiz's own HTML
               (the static quiz, as h4s's book does): the default theme's weight with a quiz that works
               without the CDN.

All three are served the same way: the front server of `h4s serve` (gzip, its cache headers, the grading
API), tests/_pageweight.py.  Chromium (headless, a phone-sized viewport) counts the bytes on the wire of
every request (headers and compressed bodies, DevTools protocol); other hosts fail at name resolution
(--host-resolver-rules), as on a machine without internet, and are listed, not counted in bytes.

* weight: a fresh browser context (cold cache) opens the module page, waits until the network is quiet,
  then opens the next module page in the same context: bytes and requests of each visit;
* time to the first usable question: a fresh context with Chromium's network emulation (400 kbit/s down
  and up, 400 ms latency), from navigation start until the page's first question is rendered, styled, and
  its input and Check button are enabled (tests/_pageweight.FIRST_QUESTION_USABLE).  --runs runs per
  book, alternating; medians and ranges.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _util import ROOT, machine

sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

WORK = ROOT / "bench" / "_work" / "weight"
BIN = Path(sys.executable).parent
BOOKS = ("h4s", "jb-default", "jb-static")
HOST_RULES = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost"

PLAIN_CONFIG = """# a plain Jupyter Book 1 configuration (what `jupyter-book create` gives, trimmed)
title: "Hack4Society: interactive modules for VET"
author: Hack4Society contributors
only_build_toc_files: true
execute:
  execute_notebooks: force
  timeout: 180
"""
STATIC_QUIZ = """sphinx:
  config:
    nb_ipywidgets_js: {}
    nb_mime_priority_overrides:
      - ["html", "application/vnd.jupyter.widget-view+json", null]
"""


def copy_pages(dest: Path) -> None:
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    shutil.copytree(ROOT / "book", dest / "book")
    shutil.copytree(ROOT / "modules", dest / "modules",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", ".h4s-check-*"))
    from h4s_kit.toc import write_toc
    write_toc(dest, dest / "modules")


def build_all() -> dict[str, Path]:
    env = dict(os.environ, H4S_RECORDS="off", PYDEVD_DISABLE_FILE_VALIDATION="1")
    env.pop("H4S_LIVE", None)
    out = {}
    for name in BOOKS:
        d = WORK / name
        copy_pages(d)
        if name == "h4s":
            shutil.copy2(ROOT / "_config.yml", d / "_config.yml")
            cmd = [str(BIN / "h4s"), "build", "--root", str(d)]
        else:
            (d / "_config.yml").write_text(PLAIN_CONFIG + (STATIC_QUIZ if name == "jb-static" else ""))
            cmd = [str(BIN / "jupyter-book"), "build", str(d), "--quiet"]
        t = time.perf_counter()
        p = subprocess.run(cmd, cwd=d, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if p.returncode != 0:
            print(p.stdout[-3000:])
            raise SystemExit(f"{name}: build failed ({p.returncode})")
        print(f"  built {name} in {time.perf_counter() - t:.0f} s", flush=True)
        out[name] = d
    return out


def kb(n: float) -> str:
    return f"{n / 1000:.1f} KB"


def rng(xs: list[float]) -> str:
    return f"median {statistics.median(xs):.2f} s (range {min(xs):.2f}–{max(xs):.2f}, n={len(xs)})"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--module", default="04-open-educational-resources")
    ap.add_argument("--next", default="05-writing-good-questions")
    ap.add_argument("--no-build", action="store_true")
    ap.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for a usable question")
    a = ap.parse_args()
    dirs = {n: WORK / n for n in BOOKS} if a.no_build else build_all()

    from playwright.sync_api import sync_playwright

    from _browser import CHROMIUM, CHROMIUM_ARGS
    from _pageweight import SLOW_3G, book_server, first_question_usable, visits

    weight: dict[str, list] = {}
    usable: dict[str, list[float | None]] = {n: [] for n in BOOKS}
    every: dict[str, list[tuple[str, int, int]]] = {}
    with sync_playwright() as p, contextlib_exit() as stack:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS + [HOST_RULES])
        bases = {n: stack.enter_context(book_server(dirs[n] / "_build" / "html", dirs[n] / "modules")) for n in BOOKS}
        for n in BOOKS:
            first, nxt = visits(browser, [f"{bases[n]}modules/{a.module}/module.html",
                                          f"{bases[n]}modules/{a.next}/module.html"])
            weight[n] = [first, nxt]
        # every module page of the h4s book and of the default book, first visit (cold cache)
        mods = sorted(p.parent.name for p in (dirs["h4s"] / "modules").glob("*/module.ipynb"))
        for n in ("h4s", "jb-default"):
            every[n] = [(m, v.bytes, v.requests) for m, v in zip(mods, [
                visits(browser, [f"{bases[n]}modules/{m}/module.html"])[0] for m in mods])]
        for i in range(a.runs):
            for n in BOOKS:
                try:
                    s, ctx, _ = first_question_usable(browser, f"{bases[n]}modules/{a.module}/module.html", SLOW_3G,
                                                      timeout_s=a.timeout)
                    ctx.close()
                except Exception:  # noqa: BLE001 - a playwright timeout: never usable within the limit
                    s = None
                    for ctx in browser.contexts:
                        ctx.close()
                usable[n].append(s)
                print(f"  run {i + 1} {n}: " + (f"{s:.2f} s" if s is not None else f"not usable in {a.timeout:.0f} s"),
                      flush=True)
        browser.close()

    import importlib.metadata as md
    print(f"machine: {machine()}; Chromium: {CHROMIUM}")
    print("versions: " + ", ".join(f"{p} {md.version(p)}" for p in ("jupyter-book", "sphinx-book-theme",
                                                                     "pydata-sphinx-theme", "myst-nb")))
    print(f"module page: modules/{a.module}/module.html, next page: modules/{a.next}/module.html")
    print("--- page weight (bytes on the wire, cold cache; then the next module page with that cache)")
    for n in BOOKS:
        first, nxt = weight[n]
        tp = sorted(set(first.third_party + nxt.third_party))
        print(f"{n:>10}: first visit {kb(first.bytes)} in {first.requests} requests; next page {kb(nxt.bytes)} in "
              f"{nxt.requests} requests ({nxt.from_cache} from cache, {nxt.not_modified} revalidated)"
              + (f"; {len(first.third_party)} request(s) to other hosts failed: {', '.join(tp)}" if tp else ""))
    for n in BOOKS:
        print(f"--- {n}: largest files of the first visit")
        for u, st, b in sorted(weight[n][0].files, key=lambda r: -r[2])[:8]:
            print(f"    {kb(b):>10}  {st}  {u.split('/', 3)[-1]}")
    for n, rows in every.items():
        bs = [b for _, b, _ in rows]
        rq = [r for _, _, r in rows]
        heaviest = max(rows, key=lambda r: r[1])
        print(f"--- {n}: first visit of each of the {len(rows)} module pages: median {kb(statistics.median(bs))}, "
              f"range {kb(min(bs))}–{kb(max(bs))} (heaviest {heaviest[0]}), requests {min(rq)}–{max(rq)}")
    print("--- first question usable, 400 kbit/s down and up, 400 ms latency, cold cache")
    for n in BOOKS:
        xs = [x for x in usable[n] if x is not None]
        miss = len(usable[n]) - len(xs)
        print(f"{n:>10}: " + (rng(xs) if xs else "never")
              + (f"; {miss} of {len(usable[n])} runs not usable within {a.timeout:.0f} s" if miss else ""))
    h = [x for x in usable["h4s"] if x is not None]
    s = [x for x in usable["jb-static"] if x is not None]
    if h and s:
        print(f"ratio h4s / jb-static (time to the first usable question): {statistics.median(h) / statistics.median(s):.2f}")
    print(f"ratio h4s / jb-default (first-visit bytes): {weight['h4s'][0].bytes / weight['jb-default'][0].bytes:.2f}; "
          f"(next-page bytes): {weight['h4s'][1].bytes / max(1, weight['jb-default'][1].bytes):.2f}")


def contextlib_exit():
    import contextlib
    return contextlib.ExitStack()


if __name__ == "__main__":
    main()
