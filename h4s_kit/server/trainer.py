"""The trainer dashboard: ``h4s report`` made fresh from the records on every visit.

It lists learner ids, so it lives at a secret address (``<book>/trainer/<token>/``) that ``h4s serve``
prints at start; any other token is a 404."""
from __future__ import annotations

import secrets
import tempfile
from pathlib import Path

from tornado import web

from .errors import JsonErrors


class TrainerHandler(JsonErrors):
    def initialize(self, trainer_token: str, modules_dir: Path):
        self.trainer_token = trainer_token
        self.modules_dir = modules_dir

    @web.authenticated
    def get(self, token: str, name: str):
        if not self.trainer_token or not secrets.compare_digest(token, self.trainer_token):
            raise web.HTTPError(404)
        send_report(self, self.modules_dir, name)


def send_report(handler: web.RequestHandler, modules_dir: Path, name: str) -> None:
    """Answer ``handler``'s request with the trainer report made fresh from the records: its HTML page
    (``name`` empty) or one of its CSV files by name; 404 for any other name.  Used by the trainer page of
    ``h4s serve`` and by the JupyterHub dashboard service (deploy/jupyterhub/trainer_dashboard.py)."""
    from ..report import report_from_store
    with tempfile.TemporaryDirectory(prefix="h4s-report-") as tmp:
        r = report_from_store(tmp, modules_dir=modules_dir)
        files = {Path(r["html"]).name: Path(r["html"]), **{Path(c).name: Path(c) for c in r["csv"]}}
        want = name or Path(r["html"]).name
        if want not in files:
            raise web.HTTPError(404)
        kind = "text/html; charset=utf-8" if want.endswith(".html") else "text/csv; charset=utf-8"
        handler.set_header("Content-Type", kind)
        handler.set_header("Cache-Control", "no-store")
        handler.set_header("X-Robots-Tag", "noindex")
        handler.set_header("Referrer-Policy", "no-referrer")
        handler.finish(files[want].read_bytes())
