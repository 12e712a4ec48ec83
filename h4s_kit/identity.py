"""Learner ids issued by ``h4s serve``, never taken from what a browser says.

Anonymous learners (no JupyterHub): the front server gives each browser a random
pseudonymous id (``s-`` + 20 hex digits) in the cookie :data:`COOKIE`, signed
with HMAC-SHA256::

    h4s_learner = s-0123456789abcdef0123.<first 32 hex digits of HMAC(key, id)>

``HttpOnly`` (page scripts cannot read or copy it), ``SameSite=Lax`` (not sent
with cross-site POSTs), ``Secure`` when the request came over https, ``Path=/``.
The key is derived from the installation's pseudonym key (``pseudonym.key`` in
the data folder, mode 0600, see :func:`h4s_kit.records.store._secret`), so ids
survive a restart and nobody without that file can make a valid cookie: a
learner cannot write records, or spend or reset attempts, under another id.
A browser that drops its cookie gets a new id (and fresh attempts): anonymous
limits are per browser; a course that needs per-person limits runs under
JupyterHub.

Under JupyterHub (``JUPYTERHUB_USER`` set for the server) every request is the
Hub user's: the id is that user (e-mail-like names become keyed pseudonyms, as
everywhere in the record store), and no cookie is issued.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from pathlib import Path

COOKIE = "h4s_learner"
MAX_AGE_DAYS = 400
_VALUE = re.compile(r"^(s-[0-9a-f]{20})\.([0-9a-f]{32})$")


class Identity:
    """Issues and verifies learner ids (one instance per front server)."""

    def __init__(self, key: bytes, hub_user: str | None = None, data_dir: Path | None = None):
        self._key = hmac.new(key, b"h4s learner cookie v1", hashlib.sha256).digest()
        self.hub_user = hub_user or None
        self._data_dir = data_dir

    @classmethod
    def for_installation(cls, data_dir: Path | None = None) -> "Identity":
        """Key from the installation's pseudonym key; the Hub user when ``JUPYTERHUB_USER`` is set."""
        from .records.store import _secret, data_dir as default_dir
        d = Path(data_dir) if data_dir else default_dir()
        return cls(_secret(d), os.environ.get("JUPYTERHUB_USER"), d)

    # ------------------------------------------------------------ the cookie
    def _sig(self, lid: str) -> str:
        return hmac.new(self._key, lid.encode(), hashlib.sha256).hexdigest()[:32]

    def sign(self, lid: str) -> str:
        return f"{lid}.{self._sig(lid)}"

    def verify(self, value: str | None) -> str | None:
        """The id in a cookie value when its signature is ours, else None."""
        m = _VALUE.match(value or "")
        if not m or not hmac.compare_digest(m.group(2), self._sig(m.group(1))):
            return None
        return m.group(1)

    @staticmethod
    def new_id() -> str:
        return "s-" + secrets.token_hex(10)

    def hub_id(self) -> str | None:
        if not self.hub_user:
            return None
        from .records.store import clean_learner
        return clean_learner(self.hub_user, self._data_dir)

    # ---------------------------------------------------------- per request
    def of_request(self, request) -> str | None:
        """The id a request carries (Hub user, or a validly signed cookie), or None."""
        hub = self.hub_id()
        if hub:
            return hub
        morsel = None
        try:
            morsel = request.cookies.get(COOKIE)
        except Exception:   # a malformed Cookie header: no id
            return None
        return self.verify(morsel.value if morsel is not None else None)

    def learner(self, handler) -> str:
        """The id of ``handler``'s request; a new one is issued (Set-Cookie) when it carries none."""
        lid = self.of_request(handler.request)
        if lid:
            return lid
        lid = self.new_id()
        handler.set_cookie(COOKIE, self.sign(lid), path="/", httponly=True, samesite="Lax",
                           secure=handler.request.protocol == "https", expires_days=MAX_AGE_DAYS)
        handler.set_header("Cache-Control", "private, no-store")   # no shared cache may hand this cookie on
        return lid


def learner_of(user) -> str | None:
    """The learner id of a jupyter_server user (``handler.current_user``), or None.

    Users made by :class:`h4s_kit.server.identity_provider.H4SIdentityProvider` carry their id as their
    ``username``; any other identity provider's user (the Hub user under ``jupyterhub-singleuser``) is
    cleaned as everywhere in the record store (an e-mail-like name becomes a keyed pseudonym)."""
    name = getattr(user, "username", None)
    if not isinstance(name, str) or not name:
        return None
    if getattr(user, "h4s_learner", False):
        return name
    from .records.store import clean_learner
    return clean_learner(name)
