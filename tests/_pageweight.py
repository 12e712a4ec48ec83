"""What a learner's browser transfers for a book page, measured in Chromium (shared by the tests and
bench/page_weight.py).

* :func:`book_server` serves a built book with the server of ``h4s serve`` (the same jupyter_server
  extension: precompressed files, caching headers, pages without their keys, the grading API) without Voilà;
* :func:`visit` opens a page in a browser context and sums what the network delivered for it, from
  Chromium's own accounting (DevTools protocol ``Network.*`` events): bytes on the wire (headers and
  compressed bodies, ``encodedDataLength``), requests that went to the network, and responses that came
  from the browser's cache without a request;
* :func:`throttle` applies ``Network.emulateNetworkConditions`` (latency, bandwidth) to a page.
"""
from __future__ import annotations

import contextlib
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

#: a slow mobile connection: 400 kbit/s both ways, 400 ms round trip (Chromium adds it to every response)
SLOW_3G = {"latency": 400, "download_kbps": 400, "upload_kbps": 400}


@contextlib.contextmanager
def book_server(html_dir: Path, modules_dir: Path | None = None, strip_keys: bool = True) -> Iterator[str]:
    """``http://127.0.0.1:PORT/`` serving ``html_dir`` as ``h4s serve`` does (no Voilà behind /live/)."""
    from _browser import free_port
    from h4s_kit.serve import LiveServer

    data = tempfile.TemporaryDirectory(prefix="h4s-weight-")
    old = os.environ.get("H4S_RECORDS")
    os.environ["H4S_RECORDS"] = "off"       # read once, when the server starts
    try:
        srv = LiveServer(html_dir=Path(html_dir), modules_dir=Path(modules_dir or html_dir), port=free_port(),
                         live_pages=False, server_grading=strip_keys, identity_data_dir=Path(data.name),
                         echo=lambda s: None).start()
    except BaseException:
        data.cleanup()
        raise
    finally:
        if old is None:
            os.environ.pop("H4S_RECORDS", None)
        else:
            os.environ["H4S_RECORDS"] = old
    try:
        yield srv.url
    finally:
        srv.stop()
        data.cleanup()


@dataclass
class Visit:
    url: str
    bytes: int = 0                                      # on the wire: headers + (compressed) bodies
    requests: int = 0                                   # that went to the network (304s included)
    from_cache: int = 0                                 # answered by the browser's cache, no request
    not_modified: int = 0                               # 304 answers (revalidations)
    third_party: list[str] = field(default_factory=list)
    files: list[tuple[str, int, int]] = field(default_factory=list)   # (url, status, bytes on the wire)
    seconds: float = 0.0

    def table(self) -> str:
        rows = [f"{b:>8}  {s}  {u}" for u, s, b in sorted(self.files, key=lambda r: -r[2])]
        return "\n".join(rows + [f"{self.bytes:>8}  total, {self.requests} requests, {self.from_cache} from cache"])


class _Net:
    """Chromium's network events of one page, through a CDP session."""

    def __init__(self, page):
        self.cdp = page.context.new_cdp_session(page)
        self.sent: dict[str, str] = {}
        self.status: dict[str, int] = {}
        self.cached: set[str] = set()
        self.done: dict[str, int] = {}
        self.cdp.on("Network.requestWillBeSent", self._sent)
        self.cdp.on("Network.requestServedFromCache", lambda e: self.cached.add(e["requestId"]))
        self.cdp.on("Network.responseReceived", self._response)
        self.cdp.on("Network.loadingFinished", lambda e: self.done.__setitem__(e["requestId"], int(e["encodedDataLength"])))
        self.cdp.on("Network.loadingFailed", lambda e: self.done.setdefault(e["requestId"], 0))
        self.cdp.send("Network.enable")

    def _sent(self, e):
        url = e["request"]["url"]
        if not url.startswith(("data:", "blob:", "about:")):
            self.sent[e["requestId"]] = url

    def _response(self, e):
        r = e["response"]
        self.status[e["requestId"]] = int(r.get("status") or 0)
        if r.get("fromDiskCache") or r.get("fromServiceWorker") or r.get("fromPrefetchCache"):
            self.cached.add(e["requestId"])

    def reset(self):
        self.sent.clear()
        self.status.clear()
        self.cached.clear()
        self.done.clear()

    def visit(self, url: str) -> Visit:
        from _browser import RequestLog
        v = Visit(url)
        for rid, u in self.sent.items():
            if rid in self.cached:
                v.from_cache += 1
                continue
            b = self.done.get(rid, 0)
            st = self.status.get(rid, 0)
            v.requests += 1
            v.bytes += b
            v.not_modified += st == 304
            v.files.append((u, st, b))
            if not RequestLog.is_local(u):
                v.third_party.append(u)
        return v


