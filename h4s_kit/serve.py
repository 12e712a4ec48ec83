"""``h4s serve``: one address for the whole course.

``/``        the built web book (``_build/html``), served as static files;
``/live/``   the live modules: Voilà runs as a subprocess on an internal
             loopback port with ``base_url=/live/`` and this front server
             reverse-proxies HTTP (streamed, so Voilà's progressive pages stay
             progressive) and WebSockets (the kernel channels) to it.

The front server also answers the kernel-free grading API of
:mod:`h4s_kit.quiz_api` (``POST /api/quiz/check`` and ``/api/quiz/solution``),
and, when the static quiz runtime can use it (``server_grading``), serves the
book's pages without their answer keys so that quizzes are graded on the
server.

The front server also makes Voilà's "page closed" beacon work: Voilà 0.5
answers it with 403 because its pages never get an ``_xsrf`` cookie; the
proxy adds a matching cookie/header pair to that one request, so the kernel
of a closed page is shut down at once instead of waiting for the culler.

Ctrl-C (or SIGTERM) stops the front server and Voilà (which shuts its
kernels down).

Learner identity (see :mod:`h4s_kit.identity`): the front server issues every
browser a signed, HttpOnly, SameSite=Lax cookie with a pseudonymous id (the Hub
user under JupyterHub) when it hands out a book page, a live page or an API
answer.  The grading API uses that id only.  On the live path the kernel learns
the id from the proxy, never from the browser: :class:`LiveSocketProxy` speaks
only the JSON ("legacy") kernel websocket protocol to both sides (it offers no
subprotocol, so ``v1.kernel.websocket.jupyter.org`` is never selected), parses
every message from the browser (text frames, and binary frames carrying
buffers), passes only the widget traffic (``comm_*``, ``kernel_info_request``
on the shell channel; no ``execute_request``, no stdin, no control), and writes
the cookie's id into the ``learner`` field of every comm message before it goes
to Voilà.  A message that cannot be parsed, or holds a non-finite number or an
unpaired surrogate, is dropped.  The widget (``h4s_widgets._widget.Quiz``) keeps
attempts in Python from the record store and decides on solutions itself.

Voilà and its kernels run learner-facing code: they get an environment without
the trainer token, LRS credentials or Hub tokens (:func:`kernel_env`); the
front server, which has them, sends the queued xAPI statements.
"""
from __future__ import annotations

import asyncio
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from h4s_widgets._errors import H4SError

from . import live

#: environment variables that never reach Voilà or a kernel (secrets; the front server keeps them)
SECRET_ENV = re.compile(r"^(H4S_TRAINER_TOKEN|H4S_LRS_AUTH|H4S_LRS_USER|H4S_LRS_PASSWORD|JUPYTERHUB_API_TOKEN|"
                        r"JPY_API_TOKEN|JUPYTERHUB_CLIENT_ID|.*(?:SECRET|PASSWORD|PASSWD|TOKEN|API_KEY|PRIVATE_KEY).*)$",
                        re.I)
#: kernel messages a live page may send (widget traffic only; no code execution, no stdin, no control)
BROWSER_MSG_TYPES = {"comm_msg", "comm_open", "comm_close", "comm_info_request", "kernel_info_request"}
MAX_JSON_DEPTH = 64
#: largest websocket message a live page may send (widget messages are small; every one is parsed to be stamped)
MAX_BROWSER_MESSAGE = 1024 * 1024

HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer", "trailers",
              "transfer-encoding", "upgrade", "content-length"}
SHUTDOWN_BEACON = re.compile(r"^/live/voila/api/shutdown/[0-9a-f-]+$")


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def kernel_env(env: dict) -> dict:
    """``env`` without secrets (:data:`SECRET_ENV`), for Voilà and the kernels it starts.

    Kernels still queue xAPI statements in the record store (``H4S_LRS_URL`` stays), but do not send
    them (``H4S_LRS_SENDER=off``): the front server, which holds the LRS credentials, does."""
    out = {k: v for k, v in env.items() if not SECRET_ENV.match(k)}
    out["H4S_LRS_SENDER"] = "off"
    return out


