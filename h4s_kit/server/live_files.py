"""Files of the live pages (``<base>voila/files/<path>``: a module's media, the images of its markdown), in place
of Voilà's own file handler.  Voilà's root is the build's live root, whose module folders are symlinks
(:func:`h4s_kit.live.make_live_root`); tornado's file handler refuses a file whose real path is outside the folder
it serves (tornado 6.6), so each request is served from the real folder of its module: ``<folder>/<file>`` from
the English module, ``LL/<folder>/<file>`` from the language's translated module.  Only what Voilà's
``file_allowlist`` allows and its ``file_denylist`` does not (the notebook, banks and code never); errors are
one JSON line without a path."""
from __future__ import annotations

import os
import re

from tornado import web

from ..live import language_of
from .errors import JsonErrors


class LiveFilesHandler(JsonErrors, web.StaticFileHandler):

    def initialize(self, root: str, allowlist: list[str], denylist: list[str]):
        web.StaticFileHandler.initialize(self, root)
        self.live_root = root
        self.allowlist = list(allowlist)
        self.denylist = list(denylist)

    @web.authenticated
    async def get(self, path: str, include_body: bool = True):
        if not any(re.fullmatch(p, path, re.IGNORECASE) for p in self.allowlist) or \
                any(re.fullmatch(p, path, re.IGNORECASE) for p in self.denylist):
            raise web.HTTPError(403)
        parts = path.split("/")
        n = 2 if language_of(path) else 1          # LL/<folder>/... or <folder>/...
        module = os.path.join(self.live_root, *parts[:n])
        if len(parts) <= n or not os.path.isdir(module):
            raise web.HTTPError(404)
        self.root = os.path.realpath(module)
        await web.StaticFileHandler.get(self, "/".join(parts[n:]), include_body)

    @web.authenticated
    async def head(self, path: str):
        await self.get(path, include_body=False)
