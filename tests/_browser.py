"""Shared helpers for browser tests (Playwright + Debian Chromium).

* :func:`launch` starts headless Chromium with the flags that work here;
* :func:`open_page` opens a context and page with a request log and a page-error list;
* :class:`RequestLog` records every request of a browser context and
  :meth:`RequestLog.assert_only_local` fails on any host but 127.0.0.1/localhost;
* :func:`run_axe` injects ``node_modules/axe-core/axe.min.js`` and returns the violations;
* :func:`screenshot` saves a PNG under ``tests/_artifacts/`` (gitignored);
* :func:`serve_directory` serves a folder over ``http.server`` on 127.0.0.1;
* :func:`start_server_process` starts a server command, waits for its port, and always stops it;
* :func:`serve_book` serves a built book with `h4s serve`'s server (in this process), live pages on;
* :func:`tab_to` moves the focus with the keyboard only (Tab / Shift+Tab) until an element matches.
"""
from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "_artifacts"
from _tools import CHROMIUM  # noqa: E402,F401  (one place names the browser)
from _ports import free_port  # noqa: E402,F401  (one place picks ports; many tests import it from here)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
#: schemes that never leave the machine
LOCAL_SCHEMES = {"data", "blob", "about", "file"}


def launch(playwright, **kw):
    """Headless Debian Chromium (``playwright install`` cannot download here)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS, **kw)


class RequestLog:
    """Every URL a browser context (all its pages and workers) asks for."""

    def __init__(self, context=None):
        self.urls: list[str] = []
        if context is not None:
            self.attach(context)

    def attach(self, target) -> "RequestLog":
        target.on("request", lambda req: self.urls.append(req.url))
        return self

    @staticmethod
    def is_local(url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme in LOCAL_SCHEMES:
            return True
        return (parts.hostname or "") in LOCAL_HOSTS

    def foreign(self) -> list[str]:
        return [u for u in self.urls if not self.is_local(u)]

    def assert_only_local(self) -> None:
        bad = self.foreign()
        assert not bad, f"{len(bad)} request(s) to hosts other than 127.0.0.1/localhost: " + ", ".join(sorted(set(bad)))
        assert self.urls, "the request log is empty: was it attached before the page loaded?"


def open_page(browser, width: int = 1000, height: int = 900, **context_options):
    """A fresh browser context and page: ``(context, page, log, errors)``, with every request logged
    and every uncaught page error collected.  Close the context when done."""
    context = browser.new_context(viewport={"width": width, "height": height}, **context_options)
    log = RequestLog(context)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    return context, page, log, errors


def run_axe(page, tags=WCAG_TAGS, context: str | None = None, disable: tuple[str, ...] = ()) -> list[dict]:
    """axe-core's violations (rules with the given tags) for the page or a CSS ``context``."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        from _tools import npm_file
        page.add_script_tag(path=str(npm_file("axe-core", "axe.min.js")))
    options = {"runOnly": {"type": "tag", "values": list(tags)}, "resultTypes": ["violations"]}
    if disable:
        options["rules"] = {r: {"enabled": False} for r in disable}
    return page.evaluate(
        """async ([ctx, options]) => {
            const r = await window.axe.run(ctx ? document.querySelector(ctx) : document, options);
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => ({target: n.target, summary: n.failureSummary}))}));
        }""",
        [context, options],
    )


def format_violations(violations: list[dict]) -> str:
    return json.dumps(violations, indent=1)[:6000]


def screenshot(page, name: str, full_page: bool = True, max_height: int = 16000) -> Path:
    """Save ``tests/_artifacts/<name>.png``.

    ``full_page`` also works for pages that scroll inside a container (Voilà, JupyterLab): the viewport is
    made as tall as the tallest scrolling element for the shot, then restored.
    """
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / (name if name.endswith(".png") else name + ".png")
    size = page.viewport_size
    if full_page and size:
        tallest = page.evaluate("""() => Math.max(document.documentElement.scrollHeight,
            ...Array.from(document.querySelectorAll('*')).filter(e => {
                const o = getComputedStyle(e).overflowY; return (o === 'auto' || o === 'scroll') && e.scrollHeight > e.clientHeight;
            }).map(e => e.scrollHeight + e.getBoundingClientRect().top))""")
        if tallest > size["height"]:
            page.set_viewport_size({"width": size["width"], "height": min(int(tallest) + 20, max_height)})
            try:
                page.screenshot(path=str(path), full_page=True)
            finally:
                page.set_viewport_size(size)
            return path
    page.screenshot(path=str(path), full_page=full_page)
    return path


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep test output readable
        pass