def stamp_learner(message: str | bytes, learner: str) -> str | bytes | None:
    """A kernel message from a live page with the server-issued ``learner`` in every comm message's content;
    None when the message must not reach the kernel (not widget traffic, not parseable, not storable).

    ``message``: a JSON text frame, or a binary frame of the JSON protocol (uint32 count, uint32 offsets,
    the JSON message, then its buffers)."""
    import json
    import struct

    from h4s_widgets._safe_json import UnsafeInput, loads
    buffers: list[bytes] = []
    try:
        if isinstance(message, bytes):
            n = struct.unpack("!I", message[:4])[0]
            if not 1 <= n <= 1024 or len(message) < 4 * (n + 1):
                return None
            offsets = list(struct.unpack("!" + "I" * n, message[4:4 * (n + 1)])) + [len(message)]
            if offsets != sorted(offsets) or offsets[0] != 4 * (n + 1):
                return None
            parts = [message[a:b] for a, b in zip(offsets[:-1], offsets[1:])]
            msg, buffers = loads(parts[0], MAX_JSON_DEPTH), parts[1:]
        else:
            msg = loads(message, MAX_JSON_DEPTH)
    except (UnsafeInput, ValueError, RecursionError, struct.error):
        return None
    if not isinstance(msg, dict):
        return None
    header = msg.get("header")
    mtype = header.get("msg_type") if isinstance(header, dict) else None
    if msg.get("channel") != "shell" or mtype not in BROWSER_MSG_TYPES:
        return None
    content = msg.get("content")
    if mtype == "comm_msg":
        if not isinstance(content, dict) or not isinstance(content.get("data"), dict):
            return None
        inner = content["data"].get("content")
        if isinstance(inner, dict):
            inner["learner"] = learner
    text = json.dumps(msg, ensure_ascii=False, allow_nan=False)
    if not buffers:
        return text if isinstance(message, str) else _binary(text.encode("utf-8"), [])
    return _binary(text.encode("utf-8"), buffers)


def _binary(head: bytes, buffers: list[bytes]) -> bytes:
    import struct
    parts = [head, *buffers]
    offsets = [4 * (len(parts) + 1)]
    for part in parts[:-1]:
        offsets.append(offsets[-1] + len(part))
    return struct.pack("!" + "I" * (len(parts) + 1), len(parts), *offsets) + b"".join(parts)


def runtime_grades_on_server() -> bool:
    """True when the static quiz runtime knows the server mode that ``quiz_api.strip_keys`` switches on."""
    from h4s_widgets._assets import static_runtime
    return "payload.server" in static_runtime()


def accepts_gzip(accept_encoding: str) -> bool:
    """True when an ``Accept-Encoding`` header allows gzip (``gzip``, ``x-gzip`` or ``*`` with q > 0)."""
    q_of: dict[str, float] = {}
    for part in accept_encoding.lower().split(","):
        name, _, params = part.strip().partition(";")
        q = 1.0
        m = re.search(r"\bq\s*=\s*([0-9.]+)", params)
        if m:
            try:
                q = float(m.group(1))
            except ValueError:
                q = 0.0
        if name:
            q_of[name.strip()] = q
    for name in ("gzip", "x-gzip"):
        if name in q_of:
            return q_of[name] > 0
    return q_of.get("*", 0.0) > 0


