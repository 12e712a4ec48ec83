"""The learner-record store on both backends (SQLite file, PostgreSQL): concurrency and crash safety, the xAPI
queue, module results, migrations, errors; then SQLite's own (network file systems, file modes) and privacy."""
from __future__ import annotations

import logging
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from h4s_kit.cli import main
from h4s_kit.records import store as store_mod
from h4s_kit.records.fs import fs_kind, mount_for
from h4s_kit.records.live import LiveSink
from h4s_kit.records.store import (RecordStore, RecordsError, StoreUnavailable, clean_learner, looks_personal,
                                   pseudonymise)

ROOT = Path(__file__).resolve().parents[1]

WRITER = r"""
import sys, time, uuid
from h4s_kit.records.store import RecordStore
db, log, n, wid = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
s = RecordStore(db)
with open(log, "a") as f:
    for i in range(n):
        u = str(uuid.uuid4())
        s.add_record({"uuid": u, "learner": "w" + wid, "module": "m1", "question": "q%d" % (i % 7),
                      "qtype": "single_choice", "response": "b", "score": 1.0, "max_score": 1.0,
                      "success": True, "attempt": 1, "timestamp": time.time(), "duration_s": 1.5})
        f.write(u + "\n")   # only after add_record returned, i.e. after COMMIT
        f.flush()
s.close()
"""


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, tmp_path) -> str:
    """Where a store lives: a SQLite file, or the URL of a fresh PostgreSQL database (the same tests run on both)."""
    if request.param == "sqlite":
        return str(tmp_path / "records.sqlite")
    return request.getfixturevalue("postgres_url")


def _rec(**kw):
    base = {"learner": "learner-1", "module": "m1", "question": "q1", "qtype": "single_choice", "response": "b",
            "score": 1.0, "max_score": 1.0, "success": True, "attempt": 1, "timestamp": time.time(),
            "duration_s": 3.0}
    base.update(kw)
    return base


def test_twenty_writers_some_killed(db, tmp_path):
    """20 processes writing at once, 5 of them SIGKILLed mid-way: committed = present, no duplicates."""
    RecordStore(db).close()  # create the schema once; the writers race on everything else
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("H4S_DATABASE_URL", None)
    victims = [0, 4, 8, 12, 16]
    procs, logs = [], []
    t0 = time.time()
    for w in range(20):
        log = tmp_path / f"writer-{w}.log"
        logs.append(log)
        n = 100_000 if w in victims else 500  # a victim is still writing when it is killed
        procs.append(subprocess.Popen([sys.executable, "-c", WRITER, db, str(log), str(n), str(w)], env=env))
    killed = set()
    deadline = time.time() + 90
    while len(killed) < len(victims) and time.time() < deadline:
        for v in victims:
            if v in killed:
                continue
            n = len(logs[v].read_text().splitlines()) if logs[v].exists() else 0
            if n >= 40 + 15 * v:  # different moments for different writers
                procs[v].send_signal(signal.SIGKILL)
                killed.add(v)
        time.sleep(0.01)
    for p in procs:
        p.wait(timeout=180)
    elapsed = time.time() - t0
    assert killed == set(victims), "the victims were not killed in time"
    for v in victims:
        assert procs[v].returncode == -signal.SIGKILL
    for w in set(range(20)) - set(victims):
        assert procs[w].returncode == 0

    committed = set()
    for log in logs:
        committed.update(x for x in log.read_text().splitlines() if x)
    with RecordStore(db) as s:
        rows = [r["uuid"] for r in s.records()]
        assert s.integrity() == "ok"
    assert len(rows) == len(set(rows)), "a record was stored twice"
    missing = committed - set(rows)
    assert not missing, f"{len(missing)} committed records are missing"
    # the 15 survivors wrote everything; a killed writer may have committed one record it could not log
    assert len(rows) >= 15 * 500 + sum(len(logs[v].read_text().splitlines()) for v in victims)
    assert len(rows) <= len(committed) + len(victims)
    print(f"20 writers, {len(rows)} records in {elapsed:.1f} s")
    assert elapsed < 150


