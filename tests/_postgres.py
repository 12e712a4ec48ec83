"""A throwaway PostgreSQL cluster for the tests (and for trying h4s on PostgreSQL by hand).

A test helper, not part of the h4s package.  It uses Debian's server binaries
(``/usr/lib/postgresql/<version>/bin``: initdb, pg_ctl), which
``scripts/ensure-system-packages.sh`` installs.  The cluster lives in a temporary folder, listens on
127.0.0.1 on a free port (and on a Unix socket in its folder only), asks for a password over TCP
(scram-sha-256, so that a wrong password is refused as on a real server) and is stopped and removed at
the end.  The server refuses to run as root: as root, the binaries run as the ``postgres`` user
(``runuser``); as anybody else, as that user.

By hand::

    python tests/_postgres.py --dir /tmp/pg-h4s            # prints the H4S_DATABASE_URL to set; Ctrl-C stops it

From Python: ``with Cluster(dir) as c: url = c.create_database()``.
"""
from __future__ import annotations

import glob
import os
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path

from _ports import free_port, port_taken, start_retrying

SUPERUSER = "h4s"


def bin_dir() -> Path | None:
    """The newest ``/usr/lib/postgresql/<version>/bin`` that has initdb (or $H4S_PG_BIN), else None."""
    env = os.environ.get("H4S_PG_BIN")
    if env:
        return Path(env) if (Path(env) / "initdb").exists() else None
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0)
    return Path(found[-1]).parent if found else None


class Cluster:
    """initdb + pg_ctl start in ``directory``; :meth:`create_database` gives each user a fresh database."""

    def __init__(self, directory: str | os.PathLike, port: int | None = None):
        self.bin = bin_dir()
        if self.bin is None:
            raise FileNotFoundError("PostgreSQL's server binaries are missing (/usr/lib/postgresql/*/bin/initdb): "
                                    "run `bash scripts/ensure-system-packages.sh` (installs Debian postgresql)")
        self.dir = Path(directory)
        self.data = self.dir / "data"
        self.port = port or free_port()
        self._own_port = port is None   # a port of our own choosing may be changed while the server starts
        self.password = secrets.token_hex(12)
        self.run_as: list[str] = []
        if os.geteuid() == 0:
            if not shutil.which("runuser"):
                raise FileNotFoundError("runuser is missing: PostgreSQL refuses to run as root")
            self.run_as = ["runuser", "-u", "postgres", "--"]

    # ----------------------------------------------------------------- server
    def _run(self, *args: str, timeout: float = 120) -> None:
        r = subprocess.run(self.run_as + [str(self.bin / args[0]), *args[1:]], capture_output=True, text=True,
                           timeout=timeout, cwd="/")
        if r.returncode:
            raise RuntimeError(f"{args[0]} failed ({r.returncode}): {(r.stderr or r.stdout).strip()[-1500:]}")

    def start(self) -> "Cluster":
        self.dir.mkdir(parents=True, exist_ok=True)
        pwfile = self.dir / "pw"
        pwfile.write_text(self.password + "\n")
        if self.run_as:
            shutil.chown(self.dir, "postgres")
            shutil.chown(pwfile, "postgres")
        os.chmod(self.dir, 0o700)
        os.chmod(pwfile, 0o600)
        self._run("initdb", "-D", str(self.data), "-U", SUPERUSER, "--auth-local=trust",
                  "--auth-host=scram-sha-256", f"--pwfile={pwfile}", "-E", "UTF8", "--locale=C.UTF-8",
                  "--no-sync")
        pwfile.unlink()
        start_retrying(self._start_once, self.port, may_move=self._own_port,
                       failure=f"PostgreSQL could not bind a port in 5 tries; see {self.dir / 'server.log'}")
        return self

    def _start_once(self, port: int) -> bool:
        """True when the server runs on ``port``; False when the port was taken; raises on any other failure."""
        self.port = port
        log = self.dir / "server.log"
        offset = log.stat().st_size if log.exists() else 0
        # a test cluster: nothing here must survive a crash of the machine, so no fsync
        opts = (f"-p {port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200 -c shared_buffers=32MB")
        try:
            self._run("pg_ctl", "-D", str(self.data), "-l", str(log), "-o", opts, "-w", "-t", "60", "start")
        except RuntimeError:
            said = log.read_bytes()[offset:].decode("utf-8", "replace") if log.exists() else ""
            if port_taken(said):
                return False
            raise
        return True

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            try:
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "-t", "30", "stop")
            except (RuntimeError, subprocess.TimeoutExpired):
                pass
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> "Cluster":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -------------------------------------------------------------- databases
    def url(self, dbname: str = "postgres", *, user: str = SUPERUSER, password: str | None = None) -> str:
        pw = self.password if password is None else password
        return f"postgresql://{user}:{pw}@127.0.0.1:{self.port}/{dbname}"

    def _admin(self):
        import psycopg
        return psycopg.connect(self.url(), autocommit=True)

    def create_database(self, name: str | None = None) -> str:
        """A new empty database; returns its URL (with the superuser's password)."""
        name = name or "h4s_" + secrets.token_hex(6)
        with self._admin() as c:
            c.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        with self._admin() as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def relation_files(self, url: str, tables: list[str]) -> list[Path]:
        """The data files of ``tables`` (and of their indexes and TOAST tables) in the database of ``url``."""
        import psycopg
        out: list[Path] = []
        with psycopg.connect(url, autocommit=True) as c:
            for t in tables:
                rows = c.execute(
                    "SELECT pg_relation_filepath(oid) FROM pg_class WHERE oid = %s::regclass"
                    " OR oid IN (SELECT indexrelid FROM pg_index WHERE indrelid = %s::regclass)"
                    " OR oid = (SELECT reltoastrelid FROM pg_class WHERE oid = %s::regclass)"
                    " OR oid IN (SELECT indexrelid FROM pg_index WHERE indrelid ="
                    "   (SELECT reltoastrelid FROM pg_class WHERE oid = %s::regclass))",
                    (t, t, t, t)).fetchall()
                for (rel,) in rows:
                    if rel:
                        out.extend(Path(p) for p in glob.glob(str(self.data / rel) + "*"))
        return out