def _gzip_transform(cache: "_GzipCache | None" = None):
    """tornado's gzip output transform for every response of the front server, made careful:

    * the client's ``Accept-Encoding`` is parsed (``gzip;q=0`` means no);
    * only compressible types (``text/*``, JS, JSON, XML, SVG) and bodies of at least 1 KiB
      (a response written in several chunks, such as a streamed Voilà page, counts as large);
    * never a body that is already encoded (the proxy passes Voilà's ``Content-Encoding`` on),
      a range (206), a websocket handshake, an event stream;
    * ``Vary: Accept-Encoding`` on every response whose encoding could depend on it.

    A streamed response (``flush()`` per chunk) stays streamed: each chunk is compressed and
    sync-flushed, so a progressive Voilà page still renders as it arrives.  A body written at once
    (the proxy buffers Voilà's static files) is compressed once per content: ``cache``, keyed on
    its SHA-256, so 25 learners loading the same 5 MB of Voilà scripts cost one compression."""
    import hashlib

    from tornado import web

    class Gzip(web.GZipContentEncoding):
        GZIP_LEVEL = 6
        MIN_LENGTH = 1024

        def __init__(self, request):
            super().__init__(request)
            self._gzipping = accepts_gzip(request.headers.get("Accept-Encoding", ""))

        def transform_first_chunk(self, status_code, headers, chunk, finishing):
            ctype = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
            length = headers.get("Content-Length")
            small = length is not None and length.isdigit() and int(length) < self.MIN_LENGTH  # static files
            if (status_code in (101, 204, 206, 304) or "Content-Range" in headers or ctype == "text/event-stream"
                    or small):
                self._gzipping = False
                headers["Vary"] = headers["Vary"] + ", Accept-Encoding" if "Vary" in headers else "Accept-Encoding"
                return status_code, headers, chunk
            if (cache is not None and finishing and self._gzipping and len(chunk) >= self.MIN_LENGTH
                    and self._compressible_type(ctype) and "Content-Encoding" not in headers):
                body = cache.get(("body", hashlib.sha256(chunk).digest()), lambda: chunk)
                self._gzipping = False            # nothing more to transform: the body is final
                headers["Vary"] = headers["Vary"] + ", Accept-Encoding" if "Vary" in headers else "Accept-Encoding"
                headers["Content-Encoding"] = "gzip"
                headers["Content-Length"] = str(len(body))
                return status_code, headers, body
            return super().transform_first_chunk(status_code, headers, chunk, finishing)

    return Gzip


class _GzipCache:
    """Compressed bodies kept in memory: book files keyed on (path, mtime, size), key-stripped pages likewise,
    Voilà's static files on the SHA-256 of their content.  A class of learners opening the same page costs
    one compression, not one each.  Least recently used out first."""

    def __init__(self, budget: int = 64 << 20, level: int = 6) -> None:
        from collections import OrderedDict
        self.budget, self.level, self.used = budget, level, 0
        self.items: "OrderedDict[tuple, bytes]" = OrderedDict()
        self.lock = threading.Lock()
        self.compressions = 0

    def get(self, key: tuple, make: Callable[[], bytes]) -> bytes:
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]
        import gzip
        body = gzip.compress(make(), self.level, mtime=0)
        with self.lock:
            self.compressions += 1
            if key not in self.items and len(body) <= self.budget // 4:
                self.items[key] = body
                self.used += len(body)
                while self.used > self.budget:
                    _, old = self.items.popitem(last=False)
                    self.used -= len(old)
        return body


#: the book's content-hashed files (h4s_kit/assets/slim.py writes them): cacheable for a year
_IMMUTABLE = re.compile(r"^_static/h4s/[A-Za-z0-9_.-]+-[0-9a-f]{16}\.(?:css|js|woff2?|svg)$")
_COMPRESSIBLE_EXT = {".html", ".htm", ".css", ".js", ".mjs", ".json", ".svg", ".xml", ".txt", ".map", ".ipynb",
                     ".md", ".csv"}


