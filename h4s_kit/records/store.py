"""The learner-record store: one SQLite file, ``$H4S_DATA_DIR/records.sqlite``.

* WAL mode, ``busy_timeout`` and ``BEGIN IMMEDIATE`` for every write, so that
  many kernels (one process each) can write at once without "database is
  locked" errors and without lost updates.
* ``synchronous=NORMAL``: a commit that returned survives the writer being
  killed (the WAL is in the OS page cache); only a power cut can lose the last
  commits.
* ``secure_delete=ON``: deleted rows are overwritten with zeros (GDPR erasure).
* Versioned migrations in :data:`MIGRATIONS`, tracked by ``PRAGMA user_version``.
* The database is refused on a network file system (see :mod:`.fs`).

Privacy rule (decided here, documented in the report): the store never holds
an e-mail or IP address as a learner id.  :meth:`RecordStore.add_record`
refuses such an id with :class:`RecordsError`; the live sink and the importer
turn them into a keyed pseudonym first (:func:`pseudonymise`).
"""
from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import os
import re
import secrets
import sqlite3
import time
import uuid as uuidlib
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable, Iterator

from h4s_widgets._errors import RecordsError

from .fs import fs_kind

log = logging.getLogger("h4s.records")

DB_NAME = "records.sqlite"
BUSY_TIMEOUT_MS = 60_000

MIGRATIONS: list[str] = [
    # 1: records and the xAPI statement queue
    """
    CREATE TABLE records (
        id INTEGER PRIMARY KEY,
        uuid TEXT NOT NULL UNIQUE,
        learner TEXT NOT NULL,
        module TEXT NOT NULL,
        question TEXT NOT NULL,
        qtype TEXT NOT NULL,
        question_text TEXT,
        response TEXT NOT NULL,
        score REAL,
        max_score REAL,
        success INTEGER,
        attempt INTEGER NOT NULL DEFAULT 1,
        ts REAL NOT NULL,
        duration_s REAL,
        source TEXT NOT NULL DEFAULT 'live',
        stored REAL NOT NULL
    );
    CREATE TABLE xapi_queue (
        statement_id TEXT PRIMARY KEY,
        learner TEXT NOT NULL,
        record_uuid TEXT,
        statement TEXT NOT NULL,
        created REAL NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending',
        tries INTEGER NOT NULL DEFAULT 0,
        next_try REAL NOT NULL DEFAULT 0,
        lease_until REAL NOT NULL DEFAULT 0,
        sent REAL,
        last_error TEXT
    );
    """,
    # 2: module outcomes (completed / passed / failed) and indexes for reports and GDPR look-ups
    """
    CREATE TABLE module_results (
        learner TEXT NOT NULL,
        module TEXT NOT NULL,
        completed REAL,
        passed INTEGER,
        scaled REAL,
        updated REAL NOT NULL,
        PRIMARY KEY (learner, module)
    );
    CREATE INDEX records_learner ON records (learner);
    CREATE INDEX records_module_question ON records (module, question);
    CREATE INDEX records_ts ON records (ts);
    CREATE INDEX queue_pending ON xapi_queue (status, next_try);
    CREATE INDEX queue_learner ON xapi_queue (learner);
    """,
    # 3: attempts are counted from the records (per learner, module, question): h4s serve's limits
    """
    CREATE INDEX records_attempts ON records (learner, module, question);
    """,
]
SCHEMA_VERSION = len(MIGRATIONS)

_EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")
_IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
_IP_TOKEN = re.compile(r"[0-9A-Fa-f:.]{2,}")
LEARNER_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:+-]{0,127}$")


def data_dir() -> Path:
    env = os.environ.get("H4S_DATA_DIR")
    if env:
        return Path(env).expanduser()
    try:
        from platformdirs import user_data_dir
        return Path(user_data_dir("h4s", appauthor=False))
    except ImportError:  # pragma: no cover - platformdirs comes with jupyter_core
        return Path.home() / ".local" / "share" / "h4s"


def db_path() -> Path:
    return data_dir() / DB_NAME


def private_dir(directory: Path) -> Path:
    """Make ``directory`` for h4s data if missing, with mode 0700 (its parents are made as usual)."""
    directory = Path(directory)
    if not directory.is_dir():
        directory.parent.mkdir(parents=True, exist_ok=True)
        try:
            directory.mkdir(mode=0o700)     # 0700 & ~umask is 0700 for any usual umask
        except FileExistsError:
            pass
    return directory


