"""Errors as one line of JSON (no HTML page, no traceback, no server path), and the handler for addresses
that hold a NUL or another control character (``%00``), which answers 400 before anything else sees them."""
from __future__ import annotations

import json
from urllib.parse import unquote_to_bytes

from jupyter_server.base.handlers import JupyterHandler
from tornado.routing import Matcher


class JsonErrors(JupyterHandler):
    """Base of the h4s handlers: errors are ``{"error": "one line"}``."""

    def check_xsrf_cookie(self):
        # h4s handlers check the origin of what they accept themselves (see quiz.QuizHandler._cross_site)
        return None

    def write_error(self, status_code: int, **kwargs):
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps({"error": getattr(self, "_h4s_message", None) or self._reason}))

    def fail(self, status: int, message: str) -> None:
        self._h4s_message = message
        self.send_error(status)

    def _fail(self, status: int, message: str) -> None:
        """Answer a JSON API request with ``{"error": message}`` and ``status``."""
        self.set_status(status)
        self.finish(json.dumps({"error": message}, ensure_ascii=False))

    def json_body(self, max_bytes: int, too_long: str, foreign: str, refused: str | None = None) -> dict | None:
        """The JSON object a POST of the h4s APIs sends, or None after answering the error: the response is
        JSON and never cached; too long (413, ``too_long``), not JSON (415), sent from another site (403,
        ``foreign``), unsafe or not an object (400; ``refused: reason`` for unsafe input when given)."""
        from h4s_widgets._safe_json import UnsafeInput
        from h4s_widgets._safe_json import loads as safe_loads

        from .quiz import cross_site
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        if len(self.request.body) > max_bytes:
            return self._fail(413, too_long)
        if not self.request.headers.get("Content-Type", "").startswith("application/json"):
            return self._fail(415, "send application/json")
        if cross_site(self.request):
            return self._fail(403, foreign)
        try:
            body = safe_loads(self.request.body or b"{}")
            if not isinstance(body, dict):
                raise ValueError
        except UnsafeInput as e:
            return self._fail(400, f"{refused}: {e}" if refused else "the request body must be a JSON object")
        except (ValueError, RecursionError):
            return self._fail(400, "the request body must be a JSON object")
        return body


class ControlInPath(Matcher):
    """A path whose decoded form holds NUL or another control character (e.g. ``%00``)."""

    def match(self, request):
        try:
            raw = unquote_to_bytes(request.path)
        except Exception:
            return {}
        return {} if any(b < 0x20 or b == 0x7f for b in raw) else None


class BadPathHandler(JsonErrors):
    SUPPORTED_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")

    async def prepare(self):
        self.fail(400, "the address holds a NUL or control character; check the link")
