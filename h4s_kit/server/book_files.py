"""The built book (``_build/html``) as static files.

* Compressible files come from the ``.gz`` copy that ``h4s build`` wrote beside them
  (:func:`h4s_kit.server.precompress.precompress`) when the client accepts gzip and the copy is not
  older than the file; the plain file otherwise.  ``Vary: Accept-Encoding`` on both.  Nothing is
  compressed while serving.  A ``.gz`` file is never served under its own name.
* With server grading, a page with quizzes goes out without its keys (:func:`h4s_kit.quiz_api.strip_keys`);
  each page is stripped and compressed once per version of the file (its mtime and size).
* The book's content-hashed files are cacheable for a year.
* Pages (and only pages) issue the learner cookie to a browser that has none.
"""
from __future__ import annotations

import gzip
import mimetypes
import os
import re
import threading
from typing import Callable

from jupyter_server.base.handlers import JupyterHandler
from tornado import web

from .precompress import GZ_SUFFIX, accepts_gzip

#: the book's content-hashed files (h4s_kit/assets/slim.py writes them): cacheable for a year
IMMUTABLE = re.compile(r"^_static/h4s/[A-Za-z0-9_.-]+-[0-9a-f]{16}\.(?:css|js|woff2?|svg)$")
#: the language a page declares (``<html lang="de">``)
_HTML_LANG = re.compile(r"<html\b[^>]*?\slang=\"([A-Za-z]{2,3})(?:[-_][A-Za-z0-9-]*)?\"", re.I)


class KeylessPages:
    """Pages without their keys, made once per version of each page (a dict as large as the book's pages
    with quizzes, not a cache with a budget)."""

    def __init__(self, api: str, extra_html: str | Callable[[str], str] = "",
                 language_apis: dict[str, tuple[str, str]] | None = None):
        self.api = api
        #: language -> (the folder of its book, ``_build/html/LL``, as a real path; its grading API): the
        #: language's translated banks grade its pages, with its accepted answers and its feedback
        self.language_apis = dict(language_apis or {})
        #: HTML put before ``</body>`` of each keyless page (the served book's credential offer), or a function of
        #: the page's language (:meth:`language_of`) that makes it
        self.extra_html = extra_html
        self._pages: dict[str, tuple[tuple[int, int], bytes, bytes]] = {}
        self._lock = threading.Lock()

    def _book_of(self, full: str) -> str | None:
        """The language of the language book a page is in (below ``.../LL/``), None for the book's own pages."""
        parts = os.path.normpath(full).split(os.sep)
        for lang, (root, _api) in self.language_apis.items():
            r = os.path.normpath(root).split(os.sep)
            if parts[:len(r)] == r:
                return lang
        return None

    def _api_for(self, full: str) -> str:
        """The language book's API for a page below ``.../LL/`` of a language book, else the book's."""
        lang = self._book_of(full)
        return self.language_apis[lang][1] if lang else self.api

    def language_of(self, full: str, page: str) -> str:
        """A page's language: its language book's, else the one its ``<html lang>`` declares, else English."""
        m = _HTML_LANG.search(page[:4096])
        return self._book_of(full) or (m.group(1).lower() if m else "en")

    def get(self, full: str) -> tuple[bytes, bytes] | None:
        """(plain, gzip) of the keyless page at ``full``; None when it has no quizzes that grade on the server."""
        st = os.stat(full)
        version = (st.st_mtime_ns, st.st_size)
        with self._lock:
            hit = self._pages.get(full)
        if hit and hit[0] == version:
            return (hit[1], hit[2]) if hit[1] else None
        with open(full, encoding="utf-8") as f:
            page = f.read()
        plain = b""
        gz = b""
        # a page with quizzes whose own runtime can grade on the server: served without keys (a page built
        # before that runtime keeps its keys, or its quizzes could not grade)
        if 'class="h4s-data"' in page and "payload.server" in page:
            from ..quiz_api import strip_keys
            page = strip_keys(page, api=self._api_for(full))
            extra = self.extra_html(self.language_of(full, page)) if callable(self.extra_html) else self.extra_html
            if extra and "</body>" in page:
                at = page.rindex("</body>")
                page = page[:at] + extra + page[at:]
            plain = page.encode("utf-8")
            gz = gzip.compress(plain, 6, mtime=0)
        with self._lock:
            self._pages[full] = (version, plain, gz)
        return (plain, gz) if plain else None


