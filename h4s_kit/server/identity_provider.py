"""``ServerApp.identity_provider_class`` of ``h4s serve``: every browser is a pseudonymous learner.

The learner id comes from the signed, HttpOnly ``h4s_learner`` cookie (:class:`h4s_kit.identity.Identity`);
a browser without a valid one is issued a new id (``Set-Cookie``) on a page or an API request.  Static files
and websocket upgrades issue no cookie: a request without one is a learner of its own for that request
only (it owns no kernel, and has no records).  With ``JUPYTERHUB_USER`` set, every request is that Hub user's.

There is no login and no token: learners are anonymous by design (book/security.md).  What a learner may
do is decided by :class:`h4s_kit.server.authorizer.H4SAuthorizer`.
"""
from __future__ import annotations

from jupyter_server.auth.identity import IdentityProvider, User
from tornado import web, websocket
from traitlets import Unicode, default


class H4SIdentityProvider(IdentityProvider):
    """Learners from the h4s cookie (the installation's key; see :mod:`h4s_kit.identity`)."""

    data_dir = Unicode("", config=True, help="data folder holding pseudonym.key (default: H4S_DATA_DIR or h4s's)")

    @default("token")
    def _h4s_no_token(self):   # no shared token: a token identifies nobody here
        return ""

    @property
    def identity(self):
        ident = getattr(self, "_h4s_identity", None)
        if ident is None:
            from ..identity import Identity
            ident = self._h4s_identity = Identity.for_installation(self.data_dir or None)
        return ident

    def get_user(self, handler: web.RequestHandler) -> User:
        ident = self.identity
        lid = ident.of_request(handler.request)
        if lid is None:
            if isinstance(handler, (web.StaticFileHandler, websocket.WebSocketHandler)) \
                    and not getattr(handler, "h4s_issues_learner_id", False):
                lid = ident.new_id()            # this request only: no cookie on a static file or an upgrade
            else:
                lid = ident.learner(handler)    # issues the cookie
        user = User(username=lid, name="Learner", display_name="Learner")
        user.h4s_learner = True                 # the id is final (see h4s_kit.identity.learner_of)
        return user

    @property
    def auth_enabled(self) -> bool:
        return True

    @property
    def login_available(self) -> bool:
        return False

    @property
    def logout_available(self) -> bool:
        return False

    def validate_security(self, app, ssl_options=None) -> None:
        return None     # anonymous learners are the design; h4s serve prints its own notices
