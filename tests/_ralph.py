"""A small Ralph LRS for the tests and for trying xAPI locally (test extra: ``ralph-malph[cli,lrs]``, ``uvicorn``).

A test helper, not part of the h4s package.

Ralph 5.1.0's file backend refuses to write to its statements file a second
time (its default operation is *create*, so the second POST answers HTTP 500).
This ASGI wrapper imports Ralph's app with the file backend and switches the
backend's default operation to *append*.

Run it by hand::

    python tests/_ralph.py --dir /tmp/lrs --port 8100 --user h4s --password secret

then ``H4S_LRS_URL=http://127.0.0.1:8100/xAPI/ H4S_LRS_USER=h4s H4S_LRS_PASSWORD=secret``.
:class:`RalphServer` starts and stops it from Python (the tests use it).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from _ports import free_port, port_taken, start_retrying


def _make_app():
    os.environ.setdefault("RALPH_RUNSERVER_BACKEND", "fs")
    from ralph.api import app as ralph_app
    from ralph.api.routers import statements
    from ralph.backends.data.base import BaseOperationType
    statements.BACKEND_CLIENT.default_operation_type = BaseOperationType.APPEND
    return ralph_app


def __getattr__(name: str):
    if name == "app":  # imported lazily so that importing this module costs nothing
        globals()["app"] = _make_app()
        return globals()["app"]
    raise AttributeError(name)


def write_auth_file(path: Path, user: str, password: str) -> None:
    import bcrypt
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps([{
        "username": user,
        "hash": bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=4)).decode(),
        "scopes": ["all"],
        "agent": {"account": {"homePage": "https://h4s.invalid/lrs", "name": user}},
    }]))


class RalphServer:
    """Ralph (file backend, append) in a uvicorn subprocess on 127.0.0.1; can be stopped and started again."""

    def __init__(self, directory: Path, port: int | None = None, user: str = "h4s", password: str = "h4s-test",
                 cors_origins: list[str] | None = None):
        self.dir = Path(directory)
        self.port = port or free_port()
        self._own_port = port is None   # a port of our own choosing may be changed until the first start
        self._started = False
        self.user, self.password = user, password
        self.cors = cors_origins or []
        self.proc: subprocess.Popen | None = None
        (self.dir / "data").mkdir(parents=True, exist_ok=True)
        write_auth_file(self.dir / "auth.json", user, password)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/xAPI/"

    @property
    def auth(self) -> tuple[str, str]:
        return (self.user, self.password)

    def env(self) -> dict:
        e = dict(os.environ)
        e.update({
            "RALPH_RUNSERVER_BACKEND": "fs",
            "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(self.dir / "data"),
            "RALPH_BACKENDS__DATA__FS__DEFAULT_DIRECTORY_PATH": str(self.dir / "data"),
            "RALPH_AUTH_FILE": str(self.dir / "auth.json"),
            "RALPH_HISTORY_FILE": str(self.dir / "history.json"),
            "RALPH_APP_DIR": str(self.dir / "app"),
        })
        if self.cors:
            e["RALPH_RUNSERVER_CORS_ALLOW_ORIGINS"] = json.dumps(self.cors)
        return e

    def start(self, timeout: float = 30.0) -> "RalphServer":
        """Start Ralph and wait for its heartbeat; when another process took its port before uvicorn bound it,
        start again by the rule of :func:`_ports.start_retrying` (a new port if the port is ours and Ralph never
        ran, else the same one a moment later)."""
        start_retrying(lambda port: self._start_once(timeout, port), self.port,
                       may_move=self._own_port and not self._started,
                       failure=f"Ralph could not bind a port in 5 tries; see {self.dir / 'ralph.log'}")
        self._started = True
        return self

    def _start_once(self, timeout: float, port: int) -> bool:
        """True when Ralph answers on ``port``; False when the port was taken; raises on any other failure."""
        import requests
        self.port = port
        log_path = self.dir / "ralph.log"
        offset = log_path.stat().st_size if log_path.exists() else 0
        log = open(log_path, "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "_ralph:app", "--app-dir", str(Path(__file__).parent), "--host", "127.0.0.1",
             "--port", str(self.port), "--log-level", "warning"],
            env=self.env(), cwd=str(self.dir), stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                with open(log_path, "rb") as fh:
                    fh.seek(offset)
                    said = fh.read().decode("utf-8", "replace")
                self.proc = None
                if port_taken(said):
                    return False
                raise RuntimeError(f"Ralph exited; see {log_path}")
            try:
                if requests.get(f"http://127.0.0.1:{self.port}/__heartbeat__", timeout=1).status_code == 200:
                    return True
            except requests.RequestException:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"Ralph did not start in {timeout} s; see {log_path}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def statements(self, **params) -> list[dict]:
        """Every statement Ralph holds (follows the ``more`` links)."""
        import requests
        out: list[dict] = []
        url = f"http://127.0.0.1:{self.port}/xAPI/statements"
        params = {"limit": 500, **params}
        while url:
            r = requests.get(url, params=params, auth=self.auth, headers={"X-Experience-API-Version": "1.0.3"},
                             timeout=10)
            r.raise_for_status()
            body = r.json()
            out.extend(body.get("statements", []))
            more = body.get("more")
            url = f"http://127.0.0.1:{self.port}{more}" if more else ""
            params = {}
        return out

    def __enter__(self) -> "RalphServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    import argparse
    p = argparse.ArgumentParser(description="Run a local Ralph LRS (file backend) for h4s")
    p.add_argument("--dir", required=True)
    p.add_argument("--port", type=int, default=8100)
    p.add_argument("--user", default="h4s")
    p.add_argument("--password", required=True)
    a = p.parse_args(argv)
    srv = RalphServer(Path(a.dir), a.port, a.user, a.password).start()
    print(f"Ralph LRS at {srv.url} (user {a.user}); Ctrl-C stops it")
    try:
        srv.proc.wait()
    except KeyboardInterrupt:
        srv.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