class BookFilesHandler(JupyterHandler, web.StaticFileHandler):

    def initialize(self, path: str, default_filename: str = "index.html", keyless: KeylessPages | None = None,
                   compress: bool = True):
        web.StaticFileHandler.initialize(self, path, default_filename)
        self.keyless = keyless
        self.compress = compress
        self._h4s_plain: str | None = None
        self._h4s_gz = False

    @property
    def h4s_issues_learner_id(self) -> bool:
        p = self.request.path
        return p.endswith("/") or p.endswith(".html")

    def check_xsrf_cookie(self):
        return None

    def _wants_gzip(self) -> bool:
        req = self.request
        return (self.compress and req.method in ("GET", "HEAD") and "Range" not in req.headers
                and accepts_gzip(req.headers.get("Accept-Encoding", "")))

    def validate_absolute_path(self, root: str, absolute_path: str):
        if absolute_path.endswith(GZ_SUFFIX):
            raise web.HTTPError(404)
        path = super().validate_absolute_path(root, absolute_path)
        self._h4s_plain = path
        if path and self._wants_gzip():
            gz = path + GZ_SUFFIX
            try:
                if os.stat(gz).st_mtime_ns >= os.stat(path).st_mtime_ns:
                    self._h4s_gz = True
                    return gz
            except OSError:
                pass
        return path

    def get_content_type(self) -> str:
        mime, encoding = mimetypes.guess_type(self._h4s_plain or self.absolute_path)
        if encoding == "gzip":
            return "application/gzip"
        if encoding or not mime:
            return "application/octet-stream"
        return mime

    def get_content_size(self) -> int:
        if self._h4s_gz:                     # (the size tornado noted while validating is the plain file's)
            return os.stat(self.absolute_path).st_size
        return super().get_content_size()

    def compute_etag(self):
        if getattr(self, "absolute_path", None) is None:   # a keyless page: made here, not a file
            return None
        return super().compute_etag()

    def set_extra_headers(self, path):
        self.set_header("X-Content-Type-Options", "nosniff")
        if IMMUTABLE.match(path or ""):   # content-hashed by the build: a new content gets a new name
            self.set_header("Cache-Control", "public, max-age=31536000, immutable")
        if self.compress:
            self.set_header("Vary", "Accept-Encoding")
        if self._h4s_gz:
            self.set_header("Content-Encoding", "gzip")

    @web.authenticated
    async def get(self, path: str, include_body: bool = True):
        if self.keyless is not None and (path.endswith(".html") or path.endswith("/") or path == ""):
            root = os.path.realpath(self.root)
            full = os.path.realpath(os.path.join(root, path))
            if os.path.isdir(full):
                full = os.path.join(full, "index.html")
            if full.startswith(root + os.sep) and os.path.isfile(full):
                page = self.keyless.get(full)
                if page is not None:
                    plain, gz = page
                    self.set_header("Content-Type", "text/html; charset=utf-8")
                    self.set_header("Cache-Control", "no-store")
                    self.set_header("X-Content-Type-Options", "nosniff")
                    if self.compress:
                        self.set_header("Vary", "Accept-Encoding")
                    if not include_body:
                        return self.finish()
                    if self._wants_gzip():
                        self.set_header("Content-Encoding", "gzip")
                        return self.finish(gz)
                    return self.finish(plain)
        await web.StaticFileHandler.get(self, path, include_body)

    @web.authenticated
    async def head(self, path: str):
        await self.get(path, include_body=False)
