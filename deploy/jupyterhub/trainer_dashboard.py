"""The h4s trainer dashboard as a JupyterHub service (started by the Hub: deploy/jupyterhub/jupyterhub_config.py).

``/services/h4s-dashboard/`` shows ``h4s report`` made fresh from the shared record store on every visit (the
HTML page, and its CSV files next to it).  People log in through the Hub (OAuth); only those whose Hub roles
give them ``access:services!service=h4s-dashboard`` get in (the role "h4s-trainers" gives it to the group
"trainers"); everybody else gets 403.  The store is the one the environment names: ``H4S_DATABASE_URL``
(PostgreSQL), else the SQLite file in ``H4S_DATA_DIR``; the question banks come from
``$H4S_COURSE_DIR/modules``.
"""
from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse

from jupyterhub.services.auth import HubOAuthCallbackHandler, HubOAuthenticated
from jupyterhub.utils import url_path_join
from tornado import ioloop, web


class Dashboard(HubOAuthenticated, web.RequestHandler):
    """The report page (``name`` empty) or one of its CSV files; 403 for a Hub user who is not a trainer."""

    def initialize(self, modules_dir: Path):
        self.modules_dir = modules_dir

    @web.authenticated
    def get(self, name: str):
        from h4s_kit.server.trainer import send_report
        send_report(self, self.modules_dir, name)

    def write_error(self, status_code: int, **kwargs):
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish({403: "Only trainers (the Hub group 'trainers') may open the trainer dashboard.\n"}
                    .get(status_code, f"{status_code} {self._reason}\n"))


def make_app() -> web.Application:
    prefix = os.environ["JUPYTERHUB_SERVICE_PREFIX"]
    modules = Path(os.environ.get("H4S_COURSE_DIR", ".")) / "modules"
    return web.Application([
        (url_path_join(prefix, "oauth_callback"), HubOAuthCallbackHandler),
        (url_path_join(prefix, r"([A-Za-z0-9_.-]*)"), Dashboard, {"modules_dir": modules}),
    ], cookie_secret=os.urandom(32))


def main() -> None:
    url = urlparse(os.environ["JUPYTERHUB_SERVICE_URL"])
    make_app().listen(url.port, url.hostname or "127.0.0.1")
    try:
        ioloop.IOLoop.current().start()
    except KeyboardInterrupt:     # the Hub stops its services with SIGINT
        pass


if __name__ == "__main__":
    main()