def _make_app(html_dir: Path, backend_port: int, live_prefix: str = "/live/", quiz_service=None,
              strip_keys: bool = False, trainer_token: str | None = None, modules_dir: Path | None = None,
              compress: bool = True, identity=None):
    """The tornado application of the front server (``compress``: gzip for clients that accept it;
    ``identity``: issues the learner cookie, by default with the installation's key)."""
    gz_cache = _GzipCache()
    import json
    from urllib.parse import unquote_to_bytes

    from tornado import httpclient, web, websocket
    from tornado.routing import Matcher, PathMatches, Rule

    from .identity import Identity
    if identity is None:
        identity = Identity.for_installation()

    class JsonErrors(web.RequestHandler):
        """Errors as one JSON line (no HTML page, no traceback)."""

        def check_xsrf_cookie(self):
            return None

        def write_error(self, status_code: int, **kwargs):
            self.set_header("Content-Type", "application/json; charset=utf-8")
            self.set_header("Cache-Control", "no-store")
            self.finish(json.dumps({"error": getattr(self, "_message", None) or self._reason}))

        def fail(self, status: int, message: str):
            self._message = message
            self.send_error(status)

    class BadPath(JsonErrors):
        SUPPORTED_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")

        def prepare(self):
            self.fail(400, "the address holds a NUL or control character; check the link")

    class ControlInPath(Matcher):
        """A path whose decoded form holds NUL or another control character (e.g. ``%00``)."""

        def match(self, request):
            try:
                raw = unquote_to_bytes(request.path)
            except Exception:
                return {}
            return {} if any(b < 0x20 or b == 0x7f for b in raw) else None

    class NoTree(JsonErrors):
        def get(self, *args):
            self.fail(400, "the live file tree is not offered: open a module from the book at /")

        head = post = get

    if strip_keys:
        from .quiz_api import strip_keys as _strip

    httpclient.AsyncHTTPClient.configure(None, max_clients=256)
    backend = f"127.0.0.1:{backend_port}"

    class WebSocketMatches(PathMatches):
        def match(self, request):
            if request.headers.get("Upgrade", "").lower() != "websocket":
                return None
            return super().match(request)

    class LiveProxy(web.RequestHandler):
        SUPPORTED_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")

        def prepare(self):
            if self.request.method == "GET" and "/voila/render/" in self.request.path:
                identity.learner(self)     # the page's websocket will carry the learner cookie

        def initialize(self):
            self._status = 502
            self._resp_headers: list[tuple[str, str]] = []
            self._started = False
            self._buffered = self.request.method == "GET" and "/static/" in self.request.path

        def check_xsrf_cookie(self):  # the backend checks what it needs
            return None

        def _on_header(self, line: str) -> None:
            line = line.rstrip("\r\n")
            if line.startswith("HTTP/"):
                self._status = int(line.split(" ", 2)[1])
                self._resp_headers = []
            elif not line:
                if self._status == 100:
                    return
                self._start()
            else:
                name, _, value = line.partition(":")
                self._resp_headers.append((name.strip(), value.strip()))

        def _start(self) -> None:
            if self._started:
                return
            self._started = True
            self.set_status(self._status)
            self.clear_header("Content-Type")
            for name, value in self._resp_headers:
                if name.lower() in HOP_BY_HOP or name.lower() in ("server", "date"):
                    continue
                self.add_header(name, value)

        def _on_chunk(self, chunk: bytes) -> None:
            self._start()
            self.write(chunk)
            if not self._buffered:
                self.flush()   # pages render as Voilà streams them; static files go out whole (gzip cache)

        async def _proxy(self):
            req = self.request
            headers = {k: v for k, v in req.headers.get_all() if k.lower() not in HOP_BY_HOP}
            if req.method == "POST" and SHUTDOWN_BEACON.match(req.path):
                token = secrets.token_hex(16)
                headers["X-XSRFToken"] = token
                cookie = headers.get("Cookie", "")
                cookie = re.sub(r"(^|;\s*)_xsrf=[^;]*", "", cookie).strip("; ")
                headers["Cookie"] = (cookie + "; " if cookie else "") + f"_xsrf={token}"
            body = req.body if req.method in ("POST", "PUT", "PATCH", "DELETE") else None
            if req.method in ("POST", "PUT", "PATCH") and body is None:
                body = b""
            upstream = httpclient.HTTPRequest(
                f"http://{backend}{req.uri}", method=req.method, headers=headers, body=body,
                follow_redirects=False, decompress_response=False, allow_nonstandard_methods=True,
                connect_timeout=30, request_timeout=900,
                header_callback=self._on_header, streaming_callback=self._on_chunk)
            try:
                resp = await httpclient.AsyncHTTPClient().fetch(upstream, raise_error=False)
            except Exception as e:  # connection refused etc.
                resp = None
                err = str(e)
            else:
                err = str(resp.error) if resp.code == 599 else ""
            if not self._started:
                if resp is not None and resp.code != 599:
                    self._status = resp.code
                    self._start()
                else:
                    self.set_status(502)
                    self.set_header("Content-Type", "text/plain; charset=utf-8")
                    self.write(f"h4s serve: the live server (Voilà) did not answer: {err}\n")
            self.finish()

        get = head = post = put = patch = delete = options = _proxy

    class LiveSocketProxy(websocket.WebSocketHandler):
        def initialize(self):
            self.upstream = None
            self._pending: list = []
            self._open = False
            self._chosen = None
            self.learner = None

        async def get(self, *args, **kwargs):
            req = self.request
            # the page's cookie id; a connection without one gets a fresh id of its own (never one it chose)
            self.learner = identity.of_request(req) or identity.new_id()
            keep = ("cookie", "origin", "user-agent", "host", "authorization")
            headers = {k: v for k, v in req.headers.get_all() if k.lower() in keep}
            try:
                # no subprotocol offered: Voilà speaks the JSON protocol, whose messages stamp_learner reads
                self.upstream = await websocket.websocket_connect(
                    httpclient.HTTPRequest(f"ws://{backend}{req.uri}", headers=headers, connect_timeout=30,
                                           request_timeout=60),
                    on_message_callback=self._from_upstream, subprotocols=None,
                    max_message_size=256 * 1024 * 1024)
            except Exception as e:
                self.set_status(502)
                self.finish(f"h4s serve: live kernel connection failed: {e}\n")
                return
            self._chosen = self.upstream.selected_subprotocol
            await super().get(*args, **kwargs)

        def select_subprotocol(self, subprotocols):
            return None     # the JSON protocol only (see the module docstring)

        def check_origin(self, origin):
            return super().check_origin(origin)

        def open(self, *args, **kwargs):
            self._open = True
            for msg in self._pending:
                self.write_message(msg, binary=isinstance(msg, bytes))
            self._pending.clear()

        def _from_upstream(self, msg):
            if msg is None:
                if self._open:
                    self.close()
                return
            if not self._open:
                self._pending.append(msg)
                return
            try:
                self.write_message(msg, binary=isinstance(msg, bytes))
            except websocket.WebSocketClosedError:
                pass

        def on_message(self, message):
            if self.upstream is None:
                return
            stamped = stamp_learner(message, self.learner)
            if stamped is None:
                return       # not widget traffic, or not a message the kernel could store: dropped
            self.upstream.write_message(stamped, binary=isinstance(stamped, bytes))

        def on_close(self):
            self._open = False
            if self.upstream is not None:
                self.upstream.close()
                self.upstream = None


    def wants_gzip(handler: web.RequestHandler) -> bool:
        req = handler.request
        return (compress and req.method == "GET" and "Range" not in req.headers
                and accepts_gzip(req.headers.get("Accept-Encoding", "")))

    class BookFiles(web.StaticFileHandler):
        """The built book.  Compressible files go out gzipped from ``gz_cache`` (the output transform
        would compress them again for every learner); pages with quizzes go out without their keys."""

        _gz: bytes | None = None
        _gz_decided = False

        def _gz_body(self) -> bytes | None:
            if not self._gz_decided:
                self._gz_decided = True
                path = getattr(self, "absolute_path", None)
                if path and wants_gzip(self) and os.path.splitext(path)[1].lower() in _COMPRESSIBLE_EXT:
                    st = os.stat(path)
                    if st.st_size >= 1024:
                        self._gz = gz_cache.get(("file", path, st.st_mtime_ns, st.st_size),
                                                lambda: Path(path).read_bytes())
            return self._gz

        def set_extra_headers(self, path):
            self.set_header("X-Content-Type-Options", "nosniff")
            if _IMMUTABLE.match(path or ""):   # content-hashed by the build: a new content gets a new name
                self.set_header("Cache-Control", "public, max-age=31536000, immutable")
            if compress:
                self.set_header("Vary", "Accept-Encoding")
            if self._gz_body() is not None:
                self.set_header("Content-Encoding", "gzip")

        def get_content_size(self):
            gz = self._gz_body()
            return len(gz) if gz is not None else super().get_content_size()

        def get_content(self, abspath, start=None, end=None):  # an instance method here: it knows the request
            gz = self._gz_body()
            if gz is not None:
                return gz
            return web.StaticFileHandler.get_content.__func__(type(self), abspath, start, end)

        @classmethod
        def get_content_version(cls, abspath):  # tornado calls cls.get_content here: hash the file itself
            import hashlib
            hasher = hashlib.sha512()
            for chunk in web.StaticFileHandler.get_content.__func__(cls, abspath):
                hasher.update(chunk)
            return hasher.hexdigest()

        def compute_etag(self):
            if getattr(self, "absolute_path", None) is None:   # a page served without its keys
                return None
            return super().compute_etag()

        async def get(self, path, include_body=True):
            if path.endswith(".html") or path.endswith("/") or path == "":
                identity.learner(self)     # pages issue the learner cookie the quiz API and live pages use
            if strip_keys and (path.endswith(".html") or path.endswith("/") or path == ""):
                root = os.path.realpath(self.root)
                full = os.path.realpath(os.path.join(root, path))
                if os.path.isdir(full):
                    full = os.path.join(full, "index.html")
                if full.startswith(root + os.sep) and os.path.isfile(full):
                    with open(full, encoding="utf-8") as f:
                        page = f.read()
                    # a page with quizzes whose own runtime can grade on the server: serve it without keys
                    # (a page built before that runtime keeps its keys, or its quizzes could not grade)
                    if 'class="h4s-data"' in page and "payload.server" in page:
                        self.set_header("Content-Type", "text/html; charset=utf-8")
                        self.set_header("Cache-Control", "no-store")
                        self.set_header("X-Content-Type-Options", "nosniff")
                        st = os.stat(full)
                        key = ("stripped", full, st.st_mtime_ns, st.st_size)
                        if not include_body:
                            self.finish()
                        elif wants_gzip(self):
                            self.set_header("Content-Encoding", "gzip")
                            self.set_header("Vary", "Accept-Encoding")
                            self.finish(gz_cache.get(key, lambda: _strip(page).encode("utf-8")))
                        else:
                            self.finish(_strip(page))
                        return
            await super().get(path, include_body)

    class Home(web.RequestHandler):
        def get(self):
            self.redirect("/")

    class TrainerReport(web.RequestHandler):
        """The trainer dashboard: ``h4s report`` made fresh from the records on every visit.

        It lists learner ids, so it lives at a secret address that ``h4s serve`` prints at start."""

        def get(self, token: str, name: str):
            if not secrets.compare_digest(token, trainer_token or ""):
                raise web.HTTPError(404)
            import tempfile
            from .report import report_from_store
            with tempfile.TemporaryDirectory(prefix="h4s-report-") as tmp:
                r = report_from_store(tmp, modules_dir=modules_dir)
                files = {Path(r["html"]).name: Path(r["html"]), **{Path(c).name: Path(c) for c in r["csv"]}}
                want = name or Path(r["html"]).name
                if want not in files:
                    raise web.HTTPError(404)
                kind = "text/html; charset=utf-8" if want.endswith(".html") else "text/csv; charset=utf-8"
                self.set_header("Content-Type", kind)
                self.set_header("Cache-Control", "no-store")
                self.set_header("X-Robots-Tag", "noindex")
                self.set_header("Referrer-Policy", "no-referrer")
                self.finish(files[want].read_bytes())

    prefix = live_prefix.rstrip("/")
    api = []
    if quiz_service is not None:
        from .quiz_api import make_handlers
        api = make_handlers(quiz_service, identity=identity)
    if trainer_token:
        api.append((r"/trainer/([A-Za-z0-9_-]+)/([A-Za-z0-9_.-]*)", TrainerReport))
    app = web.Application([
        Rule(ControlInPath(), BadPath),
        *api,
        (rf"{prefix}/?", Home),                                   # learners start in the book
        (rf"{prefix}/voila/tree(/.*)?", NoTree),                  # Voilà's file tree is not offered
        Rule(WebSocketMatches(rf"{prefix}/.*"), LiveSocketProxy),
        (rf"{prefix}/.*", LiveProxy),
        (r"/(.*)", BookFiles, {"path": str(html_dir), "default_filename": "index.html"}),
    ], websocket_max_message_size=MAX_BROWSER_MESSAGE, compress_response=False)
    if compress:
        app.add_transform(_gzip_transform(gz_cache))
    app.settings["h4s_gz_cache"] = gz_cache
    return app