def require() -> Path:
    """The server binaries' folder; without them: a skip that says how to install them, a failure under CI=true."""
    import pytest
    b = bin_dir()
    if b is None:
        msg = ("PostgreSQL's server binaries are missing (/usr/lib/postgresql/*/bin/initdb): run "
               "`bash scripts/ensure-system-packages.sh` (installs Debian postgresql; `make test` does it)")
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(msg)
        pytest.skip(msg)
    return b


def session_cluster():
    """For the session fixture: one cluster per test session (per xdist worker), stopped and removed at the end."""
    import tempfile
    require()
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    # not under pytest's tmp folder: that is mode 0700 for root, and the server runs as postgres
    c = Cluster(tempfile.mkdtemp(prefix=f"h4s-pg-{worker}-"))
    try:
        c.start()
    except BaseException:
        c.stop()
        raise
    try:
        yield c
    finally:
        c.stop()


def fresh_database(cluster: Cluster):
    """For the per-test fixture: a new empty database (its URL), dropped after the test."""
    name = "h4s_" + secrets.token_hex(6)
    url = cluster.create_database(name)
    try:
        yield url
    finally:
        cluster.drop_database(name)


def main(argv: list[str] | None = None) -> int:
    import argparse
    p = argparse.ArgumentParser(description="Run a throwaway PostgreSQL cluster for h4s")
    p.add_argument("--dir", required=True, help="an empty folder for the cluster (removed at the end)")
    p.add_argument("--port", type=int, default=None)
    p.add_argument("--database", default="h4s")
    a = p.parse_args(argv)
    c = Cluster(a.dir, a.port).start()
    try:
        url = c.create_database(a.database)
        print(f"PostgreSQL {c.bin.parent.name} in {a.dir}; Ctrl-C stops and removes it\nH4S_DATABASE_URL={url}",
              flush=True)
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        c.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