def test_idempotent_uuid_and_attempts(db):
    s = RecordStore(db)
    assert s.user_version == store_mod.SCHEMA_VERSION
    r = _rec(uuid="0b8e4a43-6f6f-4f55-9a2b-1c2d3e4f5a6b", response={"text": "50% ✓ 'quoted' ?"})
    assert s.add_record(r) is True
    assert s.add_record(r) is False
    assert s.add_record(dict(r, question="q2")) is False   # the uuid decides, not the content
    assert s.count() == 1
    got = s.records()[0]
    assert got["response"] == {"text": "50% ✓ 'quoted' ?"} and got["success"] is True and got["attempt"] == 1
    assert got["score"] == 1.0 and isinstance(got["ts"], float) and abs(got["ts"] - r["timestamp"]) < 1e-3
    for i in range(3):
        s.add_record(_rec(question="q9", attempt=i + 1, success=False))
    s.add_record(_rec(question="q9", learner="someone-else"))
    assert s.attempts("learner-1", "m1", "q9") == 3 and s.attempts("learner-1", "m1", "nope") == 0
    assert [r["attempt"] for r in s.history("learner-1", "m1") if r["question"] == "q9"] == [1, 2, 3]
    assert {r["learner"] for r in s.records(module="m1", learner="someone-else")} == {"someone-else"}
    s.close()