@dataclass
class LiveServer:
    """Voilà subprocess + front server.  ``start()`` returns once both answer; ``stop()`` ends both."""
    html_dir: Path
    modules_dir: Path
    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: Path | None = None
    pool_size: int = live.DEFAULT_POOL_SIZE
    cull_idle_timeout: int = live.DEFAULT_CULL_IDLE
    cull_interval: int = live.DEFAULT_CULL_INTERVAL
    iopub_timeout: int = live.DEFAULT_IOPUB_TIMEOUT
    book_modules_url: str = "/modules/"
    log_file: Path | None = None
    #: grade the book's quizzes on the server (keys stripped from pages); None = when the runtime supports it
    server_grading: bool | None = None
    #: secret path part of the trainer dashboard (/trainer/<token>/); H4S_TRAINER_TOKEN or a random one
    trainer_token: str = field(default_factory=lambda: os.environ.get("H4S_TRAINER_TOKEN") or secrets.token_urlsafe(18))
    #: gzip compressible responses (book files and proxied live pages) for clients that accept it
    compress: bool = True
    echo: Callable[[str], None] = print
    voila: subprocess.Popen | None = field(default=None, init=False)
    voila_port: int = field(default=0, init=False)
    _loop: object = field(default=None, init=False)
    _server: object = field(default=None, init=False)
    _thread: threading.Thread | None = field(default=None, init=False)
    _service: object = field(default=None, init=False)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    @property
    def trainer_url(self) -> str:
        return f"{self.url}trainer/{self.trainer_token}/"

    def start_voila(self) -> None:
        self.voila_port = free_port()
        data = live.prepare_template(self.data_dir or (Path(self.html_dir).parent / "voila-data"))
        argv = live.voila_argv(self.modules_dir, self.voila_port, base_url="/live/", pool_size=self.pool_size,
                               cull_idle_timeout=self.cull_idle_timeout, cull_interval=self.cull_interval,
                               iopub_timeout=self.iopub_timeout, book_modules_url=self.book_modules_url)
        argv.append("--Voila.port_retries=0")
        log = open(self.log_file, "ab") if self.log_file else subprocess.DEVNULL
        # own session: Ctrl-C in the terminal reaches us, and we stop Voilà in order
        self.voila = subprocess.Popen(argv, env=kernel_env(live.voila_env(data)), stdout=log, stderr=subprocess.STDOUT,
                                      stdin=subprocess.DEVNULL, start_new_session=True)
        self._wait_voila()

    def _wait_voila(self, timeout: float = 90) -> None:
        import urllib.error
        import urllib.request
        deadline = time.monotonic() + timeout
        url = f"http://127.0.0.1:{self.voila_port}/live/voila/static/voila.js"
        while time.monotonic() < deadline:
            if self.voila.poll() is not None:
                raise H4SError(f"Voilà exited with code {self.voila.returncode} at start"
                               + (f"; see {self.log_file}" if self.log_file else ""))
            try:
                with urllib.request.urlopen(url, timeout=2) as r:
                    if r.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.2)
        raise H4SError(f"Voilà did not answer on port {self.voila_port} within {timeout:.0f} s")

    def start(self) -> "LiveServer":
        """Start Voilà and the front server (in a background thread); returns when both answer."""
        if not (Path(self.html_dir) / "index.html").is_file():
            raise H4SError(f"no built book in {self.html_dir}: run `h4s build` first (or drop --no-build)")
        self.start_voila()
        ready = threading.Event()
        errors: list[BaseException] = []

        def run():
            from tornado.httpserver import HTTPServer
            from tornado.ioloop import IOLoop
            asyncio.set_event_loop(asyncio.new_event_loop())
            try:
                from .identity import Identity
                from .quiz_api import QuizService
                strip = runtime_grades_on_server() if self.server_grading is None else self.server_grading
                service = self._service = QuizService(self.modules_dir)
                if service.sink is not None:
                    service.sink.store()   # opens the store; with an LRS, this process sends every queued statement
                app = _make_app(Path(self.html_dir), self.voila_port, quiz_service=service,
                                strip_keys=strip, trainer_token=self.trainer_token, modules_dir=self.modules_dir,
                                compress=self.compress, identity=Identity.for_installation())
                self.gz_cache = app.settings.get("h4s_gz_cache")
                self._server = HTTPServer(app, xheaders=False, max_buffer_size=64 * 1024 * 1024)
                self._server.listen(self.port, self.host)
                self._loop = IOLoop.current()
            except BaseException as e:  # port in use etc.
                errors.append(e)
                ready.set()
                return
            ready.set()
            self._loop.start()

        self._thread = threading.Thread(target=run, name="h4s-serve", daemon=True)
        self._thread.start()
        ready.wait(30)
        if errors:
            self.stop()
            raise H4SError(f"cannot listen on {self.host}:{self.port}: {errors[0]}")
        return self

    def stop(self) -> None:
        if self._loop is not None:
            loop, server = self._loop, self._server

            def _halt():
                server.stop()
                loop.stop()
            loop.add_callback(_halt)
            if self._thread is not None:
                self._thread.join(10)
            self._loop = None
        if self._service is not None and self._service.sink is not None:
            self._service.sink.close()   # the xAPI sender thread and the store connection
            self._service = None
        if self.voila is not None and self.voila.poll() is None:
            self.voila.send_signal(signal.SIGTERM)   # Voilà shuts its kernels down on SIGTERM
            try:
                self.voila.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.voila.pid, signal.SIGKILL)
                self.voila.wait(5)
        self.voila = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def serve(root: Path | None = None, port: int = 8000, host: str = "127.0.0.1", build_first: bool = True,
          modules: Path | None = None, out: Path | None = None, cull_idle_timeout: int = live.DEFAULT_CULL_IDLE,
          pool_size: int = live.DEFAULT_POOL_SIZE, server_grading: bool | None = None,
          echo: Callable[[str], None] = print, single_user: bool = False) -> int:
    """``h4s serve``: (build, then) serve the book and the live modules until Ctrl-C.

    Without a working sandbox for learners' code (bubblewrap), code exercises are refused (503) unless
    ``single_user`` (``--single-user``): then they run unsandboxed, for the person on this machine only."""
    from .build import build, find_root
    root = find_root(root)
    modules = Path(modules).resolve() if modules else root / "modules"
    out = Path(out).resolve() if out else root / "_build"
    if build_first:
        build(root=root, modules=modules, out=out, echo=echo)
    rel = os.path.relpath(modules, root).replace(os.sep, "/")
    srv = LiveServer(html_dir=out / "html", modules_dir=modules, host=host, port=port, data_dir=out / "voila-data",
                     cull_idle_timeout=cull_idle_timeout, pool_size=pool_size, book_modules_url=f"/{rel}/",
                     log_file=out / "voila.log", server_grading=server_grading, echo=echo)
    from h4s_widgets._sandbox import serve_notice
    echo(serve_notice(single_user))   # before Voilà starts: its kernels inherit the H4S_SANDBOX it may set
    echo(f"h4s serve: starting the live server (Voilà, {pool_size} preheated kernel(s) per module) ...")
    stop = threading.Event()
    prev = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    # Ctrl-C raises KeyboardInterrupt even where this process was started with SIGINT ignored (a parent such as
    # a test runner's worker or `nohup` may pass that on; Python then installs no handler of its own)
    prev_int = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:  # from here on, Ctrl-C at any moment (even during the start) stops Voilà and its kernels
        srv.start()
        echo(f"h4s serve: the course is at {srv.url}  (book at /, live modules under /live/; "
             f"Voilà log: {srv.log_file})")
        echo(f"h4s serve: trainer dashboard (results of all learners; share this address with trainers only): "
             f"{srv.trainer_url}")
        echo("h4s serve: press Ctrl-C to stop")
        while not stop.is_set():
            if srv.voila is None or srv.voila.poll() is not None:
                echo("h4s serve: error: the live server (Voilà) stopped; see " + str(srv.log_file))
                return 1
            stop.wait(1)
    except KeyboardInterrupt:
        echo("\nh4s serve: stopping ...")
    finally:
        signal.signal(signal.SIGTERM, prev)
        srv.stop()
        signal.signal(signal.SIGINT, prev_int)
    echo("h4s serve: stopped")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(serve())