def _private_files(db: Path) -> None:
    """records.sqlite and its -wal/-shm: mode 0600 (they hold learner answers)."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        f = Path(str(db) + suffix)
        try:
            if f.exists() and f.stat().st_mode & 0o077:
                os.chmod(f, 0o600)
        except OSError:
            pass


def looks_personal(learner: str) -> bool:
    """True when a learner id looks like an e-mail or an IP address."""
    if _EMAIL.search(learner) or _IPV4.search(learner):
        return True
    for tok in _IP_TOKEN.findall(learner):
        if ":" in tok:
            try:
                ipaddress.ip_address(tok.strip("."))
                return True
            except ValueError:
                pass
    return False


def _secret(directory: Path) -> bytes:
    """Per-installation key for pseudonyms (file ``pseudonym.key``, mode 0600, made once)."""
    p = directory / "pseudonym.key"
    try:
        return bytes.fromhex(p.read_text().strip())
    except (OSError, ValueError):
        pass
    private_dir(directory)
    key = secrets.token_hex(32)
    try:
        fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(key)
    except FileExistsError:
        time.sleep(0.05)
        return bytes.fromhex(p.read_text().strip())
    return bytes.fromhex(key)


def pseudonymise(learner: str, directory: Path | None = None) -> str:
    """A stable pseudonym ``p-<20 hex>`` (HMAC-SHA256 with the installation key).

    The same e-mail gives the same pseudonym on this installation, so a learner's
    attempts stay together, but the e-mail itself is never stored.
    """
    key = _secret(directory or data_dir())
    return "p-" + hmac.new(key, learner.strip().lower().encode(), hashlib.sha256).hexdigest()[:20]


def clean_learner(learner: Any, directory: Path | None = None) -> str | None:
    """A storable learner id from what a browser or a file sent, or None if there is none."""
    if learner is None:
        return None
    s = str(learner).strip()
    if not s:
        return None
    if looks_personal(s) or not LEARNER_RE.match(s):
        return pseudonymise(s, directory)
    return s


def new_uuid() -> str:
    return str(uuidlib.uuid4())


def _row_dict(row: sqlite3.Row) -> dict:
    d = dict(row)
    if "response" in d and isinstance(d["response"], str):
        try:
            d["response"] = json.loads(d["response"])
        except ValueError:
            pass
    if "success" in d and d["success"] is not None:
        d["success"] = bool(d["success"])
    return d


class RecordStore:
    """One connection to the records database (use one per thread)."""

    def __init__(self, path: str | os.PathLike | None = None, *, check_fs: bool = True,
                 mounts_file: str | os.PathLike = "/proc/mounts"):
        self.path = Path(path) if path is not None else db_path()
        if check_fs:
            check_local(self.path, mounts_file)
        private_dir(self.path.parent)
        # SQLite gives the -wal and -shm files the mode of the database file: make that one 0600 first
        try:
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            pass
        _private_files(self.path)
        self.conn = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                                    check_same_thread=False)
        self.conn.row_factory = sqlite3.Row
        self.conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        self._retry(lambda: self.conn.execute("PRAGMA journal_mode=WAL").fetchone())
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("PRAGMA secure_delete=ON")
        self._migrate()
        _private_files(self.path)

    # ---------------------------------------------------------------- basics
    @staticmethod
    def _retry(fn, tries: int = 200):
        for i in range(tries):
            try:
                return fn()
            except sqlite3.OperationalError as e:
                if "locked" not in str(e) and "busy" not in str(e):
                    raise
                time.sleep(min(0.005 * (i + 1), 0.1))
        return fn()

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "RecordStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction taken with BEGIN IMMEDIATE (no lock upgrade deadlocks)."""
        self._retry(lambda: self.conn.execute("BEGIN IMMEDIATE"))
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

    @property
    def user_version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    def _migrate(self) -> None:
        if self.user_version == SCHEMA_VERSION:
            return
        with self.write() as c:
            v = c.execute("PRAGMA user_version").fetchone()[0]
            if v > SCHEMA_VERSION:
                raise RecordsError(f"{self.path}: made by a newer h4s (schema {v}, this h4s knows {SCHEMA_VERSION}); "
                                   "upgrade h4s")
            for i in range(v, SCHEMA_VERSION):
                for stmt in MIGRATIONS[i].split(";"):
                    if stmt.strip():
                        c.execute(stmt)
                c.execute(f"PRAGMA user_version={i + 1}")

    # --------------------------------------------------------------- records
    def add_record(self, rec: dict, statements: Iterable[dict] = ()) -> bool:
        """Store one record (and queue its xAPI statements) in one transaction.

        Returns False when a record with the same uuid is already there (idempotent).
        """
        learner = rec.get("learner")
        if not learner or not isinstance(learner, str):
            raise RecordsError("a record needs a learner id")
        if looks_personal(learner):
            raise RecordsError(f"learner id {learner[:3]}… looks like an e-mail or IP address; "
                               "h4s stores pseudonymous ids only (use records.store.pseudonymise)")
        for k in ("module", "question", "qtype"):
            if not rec.get(k):
                raise RecordsError(f"a record needs '{k}'")
        now = time.time()
        u = rec.get("uuid") or new_uuid()
        with self.write() as c:
            cur = c.execute(
                "INSERT OR IGNORE INTO records (uuid, learner, module, question, qtype, question_text, response, score,"
                " max_score, success, attempt, ts, duration_s, source, stored) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (u, learner, rec["module"], rec["question"], rec["qtype"], rec.get("question_text"),
                 json.dumps(rec.get("response"), ensure_ascii=False, sort_keys=True),
                 rec.get("score"), rec.get("max_score"),
                 None if rec.get("success") is None else int(bool(rec["success"])),
                 int(rec.get("attempt") or 1), float(rec.get("timestamp") or now), rec.get("duration_s"),
                 rec.get("source", "live"), now))
            inserted = cur.rowcount == 1
            if inserted:
                for st in statements:
                    self._queue(c, st, learner, u, now)
        return inserted

    @staticmethod
    def _queue(c: sqlite3.Connection, st: dict, learner: str, record_uuid: str | None, now: float) -> None:
        c.execute("INSERT OR IGNORE INTO xapi_queue (statement_id, learner, record_uuid, statement, created)"
                  " VALUES (?,?,?,?,?)", (st["id"], learner, record_uuid,
                                         json.dumps(st, ensure_ascii=False, sort_keys=True), now))

    def queue_statements(self, statements: Iterable[dict], learner: str) -> None:
        now = time.time()
        with self.write() as c:
            for st in statements:
                self._queue(c, st, learner, None, now)

    def records(self, module: str | None = None, learner: str | None = None) -> list[dict]:
        q, args = _select("records", module=module, learner=learner)
        return [_row_dict(r) for r in self.conn.execute(q + " ORDER BY ts, id", args)]

    def count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM records").fetchone()[0]

    def attempts(self, learner: str, module: str, question: str) -> int:
        """How many answers of ``learner`` to ``question`` of ``module`` are stored (the attempts so far)."""
        return self.conn.execute("SELECT count(*) FROM records WHERE learner=? AND module=? AND question=?",
                                 (learner, module, question)).fetchone()[0]

    def history(self, learner: str, module: str) -> list[dict]:
        return self.records(module=module, learner=learner)

    # --------------------------------------------------------- module results
    def module_result(self, learner: str, module: str) -> dict | None:
        r = self.conn.execute("SELECT * FROM module_results WHERE learner=? AND module=?", (learner, module)).fetchone()
        return dict(r) if r else None

    def set_module_result(self, learner: str, module: str, completed: float | None, passed: bool | None,
                          scaled: float | None, statements: Iterable[dict] = ()) -> None:
        now = time.time()
        with self.write() as c:
            c.execute("INSERT INTO module_results (learner, module, completed, passed, scaled, updated)"
                      " VALUES (?,?,?,?,?,?) ON CONFLICT (learner, module) DO UPDATE SET completed=excluded.completed,"
                      " passed=excluded.passed, scaled=excluded.scaled, updated=excluded.updated",
                      (learner, module, completed, None if passed is None else int(passed), scaled, now))
            for st in statements:
                self._queue(c, st, learner, None, now)

    # ------------------------------------------------------------ xAPI queue
    def claim_batch(self, limit: int = 50, lease_s: float = 60.0, force: bool = False) -> list[dict]:
        """Lease up to ``limit`` due statements so that no other process sends them at the same time."""
        now = time.time()
        with self.write() as c:
            due = "" if force else " AND next_try <= ?"
            args: list[Any] = [now] + ([] if force else [now]) + [limit]
            rows = c.execute(
                "SELECT statement_id, statement, tries FROM xapi_queue WHERE status='pending' AND lease_until <= ?"
                + due + " ORDER BY created, statement_id LIMIT ?", args).fetchall()
            ids = [r["statement_id"] for r in rows]
            c.executemany("UPDATE xapi_queue SET lease_until=? WHERE statement_id=?", [(now + lease_s, i) for i in ids])
        return [{"id": r["statement_id"], "statement": json.loads(r["statement"]), "tries": r["tries"]} for r in rows]

    def mark_sent(self, ids: Iterable[str]) -> None:
        now = time.time()
        with self.write() as c:
            c.executemany("UPDATE xapi_queue SET status='sent', sent=?, lease_until=0, last_error=NULL"
                          " WHERE statement_id=?", [(now, i) for i in ids])

    def mark_retry(self, ids: Iterable[str], error: str, base_s: float, max_s: float) -> None:
        now = time.time()
        with self.write() as c:
            for i in ids:
                r = c.execute("SELECT tries FROM xapi_queue WHERE statement_id=?", (i,)).fetchone()
                tries = (r["tries"] if r else 0) + 1
                delay = min(max_s, base_s * (2 ** min(tries - 1, 16)))
                c.execute("UPDATE xapi_queue SET tries=?, next_try=?, lease_until=0, last_error=? WHERE statement_id=?",
                          (tries, now + delay, error[:500], i))

    def mark_rejected(self, ids: Iterable[str], error: str) -> None:
        with self.write() as c:
            c.executemany("UPDATE xapi_queue SET status='rejected', lease_until=0, last_error=? WHERE statement_id=?",
                          [(error[:500], i) for i in ids])

    def queue_counts(self) -> dict[str, int]:
        return {r[0]: r[1] for r in self.conn.execute("SELECT status, count(*) FROM xapi_queue GROUP BY status")}

    def queue(self, learner: str | None = None, status: str | None = None) -> list[dict]:
        q, args = _select("xapi_queue", learner=learner, status=status)
        out = []
        for r in self.conn.execute(q + " ORDER BY created, statement_id", args):
            d = dict(r)
            d["statement"] = json.loads(d["statement"])
            out.append(d)
        return out

    # ----------------------------------------------------------- maintenance
    def checkpoint(self) -> tuple[int, int, int]:
        """``wal_checkpoint(TRUNCATE)``: copy the WAL into the database and empty the WAL file."""
        return tuple(self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone())  # type: ignore[return-value]

    def integrity(self) -> str:
        return self.conn.execute("PRAGMA integrity_check").fetchone()[0]


def _select(table: str, **equal: str | None) -> tuple[str, list]:
    """``SELECT * FROM table`` filtered by the given column = value pairs whose value is set."""
    cols = [k for k, v in equal.items() if v]
    where = " AND ".join(f"{k} = ?" for k in cols)
    return f"SELECT * FROM {table}" + (f" WHERE {where}" if where else ""), [equal[k] for k in cols]


def check_local(path: Path, mounts_file: str | os.PathLike = "/proc/mounts") -> str:
    """Refuse a database on a network file system; warn when the type is unknown."""
    kind, m = fs_kind(path.parent if not path.exists() else path, mounts_file)
    if kind == "network":
        raise RecordsError(
            f"{path} is on a network file system ({m.fs_type} mounted at {m.mount_point}); SQLite cannot lock "
            "it safely and learner records could be corrupted. Set H4S_DATA_DIR to a local disk "
            "(e.g. /var/lib/h4s) and run h4s there")
    if kind == "unknown" and m is not None:
        log.warning("h4s records: cannot tell whether %s (%s at %s) is a local disk; SQLite needs a local disk",
                    path, m.fs_type, m.mount_point)
    return kind


def open_store(path: str | os.PathLike | None = None) -> RecordStore:
    return RecordStore(path)
