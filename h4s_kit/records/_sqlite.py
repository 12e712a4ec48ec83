"""The SQLite side of the record store: one file, ``$H4S_DATA_DIR/records.sqlite`` (the default).

* WAL mode, ``busy_timeout`` and ``BEGIN IMMEDIATE`` for every write, so that many kernels (one process
  each) can write at once without "database is locked" errors and without lost updates.
* ``synchronous=NORMAL``: a commit that returned survives the writer being killed (the WAL is in the OS
  page cache); only a power cut can lose the last commits.
* ``secure_delete=ON``: deleted rows are overwritten with zeros (GDPR erasure); :meth:`Backend.scrub`
  then runs ``VACUUM`` and empties the WAL.
* The schema version is ``PRAGMA user_version``.
* The database is refused on a network file system (see :mod:`.fs`).

The SQL of the store itself is in :mod:`.store` (shared with :mod:`._postgres`); this module only opens the
file and does what is SQLite's own.
"""
from __future__ import annotations

import logging
import os
import sqlite3
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable, Iterator

from h4s_widgets._errors import RecordsError

from .fs import fs_kind

log = logging.getLogger("h4s.records")

BUSY_TIMEOUT_MS = 60_000
#: column types of the shared migrations (see store._MIGRATIONS)
TYPES = {"id": "INTEGER PRIMARY KEY", "real": "REAL"}
#: errors of this driver (the live sink turns them into "the answer could not be stored")
ERRORS: tuple[type[BaseException], ...] = (sqlite3.Error,)


def _private_files(db: Path) -> None:
    """records.sqlite and its -wal/-shm: mode 0600 (they hold learner answers)."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        f = Path(str(db) + suffix)
        try:
            if f.exists() and f.stat().st_mode & 0o077:
                os.chmod(f, 0o600)
        except OSError:
            pass


def check_local(path: Path, mounts_file: str | os.PathLike = "/proc/mounts") -> str:
    """Refuse a database on a network file system; warn when the type is unknown."""
    kind, m = fs_kind(path.parent if not path.exists() else path, mounts_file)
    if kind == "network":
        raise RecordsError(
            f"{path} is on a network file system ({m.fs_type} mounted at {m.mount_point}); SQLite cannot lock "
            "it safely and learner records could be corrupted. Set H4S_DATA_DIR to a local disk "
            "(e.g. /var/lib/h4s) and run h4s there, or set H4S_DATABASE_URL to a PostgreSQL database")
    if kind == "unknown" and m is not None:
        log.warning("h4s records: cannot tell whether %s (%s at %s) is a local disk; SQLite needs a local disk",
                    path, m.fs_type, m.mount_point)
    return kind


def _retry(fn, tries: int = 200):
    for i in range(tries):
        try:
            return fn()
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) and "busy" not in str(e):
                raise
            time.sleep(min(0.005 * (i + 1), 0.1))
    return fn()


class Backend:
    name = "sqlite"
    #: row locks inside a write transaction: none needed, BEGIN IMMEDIATE holds the whole database
    lock_rows = ""
    lock_rows_skip = ""

    def __init__(self, path: Path, *, check_fs: bool = True, mounts_file: str | os.PathLike = "/proc/mounts"):
        from .store import private_dir
        self.path = path
        if check_fs:
            check_local(path, mounts_file)
        private_dir(path.parent)
        # SQLite gives the -wal and -shm files the mode of the database file: make that one 0600 first
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            pass
        _private_files(path)
        self.conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                                    check_same_thread=False)
        self.conn.row_factory = sqlite3.Row
        self.conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        _retry(lambda: self.conn.execute("PRAGMA journal_mode=WAL").fetchone())
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("PRAGMA secure_delete=ON")

    @property
    def location(self) -> str:
        return str(self.path)

    def after_migrate(self) -> None:
        _private_files(self.path)

    def close(self) -> None:
        self.conn.close()

    # ------------------------------------------------------------- statements
    def execute(self, sql: str, args: Iterable[Any] = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, tuple(args))

    def executemany(self, sql: str, rows: Iterable[Iterable[Any]]) -> None:
        self.conn.executemany(sql, rows)

    @contextmanager
    def transaction(self) -> Iterator["Backend"]:
        """A write transaction taken with BEGIN IMMEDIATE (no lock upgrade deadlocks)."""
        _retry(lambda: self.conn.execute("BEGIN IMMEDIATE"))
        try:
            yield self
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

    # -------------------------------------------------------------- migrations
    def version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    def lock_for_migration(self) -> None:
        """Nothing to do: the migration runs in a BEGIN IMMEDIATE transaction."""

    def set_version(self, v: int) -> None:
        self.conn.execute(f"PRAGMA user_version={int(v)}")

    def newer_schema_error(self, v: int, known: int) -> RecordsError:
        return RecordsError(f"{self.path}: made by a newer h4s (schema {v}, this h4s knows {known}); upgrade h4s")

    def migration_error(self, e: BaseException) -> RecordsError:
        return RecordsError(f"{self.path}: cannot create or upgrade the h4s tables ({e}); check that the file is "
                            "a records database of h4s and that it can be written")

    # ------------------------------------------------------------ maintenance
    def checkpoint(self) -> tuple[int, int, int]:
        """``wal_checkpoint(TRUNCATE)``: copy the WAL into the database and empty the WAL file."""
        return tuple(self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone())  # type: ignore[return-value]

    def integrity(self) -> str:
        return self.conn.execute("PRAGMA integrity_check").fetchone()[0]

    def scrub(self) -> None:
        """After an erasure: rewrite the database without free pages and empty the WAL."""
        busy, _, _ = self.checkpoint()
        self.conn.execute("VACUUM")
        busy2, _, _ = self.checkpoint()
        if busy or busy2:
            raise RecordsError("the records database is in use (a kernel is writing); the rows are deleted but old "
                               "copies may remain in the WAL until it is checkpointed: stop the server and run the "
                               "command again")