def throttle(page, latency: int, download_kbps: int, upload_kbps: int):
    """Chromium's network emulation on ``page`` (its own CDP session, kept alive with the page)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {
        "offline": False, "latency": latency,
        "downloadThroughput": download_kbps * 1000 / 8, "uploadThroughput": upload_kbps * 1000 / 8})
    return cdp


def settle(page, quiet_ms: int = 500, timeout: float = 30.0) -> None:
    """Wait for the load event and then until no request has been in flight for ``quiet_ms``."""
    page.wait_for_load_state("load", timeout=timeout * 1000)
    page.wait_for_load_state("networkidle", timeout=timeout * 1000)
    page.wait_for_timeout(quiet_ms)


def visits(browser, urls: list[str], width: int = 390, height: int = 844, wait_for: str | None = None) -> list[Visit]:
    """Open ``urls`` one after the other in one fresh browser context (cold cache at the first, the cache
    of the earlier ones after): what each visit transferred.  Phone-sized viewport by default."""
    context = browser.new_context(viewport={"width": width, "height": height})
    try:
        page = context.new_page()
        net = _Net(page)
        out = []
        for url in urls:
            net.reset()
            t0 = time.monotonic()
            page.goto(url)
            if wait_for:
                page.wait_for_selector(wait_for, timeout=30_000)
            settle(page)
            v = net.visit(url)
            v.seconds = time.monotonic() - t0
            out.append(v)
        return out
    finally:
        context.close()


#: true (the time since navigation start, ms) once the page's first question can be answered: rendered by the
#: quiz runtime, styled by the quiz CSS (the stylesheet has arrived), its first input and its Check button
#: enabled and laid out
FIRST_QUESTION_USABLE = """() => {
    const q = document.querySelector('.h4s-question');
    if (!q) return false;
    const input = q.querySelector('input, select, textarea'), check = q.querySelector('.h4s-check');
    if (!input || !check || input.disabled || check.disabled) return false;
    const quiz = q.closest('.h4s-quiz');
    if (!quiz || getComputedStyle(quiz).maxWidth === 'none') return false;   // the quiz CSS is not there yet
    const r = input.getBoundingClientRect(), c = check.getBoundingClientRect();
    if (!r.width || !r.height || !c.width || !c.height) return false;
    return performance.now();
}"""


def first_question_usable(browser, url: str, conditions: dict | None = None, width: int = 390,
                          height: int = 844, timeout_s: float = 120) -> tuple[float, object, object]:
    """Seconds from navigation start until the first question of ``url`` is usable, in a fresh context (cold
    cache), with ``conditions`` (:data:`SLOW_3G`) applied; returns (seconds, context, page): close the context."""
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    if conditions:
        page._h4s_cdp = throttle(page, **conditions)   # keep the session (and its emulation) alive
    page.goto(url, wait_until="commit", timeout=timeout_s * 1000)
    ms = page.wait_for_function(FIRST_QUESTION_USABLE, polling="raf", timeout=timeout_s * 1000).json_value()
    return ms / 1000, context, page
