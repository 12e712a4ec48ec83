"""Live page addresses that name a module by a detour: a ``.`` or ``..`` segment (plain or percent-encoded, also
behind an encoded ``/``) or a backslash below ``<base>voila/``.  Such an address stays inside the live root, but
it could show one language's module under another language's path (``de/../13-x`` would run the English
notebook in a kernel that gets the German interface), so it answers 404 before Voilà sees it."""
from __future__ import annotations

from urllib.parse import unquote

from tornado.routing import Matcher

from .errors import JsonErrors


class DetourInLivePath(Matcher):
    def __init__(self, prefix: str):
        self.prefix = prefix            # <base_url>voila/

    def match(self, request):
        path = request.path
        if not path.startswith(self.prefix):
            return None
        rest = unquote(path[len(self.prefix):])
        if "\\" in rest or any(part in (".", "..") for part in rest.split("/")):
            return {}
        return None


class LivePathHandler(JsonErrors):
    SUPPORTED_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")

    async def prepare(self):
        self.fail(404, "no such live page: open the live version from the module's page in the book")