class _RevalidateHandler(_QuietHandler):
    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()


@contextlib.contextmanager
def serve_directory(directory: str | Path, revalidate: bool = False) -> Iterator[str]:
    """``http://127.0.0.1:PORT/`` serving ``directory`` until the block ends.  ``revalidate``: every response says
    ``Cache-Control: no-cache`` (without it, a browser may keep files without asking, by its heuristic of 10 % of
    the time since Last-Modified: a book built minutes earlier on a busy machine is then served from its cache)."""
    handler = functools.partial(_RevalidateHandler if revalidate else _QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def wait_for_port(port: int, host: str = "127.0.0.1", timeout: float = 30.0, proc=None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with code {proc.returncode} before listening on {host}:{port}")
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.settimeout(0.2)
            if s.connect_ex((host, port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on {host}:{port} after {timeout:.0f} s")


@contextlib.contextmanager
def start_server_process(argv: list[str], port: int, env: dict | None = None, cwd: str | Path | None = None,
                         timeout: float = 60.0, log_path: str | Path | None = None) -> Iterator[subprocess.Popen]:
    """Start ``argv`` in its own process group, wait for ``port``, and stop the whole group afterwards."""
    log = open(log_path, "wb") if log_path else subprocess.DEVNULL
    proc = subprocess.Popen(argv, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for_port(port, timeout=timeout, proc=proc)
        yield proc
    finally:
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)
        if log_path:
            log.close()


@contextlib.contextmanager
def serve_book(html_dir: Path, proj: Path) -> Iterator:
    """`h4s serve`'s server (``LiveServer``, in this process, live pages on) of the book built in ``html_dir``
    from the project ``proj`` (its ``modules/``), on a free port of 127.0.0.1, its log in ``proj/serve.log``:
    yields the server (``.url``); it stops when the block ends, also when the test fails."""
    from h4s_kit.serve import LiveServer
    with LiveServer(html_dir=html_dir, modules_dir=proj / "modules", port=free_port(), log_file=proj / "serve.log",
                    echo=lambda s: None) as srv:
        yield srv


def active_matches(page, selector: str) -> bool:
    return page.evaluate("(sel) => !!document.activeElement && document.activeElement.matches(sel)", selector)


def tab_to(page, selector: str, max_presses: int = 250) -> None:
    """Press Tab (then, if need be, Shift+Tab) until the focused element matches ``selector``.

    Only the keyboard moves the focus, so this also checks that the element is reachable by Tab.
    In a textarea, Escape comes first (editors that indent with Tab let Esc, Tab leave).
    """
    if active_matches(page, selector):
        return
    first = page.evaluate(
        """(sel) => {
            const t = document.querySelector(sel), a = document.activeElement;
            if (!t || !a || a === document.body) return "Tab";
            return (a.compareDocumentPosition(t) & Node.DOCUMENT_POSITION_PRECEDING) ? "Shift+Tab" : "Tab";
        }""", selector)
    for key in (first, "Tab" if first == "Shift+Tab" else "Shift+Tab"):
        for _ in range(max_presses):
            if page.evaluate("() => document.activeElement && document.activeElement.tagName === 'TEXTAREA'"):
                page.keyboard.press("Escape")  # code editors keep Tab for indenting; Esc then Tab leaves
            page.keyboard.press(key)
            if active_matches(page, selector):
                return
    desc = page.evaluate("() => document.activeElement ? document.activeElement.outerHTML.slice(0, 200) : null")
    raise AssertionError(f"could not reach {selector!r} with Tab/Shift+Tab; focus is on {desc}")