def test_sqlite_file_wal_busy_timeout_secure_delete(tmp_path, monkeypatch):
    """Without H4S_DATABASE_URL the store is the SQLite file in H4S_DATA_DIR, in WAL mode, as it always was."""
    monkeypatch.setenv("H4S_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("H4S_DATABASE_URL", raising=False)
    s = store_mod.open_store()
    assert s.backend == "sqlite" and s.path == tmp_path / "records.sqlite" and s.location == str(s.path)
    assert s.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert s.conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    assert s.conn.execute("PRAGMA secure_delete").fetchone()[0] == 1
    assert s.conn.execute("PRAGMA user_version").fetchone()[0] == s.user_version == 4
    ddl = s.conn.execute("SELECT sql FROM sqlite_master WHERE name='records'").fetchone()[0]
    assert "id INTEGER PRIMARY KEY" in ddl and "score REAL" in ddl and "ts REAL NOT NULL" in ddl
    s.close()
    monkeypatch.setenv("H4S_DATABASE_URL", "  ")          # blank: still the file
    assert store_mod.open_store().backend == "sqlite"


def test_the_same_records_from_several_writers_are_stored_once(db):
    """Four writers send the same 150 records at once (a retry after a lost answer): each is stored exactly once."""
    import uuid
    RecordStore(db).close()
    recs = [_rec(uuid=str(uuid.uuid4()), question=f"q{i}") for i in range(150)]
    added: list[int] = []
    go = threading.Barrier(4)

    def writer(k):
        with RecordStore(db) as s:
            go.wait()
            added.append(sum(s.add_record(r) for r in (recs if k % 2 else recs[::-1])))

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(added) == 4 and sum(added) == 150
    with RecordStore(db) as s:
        assert s.count() == 150 and sorted(r["uuid"] for r in s.records()) == sorted(r["uuid"] for r in recs)


def test_a_failed_write_stores_nothing(db):
    """A record and its statements are one transaction: a statement that cannot be stored takes the record back."""
    s = RecordStore(db)
    with pytest.raises((TypeError, KeyError)):
        s.add_record(_rec(uuid="11111111-2222-4333-8444-555555555555"), [{"id": "s-ok"}, {"no-id": True}])
    assert s.count() == 0 and s.queue() == []
    assert s.add_record(_rec(uuid="11111111-2222-4333-8444-555555555555"), [{"id": "s-ok"}]) is True
    assert [q["statement_id"] for q in s.queue()] == ["s-ok"]


def test_xapi_queue_leases_retries_and_rejects(db):
    """Two senders claiming at once never get the same statement; sent/retry/rejected move them on."""
    s = RecordStore(db)
    s.queue_statements([{"id": f"st-{i:03d}", "n": i} for i in range(60)], "learner-1")
    s.queue_statements([{"id": "st-000", "n": "again"}], "learner-1")   # same id: kept once
    assert s.queue_counts() == {"pending": 60} and s.has_pending()
    got: list[list[dict]] = [[], [], []]

    def claim(k):
        with RecordStore(db) as mine:
            for _ in range(10):
                got[k].extend(mine.claim_batch(5, lease_s=60))

    threads = [threading.Thread(target=claim, args=(k,)) for k in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ids = [i["id"] for g in got for i in g]
    assert len(ids) == len(set(ids)) == 60, "a statement was leased twice or not at all"
    assert s.claim_batch(10) == []                                        # all leased
    assert s.claim_batch(10, lease_s=60, force=True) == []                # force ignores back-off, not leases
    s.mark_sent([f"st-{i:03d}" for i in range(50)])
    s.mark_retry(["st-050", "st-051"], "unreachable: ConnectionError", base_s=30, max_s=600)
    s.mark_rejected(["st-052"], "HTTP 400: bad")
    assert s.queue_counts() == {"sent": 50, "pending": 9, "rejected": 1}
    q = {r["statement_id"]: r for r in s.queue(learner="learner-1")}
    assert q["st-050"]["tries"] == 1 and q["st-050"]["next_try"] > time.time() + 25
    assert q["st-050"]["lease_until"] == 0 and q["st-050"]["last_error"].startswith("unreachable")
    assert q["st-052"]["status"] == "rejected" and q["st-000"]["statement"] == {"id": "st-000", "n": 0}
    s.mark_retry(["st-050"], "again", base_s=30, max_s=600)
    assert {r["statement_id"]: r["tries"] for r in s.queue(status="pending")}["st-050"] == 2
    # the leases of st-053..059 are still running; the two retried ones wait for their back-off, unless forced
    assert s.claim_batch(10) == []
    assert sorted(i["id"] for i in s.claim_batch(10, force=True)) == ["st-050", "st-051"]
    assert not RecordStore(db).claim_batch(10, force=True)


def test_module_results_upsert(db):
    s = RecordStore(db)
    assert s.module_result("l1", "m") is None
    s.set_module_result("l1", "m", 100.0, None, 0.5, [{"id": "completed-1"}])
    s.set_module_result("l1", "m", 100.0, True, 0.75)
    s.set_module_result("l2", "m", 200.0, False, 0.25)
    r = s.module_result("l1", "m")
    assert (r["completed"], bool(r["passed"]), r["scaled"]) == (100.0, True, 0.75)
    assert [(x["learner"], x["module"]) for x in s.module_results()] == [("l1", "m"), ("l2", "m")]
    assert [q["statement_id"] for q in s.queue(learner="l1")] == ["completed-1"]


def _old_schema(db: str, version: int) -> None:
    """A database left by an older h4s: the migrations up to ``version`` and one record."""
    if "://" not in db:
        con = sqlite3.connect(db)
        for m in store_mod.MIGRATIONS[:version]:
            for stmt in m.split(";"):
                if stmt.strip():
                    con.execute(stmt)
        con.execute(f"PRAGMA user_version={version}")
        con.execute("INSERT INTO records (uuid, learner, module, question, qtype, response, ts, stored)"
                    " VALUES ('u1', 'l1', 'm', 'q', 'numeric', '\"3\"', 1, 1)")
        con.commit()
        con.close()
        return
    import psycopg

    from h4s_kit.records import _postgres
    with psycopg.connect(db, autocommit=True) as con:
        for m in store_mod.migrations(_postgres.TYPES)[:version]:
            for stmt in m.split(";"):
                if stmt.strip():
                    con.execute(stmt)
        con.execute("CREATE TABLE h4s_schema_migrations (version INTEGER PRIMARY KEY,"
                    " applied TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now())")
        for v in range(1, version + 1):
            con.execute("INSERT INTO h4s_schema_migrations (version) VALUES (%s)", (v,))
        con.execute("INSERT INTO records (uuid, learner, module, question, qtype, response, ts, stored)"
                    " VALUES ('u1', 'l1', 'm', 'q', 'numeric', '\"3\"', 1, 1)")


def _indexes(s: RecordStore) -> set[str]:
    if s.backend == "sqlite":
        return {r[0] for r in s.conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    return {r["indexname"] for r in s.conn.execute("SELECT indexname FROM pg_indexes WHERE tablename='records'")}


def test_migrations_from_v1_and_refuse_newer(db, monkeypatch):
    _old_schema(db, 1)
    s = RecordStore(db)
    assert s.user_version == store_mod.SCHEMA_VERSION == 4
    assert s.records()[0]["uuid"] == "u1" and s.records()[0]["response"] == "3"
    assert s.module_result("l1", "m") is None  # table from migration 2 exists
    assert "records_attempts" in _indexes(s)     # migration 3: attempts are counted from the records
    assert s.attempts("l1", "m", "q") == 1 and s.attempts("l1", "m", "other") == 0
    assert s.credentials() == [] and s.revoked_indexes() == set()   # migration 4: credentials, status slots
    assert s.add_record(_rec()) is True          # the id column still numbers new rows after old ones
    assert [r["id"] for r in s.records()] == sorted(r["id"] for r in s.records())
    if s.backend == "sqlite":
        s.conn.execute("PRAGMA user_version=99")
    else:
        s.conn.execute("INSERT INTO h4s_schema_migrations (version) VALUES (99)")
    s.close()
    with pytest.raises(RecordsError, match="newer h4s.*schema 99.*knows 4.*upgrade h4s"):
        RecordStore(db)
    if "://" in db:   # from the environment, the message names the variable and never the password
        monkeypatch.setenv("H4S_DATABASE_URL", db)
        with pytest.raises(StoreUnavailable, match="^H4S_DATABASE_URL .*newer h4s") as e:
            RecordStore()
        assert db.split(":")[2].split("@")[0] not in str(e.value)


def test_servers_starting_at_once_migrate_once(db):
    """Eight stores opened at the same moment on an empty database: one migrates, the others wait and use it."""
    errors: list[BaseException] = []
    versions: list[int] = []
    go = threading.Barrier(8)

    def opener():
        try:
            go.wait()
            with RecordStore(db) as s:
                versions.append(s.user_version)
                s.add_record(_rec())
        except BaseException as e:  # reported below
            errors.append(e)

    threads = [threading.Thread(target=opener) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert versions == [store_mod.SCHEMA_VERSION] * 8
    with RecordStore(db) as s:
        assert s.count() == 8
        if s.backend == "postgresql":
            assert [r["version"] for r in s.conn.execute(
                "SELECT version FROM h4s_schema_migrations ORDER BY version")] == [1, 2, 3, 4]


def test_postgres_errors_are_one_line_and_hide_the_password(postgres_cluster, postgres_url, monkeypatch, capsys,
                                                            free_port):
    """Bad URL, unreachable server, wrong password, missing database: one line naming H4S_DATABASE_URL and the fix."""
    secret = "Sup3r-s3cret-pw"
    good_db = postgres_url.rsplit("/", 1)[1]
    cases = {
        "mysql://h4s:" + secret + "@127.0.0.1/x": "must start with postgresql://",
        "postgresql://h4s:" + secret + "@127.0.0.1:99999/x": "port is not a number",
        "postgresql://h4s:" + secret + "@127.0.0.1:5432": "names no database",
        f"postgresql://h4s:{secret}@127.0.0.1:{free_port()}/x": "cannot reach PostgreSQL at 127.0.0.1:.*connection "
                                                                 "refused.*start the server or fix the host and port",
        postgres_cluster.url(good_db, password=secret): "refused user 'h4s' .wrong password.*fix the user and password",
        postgres_cluster.url("no_such_db"): "has no database 'no_such_db'.*createdb no_such_db",
    }
    import re
    for url, msg in cases.items():
        monkeypatch.setenv("H4S_DATABASE_URL", url)
        with pytest.raises(StoreUnavailable) as e:
            RecordStore()
        text = str(e.value)
        assert text.startswith("H4S_DATABASE_URL") and re.search(msg, text), text
        assert "\n" not in text and secret not in text and postgres_cluster.password not in text
        assert main(["records", "status"]) == 1            # the commands show the same line, not a traceback
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1 and "H4S_DATABASE_URL" in err and secret not in err
    monkeypatch.setenv("H4S_DATABASE_URL", postgres_url)
    assert main(["records", "status"]) == 0
    out = capsys.readouterr().out
    assert "(PostgreSQL), schema 4" in out and postgres_cluster.password not in out


def test_postgres_user_without_create_right_gets_one_line(postgres_cluster, postgres_url, monkeypatch):
    """PostgreSQL 15 gives no CREATE on schema public to other users: the first start says how to grant it."""
    import psycopg
    dbname = postgres_url.rsplit("/", 1)[1]
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        admin.execute("CREATE ROLE trainee LOGIN PASSWORD 'trainee-pw-123'")
        admin.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
    try:
        monkeypatch.setenv("H4S_DATABASE_URL", postgres_cluster.url(dbname, user="trainee", password="trainee-pw-123"))
        with pytest.raises(StoreUnavailable, match=r"^H4S_DATABASE_URL: user 'trainee' may not create the h4s tables "
                                                   rf"in database '{dbname}'.*OWNER trainee.*GRANT CREATE") as e:
            RecordStore()
        assert "trainee-pw-123" not in str(e.value)
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            admin.execute("GRANT CREATE ON SCHEMA public TO trainee")
        with RecordStore() as s:                      # the fix the message names works
            assert s.user_version == store_mod.SCHEMA_VERSION and s.add_record(_rec())
    finally:
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            admin.execute("DROP OWNED BY trainee")
        with psycopg.connect(postgres_cluster.url(), autocommit=True) as admin:
            admin.execute("DROP ROLE trainee")


def test_live_sink_waits_for_a_database_that_comes_back(postgres_cluster, caplog):
    """A kernel's sink whose PostgreSQL cannot be opened drops records (the quiz goes on), says so once, and
    stores again once the database is there (tried every RETRY_S seconds)."""
    from h4s_widgets._grading import grade
    from h4s_widgets._schema import parse_question
    q = parse_question({"type": "true_false", "id": "t", "text": "t", "answer": True})
    ev = {"learner": "learner-0001", "module": "m", "question": q, "response": True, "result": grade(q, True),
          "attempt": 1, "timestamp": time.time(), "duration_s": 1}
    name = "h4s_later_" + os.urandom(4).hex()
    url = postgres_cluster.url(name)
    sink = LiveSink(url)
    with caplog.at_level(logging.DEBUG, logger="h4s.records"):
        sink(ev)
        sink(ev)                                   # within RETRY_S: not even tried
        postgres_cluster.create_database(name)
        sink(ev)
        assert caplog.text.count("cannot be stored now") == 1 and f"has no database '{name}'" in caplog.text
        sink._broken_until = 0                     # RETRY_S later
        sink(ev)
        assert "store is back" in caplog.text
    sink.close()
    try:
        with RecordStore(url) as s:
            assert s.count() == 1
    finally:
        postgres_cluster.drop_database(name)


def test_postgres_connection_dropped_while_idle_is_opened_again(postgres_cluster, postgres_url):
    """A server restart (or failover) drops idle connections: the next read and the next write open a new one."""
    import psycopg
    s = RecordStore(postgres_url)
    s.add_record(_rec())
    admin = psycopg.connect(postgres_cluster.url(), autocommit=True)

    def drop():
        pid = s.conn.info.backend_pid
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        for _ in range(100):
            if not admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone():
                return
            time.sleep(0.02)

    drop()
    assert s.count() == 1
    drop()
    assert s.add_record(_rec()) is True
    drop()
    with pytest.raises(psycopg.OperationalError):   # inside a transaction the loss must surface: nothing half-done
        with s.write() as c:
            c.execute("SELECT 1 AS one")
            drop()
            c.execute("SELECT 1 AS one")
    assert s.count() == 2
    admin.close()


MOUNTS = """\
/dev/vda / ext4 rw,relatime 0 0
server:/export/home /home nfs4 rw,relatime 0 0
//nas/share /mnt/nas cifs rw 0 0
me@host:/data /mnt/ssh fuse.sshfs rw 0 0
hostshare /mnt/9p 9p rw 0 0
/dev/vdb /home/local\\040disk ext4 rw 0 0
weird /mnt/odd fuse.mystery rw 0 0
"""


@pytest.mark.parametrize("path,kind,fstype", [
    ("/home/alice/h4s/records.sqlite", "network", "nfs4"),
    ("/home/local disk/h4s/records.sqlite", "local", "ext4"),   # longest prefix wins, \040 is a space
    ("/mnt/nas/records.sqlite", "network", "cifs"),
    ("/mnt/ssh/x/records.sqlite", "network", "fuse.sshfs"),
    ("/mnt/9p/records.sqlite", "network", "9p"),
    ("/var/lib/h4s/records.sqlite", "local", "ext4"),
    ("/mnt/odd/records.sqlite", "unknown", "fuse.mystery"),
    ("/homework/records.sqlite", "local", "ext4"),               # /home is not a prefix of /homework
])
def test_fs_detection(tmp_path, path, kind, fstype):
    mounts = tmp_path / "mounts"
    mounts.write_text(MOUNTS)
    k, m = fs_kind(path, mounts)
    assert (k, m.fs_type) == (kind, fstype)


def test_refuses_network_fs_and_warns_when_unsure(tmp_path, caplog):
    mounts = tmp_path / "mounts"
    mounts.write_text(f"/dev/vda / ext4 rw 0 0\nsrv:/x {tmp_path}/nfs nfs rw 0 0\nf {tmp_path}/odd fuse.odd rw 0 0\n")
    with pytest.raises(RecordsError, match="network file system.*nfs.*H4S_DATA_DIR"):
        RecordStore(tmp_path / "nfs" / "records.sqlite", mounts_file=mounts)
    assert not (tmp_path / "nfs").exists()
    with caplog.at_level(logging.WARNING, logger="h4s.records"):
        RecordStore(tmp_path / "odd" / "records.sqlite", mounts_file=mounts).close()
    assert "cannot tell whether" in caplog.text
    assert mount_for(tmp_path / "odd" / "records.sqlite", mounts).fs_type == "fuse.odd"


def test_email_learner_refused_by_store_pseudonymised_by_sink(tmp_path, monkeypatch):
    """Decision: the store refuses e-mail/IP ids; the live sink and the importer pseudonymise them."""
    monkeypatch.setenv("H4S_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("H4S_LRS_URL", raising=False)
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    s = RecordStore(tmp_path / "records.sqlite")
    for bad in ("anna.schmidt@example.org", "10.1.2.3", "learner-192.168.0.7", "fe80::1:2:3"):
        assert looks_personal(bad)
        with pytest.raises(RecordsError, match="e-mail or IP"):
            s.add_record(_rec(learner=bad))
    assert s.count() == 0
    p1 = pseudonymise("Anna.Schmidt@example.org", tmp_path)
    assert p1 == clean_learner("anna.schmidt@example.org ", tmp_path) and p1.startswith("p-")
    assert "@" not in p1 and not looks_personal(p1)
    assert clean_learner("4f1d2c3b-aaaa-4bbb-8ccc-123456789abc", tmp_path) == "4f1d2c3b-aaaa-4bbb-8ccc-123456789abc"

    from h4s_widgets._grading import grade
    from h4s_widgets._schema import parse_question
    q = parse_question({"type": "single_choice", "id": "q1", "text": "Pick b",
                        "options": [{"id": "a", "text": "A"}, {"id": "b", "text": "B"}], "answer": "b"})
    sink = LiveSink(tmp_path / "records.sqlite")
    ev = {"learner": "anna.schmidt@example.org", "module": "m1", "question": q, "response": "b",
          "result": grade(q, "b"), "attempt": 1, "timestamp": time.time(), "duration_s": 2.0}
    sink(ev)
    monkeypatch.setenv("JUPYTERHUB_USER", "bob@uni.example.eu")
    sink(dict(ev, learner="browser-id-1"))
    monkeypatch.delenv("JUPYTERHUB_USER")
    sink(dict(ev, learner=None))
    sink.close()
    learners = [r["learner"] for r in s.records()]
    assert learners[0] == p1
    assert learners[1] == pseudonymise("bob@uni.example.eu", tmp_path)
    assert learners[2] == sink.kernel_learner and learners[2].startswith("k-")
    raw = (tmp_path / "records.sqlite").read_bytes() + (tmp_path / "records.sqlite-wal").read_bytes()
    assert b"example.org" not in raw and b"uni.example.eu" not in raw


def test_quiz_check_reaches_the_store_through_emit_record(tmp_path, monkeypatch):
    """Quiz.check -> h4s_widgets._events.emit_record -> records.live.default_sink -> SQLite."""
    import h4s_kit.records.live as live
    import h4s_widgets._events as events
    from h4s_widgets._widget import Quiz
    monkeypatch.setenv("H4S_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("H4S_RECORDS", raising=False)
    monkeypatch.delenv("H4S_LRS_URL", raising=False)
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    monkeypatch.setattr(events, "_sinks", [])
    monkeypatch.setattr(events, "_defaults_loaded", False)
    monkeypatch.setattr(live, "_sink", None)
    quiz = Quiz([{"type": "numeric", "id": "n1", "text": "2 + 2?", "answers": [{"value": 4}]}], module="m-quiz")
    quiz.check("n1", "5", learner="0e4f5a6b-1111-4222-8333-444455556666")
    quiz.check("n1", "4,0", learner="0e4f5a6b-1111-4222-8333-444455556666")
    live._sink.close()
    recs = RecordStore(tmp_path / "records.sqlite").records()
    assert [(r["question"], r["response"], r["success"], r["attempt"]) for r in recs] == [
        ("n1", "5", False, 1), ("n1", "4,0", True, 2)]
    assert recs[0]["learner"] == "0e4f5a6b-1111-4222-8333-444455556666" and recs[0]["module"] == "m-quiz"
    assert recs[1]["duration_s"] is not None and recs[1]["score"] == 1.0

    monkeypatch.setattr(events, "_sinks", [])
    monkeypatch.setattr(events, "_defaults_loaded", False)
    monkeypatch.setenv("H4S_RECORDS", "off")
    quiz.check("n1", "4", learner="x")
    assert RecordStore(tmp_path / "records.sqlite").count() == 2   # off means off


def test_sink_on_network_fs_keeps_the_quiz_working(tmp_path, monkeypatch, caplog):
    from h4s_kit.records.fs import MountInfo
    from h4s_widgets._grading import grade
    from h4s_widgets._schema import parse_question
    monkeypatch.setattr(store_mod._sqlite, "fs_kind", lambda p, m="/proc/mounts": ("network", MountInfo("/srv", "nfs4", "x:/")))
    monkeypatch.setenv("H4S_DATA_DIR", str(tmp_path))
    q = parse_question({"type": "true_false", "id": "t", "text": "t", "answer": True})
    sink = LiveSink()
    with caplog.at_level(logging.ERROR, logger="h4s.records"):
        for _ in range(3):
            sink({"learner": "a", "module": "m", "question": q, "response": True, "result": grade(q, True),
                  "attempt": 1, "timestamp": time.time(), "duration_s": 1})
    assert caplog.text.count("learner records are off for this kernel") == 1
    assert "network file system" in caplog.text and not (tmp_path / "records.sqlite").exists()


def test_data_dir_database_and_wal_are_private(tmp_path, monkeypatch):
    """The data folder is made 0700; records.sqlite, -wal, -shm and the pseudonym key are 0600."""
    import stat
    monkeypatch.setenv("H4S_DATA_DIR", str(tmp_path / "data"))
    s = RecordStore(tmp_path / "data" / "records.sqlite")
    s.add_record({"learner": "l-0001", "module": "m", "question": "q", "qtype": "numeric", "response": "3"})
    store_mod.pseudonymise("anna@example.org", tmp_path / "data")
    assert stat.S_IMODE((tmp_path / "data").stat().st_mode) == 0o700
    files = sorted(p.name for p in (tmp_path / "data").iterdir())
    assert {"records.sqlite", "records.sqlite-wal", "records.sqlite-shm", "pseudonym.key"} <= set(files)
    for name in files:
        assert stat.S_IMODE((tmp_path / "data" / name).stat().st_mode) == 0o600, name
    s.close()


def test_live_records_keep_no_gap_answer_in_the_question_text(tmp_path):
    """A cloze or drag-the-words text holds its answers in [[...]]: the stored text (which `h4s records export`
    gives back to the learner and the report shows) has the gaps blank."""
    from h4s_widgets._grading import grade
    from h4s_widgets._schema import parse_question
    sink = LiveSink(tmp_path / "records.sqlite")
    qs = [parse_question({"type": "cloze", "id": "cz", "text": "Speed is measured in [[km/h|kilometres per hour]]."}),
          parse_question({"type": "drag_words", "id": "dw", "text": "A [[secret]] answer.", "distractors": ["x"]})]
    for q in qs:
        resp = ["km/h"] if q.type == "cloze" else ["secret"]
        sink({"learner": "learner-0001", "module": "m1", "question": q, "response": resp, "result": grade(q, resp),
              "attempt": 1, "timestamp": time.time(), "duration_s": 1.0})
    sink.close()
    texts = {r["question"]: r["question_text"] for r in RecordStore(tmp_path / "records.sqlite").records()}
    assert texts == {"cz": "Speed is measured in _____.", "dw": "A _____ answer."}
