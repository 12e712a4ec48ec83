"""The learner-record store: SQLite by default, PostgreSQL when ``H4S_DATABASE_URL`` is set.

:func:`open_store` (or ``RecordStore()``) opens the configured store:

* ``H4S_DATABASE_URL=postgresql://USER:PASSWORD@HOST:PORT/DATABASE``: a PostgreSQL database that several
  servers can share (:mod:`._postgres`);
* otherwise one SQLite file, ``$H4S_DATA_DIR/records.sqlite``, on a local disk (:mod:`._sqlite`).

``RecordStore(path)`` opens that SQLite file, ``RecordStore("postgresql://...")`` that database.  The SQL
below is written once (``?`` parameters, ``INSERT ... ON CONFLICT``, which both speak); the backends only
open the connection and do what is their own (transactions, row locks of the xAPI queue, the schema
version, integrity check, erasure clean-up).  Both give the same guarantees: a record is stored once
(its uuid is unique; a second add is a no-op), every write is one transaction, so a writer killed
mid-way leaves either the whole record with its statements or nothing, and a claimed batch of the xAPI
queue is leased to one sender.

Versioned migrations in :data:`_MIGRATIONS` are numbered once for both: SQLite keeps the number in
``PRAGMA user_version``, PostgreSQL in the table ``h4s_schema_migrations``.

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
import time
import uuid as uuidlib
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable, Iterator

from h4s_widgets._errors import RecordsError

from . import _sqlite
from ._sqlite import check_local  # noqa: F401  (public here: where the SQLite file may live)

log = logging.getLogger("h4s.records")

DB_NAME = "records.sqlite"
#: the environment variable that selects PostgreSQL
DATABASE_URL_ENV = "H4S_DATABASE_URL"


class StoreUnavailable(RecordsError):
    """The configured record store cannot be opened (bad URL, server unreachable, wrong password, newer schema)."""


#: the schema, written once: ``{id}`` and ``{real}`` are the backend's column types (see _sqlite/_postgres TYPES)
_MIGRATIONS: list[str] = [
    # 1: records and the xAPI statement queue
    """
    CREATE TABLE records (
        id {id},
        uuid TEXT NOT NULL UNIQUE,
        learner TEXT NOT NULL,
        module TEXT NOT NULL,
        question TEXT NOT NULL,
        qtype TEXT NOT NULL,
        question_text TEXT,
        response TEXT NOT NULL,
        score {real},
        max_score {real},
        success INTEGER,
        attempt INTEGER NOT NULL DEFAULT 1,
        ts {real} NOT NULL,
        duration_s {real},
        source TEXT NOT NULL DEFAULT 'live',
        stored {real} NOT NULL
    );
    CREATE TABLE xapi_queue (
        statement_id TEXT PRIMARY KEY,
        learner TEXT NOT NULL,
        record_uuid TEXT,
        statement TEXT NOT NULL,
        created {real} NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending',
        tries INTEGER NOT NULL DEFAULT 0,
        next_try {real} NOT NULL DEFAULT 0,
        lease_until {real} NOT NULL DEFAULT 0,
        sent {real},
        last_error TEXT
    );
    """,
    # 2: module outcomes (completed / passed / failed) and indexes for reports and GDPR look-ups
    """
    CREATE TABLE module_results (
        learner TEXT NOT NULL,
        module TEXT NOT NULL,
        completed {real},
        passed INTEGER,
        scaled {real},
        updated {real} NOT NULL,
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
    # 4: Open Badges credentials (h4s_kit.credentials): one per learner x module version, and the status list
    # slots, which outlive an erased credential so that an index is never given twice
    """
    CREATE TABLE credentials (
        id TEXT PRIMARY KEY,
        learner TEXT NOT NULL,
        module TEXT NOT NULL,
        version TEXT NOT NULL,
        status_index INTEGER NOT NULL,
        issued {real} NOT NULL,
        credential TEXT NOT NULL,
        UNIQUE (learner, module, version)
    );
    CREATE TABLE credential_status (
        status_index INTEGER PRIMARY KEY,
        revoked {real}
    );
    CREATE INDEX credentials_learner ON credentials (learner);
    """,
]
SCHEMA_VERSION = len(_MIGRATIONS)
#: the tables of h4s (GDPR erasure and the integrity check go through all of them)
TABLES = ("records", "xapi_queue", "module_results", "credentials", "credential_status")


def migrations(types: dict[str, str]) -> list[str]:
    """The migrations with a backend's column types."""
    return [m.format(**types) for m in _MIGRATIONS]


#: the migrations as SQLite runs them
MIGRATIONS: list[str] = migrations(_sqlite.TYPES)

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


def _row_dict(row: Any) -> dict:
    d = dict(row)
    if "response" in d and isinstance(d["response"], str):
        try:
            d["response"] = json.loads(d["response"])
        except ValueError:
            pass
    if "success" in d and d["success"] is not None:
        d["success"] = bool(d["success"])
    return d


def configured_url() -> str | None:
    """``H4S_DATABASE_URL`` when it is set (and not blank), else None (the SQLite file)."""
    return os.environ.get(DATABASE_URL_ENV, "").strip() or None


def _is_url(target: Any) -> bool:
    return isinstance(target, str) and "://" in target


class RecordStore:
    """One connection to the records database (use one per thread).

    ``RecordStore()`` opens the configured store (``H4S_DATABASE_URL``, else ``$H4S_DATA_DIR/records.sqlite``);
    ``RecordStore(path)`` a SQLite file; ``RecordStore("postgresql://...")`` a PostgreSQL database.
    """

    def __init__(self, path: str | os.PathLike | None = None, *, check_fs: bool = True,
                 mounts_file: str | os.PathLike = "/proc/mounts"):
        url, source = (configured_url(), DATABASE_URL_ENV) if path is None else (None, "--db")
        if url is None and _is_url(path):
            url = str(path)
        if url is not None:
            from . import _postgres
            self._db: Any = _postgres.Backend(_postgres.Target(url, source))
            #: where pseudonym.key lives (the same e-mail must give the same pseudonym on every server)
            self.key_dir = data_dir()
            self.path: Path | None = None
        else:
            self.path = Path(path) if path is not None else db_path()
            self._db = _sqlite.Backend(self.path, check_fs=check_fs, mounts_file=mounts_file)
            self.key_dir = self.path.parent
        self.backend: str = self._db.name
        try:
            self._migrate()
        except self.errors as e:   # e.g. no right to create tables: one line that says what to do
            self._db.close()
            raise self._db.migration_error(e) from None
        except BaseException:
            self._db.close()
            raise
        self._db.after_migrate()

    # ---------------------------------------------------------------- basics
    @property
    def conn(self) -> Any:
        """The driver's connection (sqlite3 or psycopg), for a look by hand; the store's SQL goes through the backend."""
        return self._db.conn

    @property
    def location(self) -> str:
        """The SQLite file, or the PostgreSQL URL without its password."""
        return self._db.location

    @property
    def errors(self) -> tuple[type[BaseException], ...]:
        """The driver's errors (a write that fails with one of them stored nothing)."""
        if self.backend == "sqlite":
            return _sqlite.ERRORS
        from . import _postgres
        return _postgres.errors()

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> "RecordStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _x(self, sql: str, args: Iterable[Any] = ()):
        return self._db.execute(sql, args)

    @contextmanager
    def write(self) -> Iterator[Any]:
        """One write transaction; yields an object with ``execute(sql, args)`` and ``executemany`` (``?`` style)."""
        with self._db.transaction() as tx:
            yield tx

    @property
    def user_version(self) -> int:
        """The schema version (SQLite: ``PRAGMA user_version``; PostgreSQL: the h4s_schema_migrations table)."""
        return self._db.version()

    def _migrate(self) -> None:
        if self._db.version() == SCHEMA_VERSION:
            return
        steps = migrations(_types(self.backend))
        with self.write() as c:
            self._db.lock_for_migration()
            v = self._db.version()
            if v > SCHEMA_VERSION:
                raise self._db.newer_schema_error(v, SCHEMA_VERSION)
            for i in range(v, SCHEMA_VERSION):
                for stmt in steps[i].split(";"):
                    if stmt.strip():
                        c.execute(stmt)
                self._db.set_version(i + 1)

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
                "INSERT INTO records (uuid, learner, module, question, qtype, question_text, response, score,"
                " max_score, success, attempt, ts, duration_s, source, stored) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
                " ON CONFLICT DO NOTHING",
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
    def _queue(c: Any, st: dict, learner: str, record_uuid: str | None, now: float) -> None:
        c.execute("INSERT INTO xapi_queue (statement_id, learner, record_uuid, statement, created)"
                  " VALUES (?,?,?,?,?) ON CONFLICT DO NOTHING",
                  (st["id"], learner, record_uuid, json.dumps(st, ensure_ascii=False, sort_keys=True), now))

    def queue_statements(self, statements: Iterable[dict], learner: str) -> None:
        now = time.time()
        with self.write() as c:
            for st in statements:
                self._queue(c, st, learner, None, now)

    def records(self, module: str | None = None, learner: str | None = None) -> list[dict]:
        q, args = _select("records", module=module, learner=learner)
        return [_row_dict(r) for r in self._x(q + " ORDER BY ts, id", args).fetchall()]

    def record(self, uuid: str) -> dict | None:
        """The record stored under ``uuid`` (None: there is none)."""
        r = self._x("SELECT * FROM records WHERE uuid=?", (uuid,)).fetchone()
        return _row_dict(r) if r else None

    def count(self) -> int:
        return self._x("SELECT count(*) AS n FROM records").fetchone()["n"]

    def attempts(self, learner: str, module: str, question: str) -> int:
        """How many answers of ``learner`` to ``question`` of ``module`` are stored (the attempts so far)."""
        return self._x("SELECT count(*) AS n FROM records WHERE learner=? AND module=? AND question=?",
                       (learner, module, question)).fetchone()["n"]

    def history(self, learner: str, module: str) -> list[dict]:
        return self.records(module=module, learner=learner)

    # --------------------------------------------------------- module results
    def module_result(self, learner: str, module: str) -> dict | None:
        r = self._x("SELECT * FROM module_results WHERE learner=? AND module=?", (learner, module)).fetchone()
        return dict(r) if r else None

    def module_results(self, learner: str | None = None) -> list[dict]:
        q, args = _select("module_results", learner=learner)
        return [dict(r) for r in self._x(q + " ORDER BY learner, module", args).fetchall()]

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

    # ------------------------------------------------------------ credentials
    def credentials(self, learner: str | None = None, module: str | None = None) -> list[dict]:
        """Issued credentials (newest last) with ``revoked`` (Unix time or None) from their status slot."""
        q, args = _select("credentials", learner=learner, module=module)
        q = q.replace("SELECT * FROM credentials", "SELECT c.*, s.revoked FROM credentials c LEFT JOIN "
                      "credential_status s ON s.status_index = c.status_index")
        return [_credential_row(r) for r in self._x(q + " ORDER BY issued, id", args).fetchall()]

    def credential(self, cid: str) -> dict | None:
        r = self._x("SELECT c.*, s.revoked FROM credentials c LEFT JOIN credential_status s"
                    " ON s.status_index = c.status_index WHERE c.id=?", (cid,)).fetchone()
        return _credential_row(r) if r else None

    def credential_for(self, learner: str, module: str, version: str) -> dict | None:
        r = self._x("SELECT c.*, s.revoked FROM credentials c LEFT JOIN credential_status s"
                    " ON s.status_index = c.status_index WHERE learner=? AND module=? AND version=?",
                    (learner, module, version)).fetchone()
        return _credential_row(r) if r else None

    def new_status_index(self) -> int:
        """A status list index never given before (slots are kept when credentials are erased)."""
        for _ in range(20):
            with self.write() as c:
                row = c.execute("SELECT MAX(status_index) AS top FROM credential_status").fetchone()
                top = dict(row)["top"]
                idx = 0 if top is None else int(top) + 1
                if c.execute("INSERT INTO credential_status (status_index, revoked) VALUES (?, NULL)"
                             " ON CONFLICT (status_index) DO NOTHING", (idx,)).rowcount == 1:
                    return idx
        raise RecordsError("no free status list index (too many servers at once); try again")

    def add_credential(self, row: dict) -> bool:
        """Store an issued credential; False when the learner already has one for that module version."""
        with self.write() as c:
            return c.execute(
                "INSERT INTO credentials (id, learner, module, version, status_index, issued, credential)"
                " VALUES (?,?,?,?,?,?,?) ON CONFLICT (learner, module, version) DO NOTHING",
                (row["id"], row["learner"], row["module"], row["version"], int(row["status_index"]),
                 float(row["issued"]), json.dumps(row["credential"], ensure_ascii=False))).rowcount == 1

    def set_revoked(self, status_index: int, when: float | None) -> None:
        with self.write() as c:
            c.execute("INSERT INTO credential_status (status_index, revoked) VALUES (?, ?)"
                      " ON CONFLICT (status_index) DO UPDATE SET revoked=excluded.revoked", (int(status_index), when))

    def revoked_indexes(self) -> set[int]:
        return {int(dict(r)["status_index"]) for r in self._x(
            "SELECT status_index FROM credential_status WHERE revoked IS NOT NULL").fetchall()}

    # ------------------------------------------------------------ xAPI queue
    def has_pending(self) -> bool:
        """A plain read (no write lock): is any statement waiting for the LRS?"""
        return self._x("SELECT 1 AS one FROM xapi_queue WHERE status='pending' LIMIT 1").fetchone() is not None

    def claim_batch(self, limit: int = 50, lease_s: float = 60.0, force: bool = False) -> list[dict]:
        """Lease up to ``limit`` due statements so that no other process sends them at the same time."""
        now = time.time()
        with self.write() as c:
            due = "" if force else " AND next_try <= ?"
            args: list[Any] = [now] + ([] if force else [now]) + [int(limit)]
            rows = c.execute(
                "SELECT statement_id, statement, tries FROM xapi_queue WHERE status='pending' AND lease_until <= ?"
                + due + " ORDER BY created, statement_id LIMIT ?" + self._db.lock_rows_skip, args).fetchall()
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
                r = c.execute("SELECT tries FROM xapi_queue WHERE statement_id=?" + self._db.lock_rows, (i,)).fetchone()
                tries = (r["tries"] if r else 0) + 1
                delay = min(max_s, base_s * (2 ** min(tries - 1, 16)))
                c.execute("UPDATE xapi_queue SET tries=?, next_try=?, lease_until=0, last_error=? WHERE statement_id=?",
                          (tries, now + delay, error[:500], i))

    def mark_rejected(self, ids: Iterable[str], error: str) -> None:
        with self.write() as c:
            c.executemany("UPDATE xapi_queue SET status='rejected', lease_until=0, last_error=? WHERE statement_id=?",
                          [(error[:500], i) for i in ids])

    def queue_counts(self) -> dict[str, int]:
        return {r["status"]: r["n"] for r in
                self._x("SELECT status, count(*) AS n FROM xapi_queue GROUP BY status").fetchall()}

    def queue(self, learner: str | None = None, status: str | None = None) -> list[dict]:
        q, args = _select("xapi_queue", learner=learner, status=status)
        out = []
        for r in self._x(q + " ORDER BY created, statement_id", args).fetchall():
            d = dict(r)
            d["statement"] = json.loads(d["statement"])
            out.append(d)
        return out

    # ------------------------------------------------------------ GDPR
    def delete_learner(self, learner: str) -> dict:
        """Erase every row of ``learner`` (one transaction); ``sent_statement_ids``: what the LRS already has."""
        with self.write() as c:
            sent = [r["statement_id"] for r in c.execute(
                "SELECT statement_id FROM xapi_queue WHERE learner=? AND status='sent' ORDER BY statement_id",
                (learner,)).fetchall()]
            n_rec = c.execute("DELETE FROM records WHERE learner=?", (learner,)).rowcount
            n_st = c.execute("DELETE FROM xapi_queue WHERE learner=?", (learner,)).rowcount
            n_mod = c.execute("DELETE FROM module_results WHERE learner=?", (learner,)).rowcount
            n_cred = c.execute("DELETE FROM credentials WHERE learner=?", (learner,)).rowcount
        return {"learner": learner, "records": n_rec, "statements": n_st, "module_results": n_mod,
                "credentials": n_cred, "sent_statement_ids": sent}

    def delete_older_than(self, cut: float) -> dict:
        """Erase records, statements and module results from before the Unix time ``cut`` (one transaction)."""
        with self.write() as c:
            n_st = c.execute("DELETE FROM xapi_queue WHERE created < ? OR record_uuid IN"
                             " (SELECT uuid FROM records WHERE ts < ?)", (cut, cut)).rowcount
            n_rec = c.execute("DELETE FROM records WHERE ts < ?", (cut,)).rowcount
            n_mod = c.execute("DELETE FROM module_results WHERE updated < ?", (cut,)).rowcount
            n_cred = c.execute("DELETE FROM credentials WHERE issued < ?", (cut,)).rowcount
        return {"records": n_rec, "statements": n_st, "module_results": n_mod, "credentials": n_cred}

    def scrub(self) -> None:
        """After an erasure: make sure the erased rows are gone from the database files (see the backends)."""
        self._db.scrub()

    # ----------------------------------------------------------- maintenance
    def checkpoint(self) -> tuple[int, int, int]:
        """SQLite: ``wal_checkpoint(TRUNCATE)``; PostgreSQL checkpoints by itself: ``(0, 0, 0)``."""
        return self._db.checkpoint()

    def integrity(self) -> str:
        """``"ok"``, or what is wrong (SQLite: ``integrity_check``; PostgreSQL: every row read, schema version)."""
        return self._db.integrity()


def _credential_row(row: Any) -> dict:
    d = dict(row)
    d["credential"] = json.loads(d["credential"])
    return d


def _types(backend: str) -> dict[str, str]:
    if backend == "sqlite":
        return _sqlite.TYPES
    from . import _postgres
    return _postgres.TYPES


def _select(table: str, **equal: str | None) -> tuple[str, list]:
    """``SELECT * FROM table`` filtered by the given column = value pairs whose value is set."""
    cols = [k for k, v in equal.items() if v]
    where = " AND ".join(f"{k} = ?" for k in cols)
    return f"SELECT * FROM {table}" + (f" WHERE {where}" if where else ""), [equal[k] for k in cols]


def open_store(target: str | os.PathLike | None = None) -> RecordStore:
    """The configured record store: ``H4S_DATABASE_URL`` (PostgreSQL) when set, else the SQLite file.

    ``target``: a SQLite file or a ``postgresql://`` URL instead (``--db`` of the commands)."""
    return RecordStore(target)
