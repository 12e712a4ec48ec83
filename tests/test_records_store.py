"""The learner-record store: concurrency and crash safety, migrations, network file systems, privacy."""
from __future__ import annotations

import logging
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from h4s_kit.records import store as store_mod
from h4s_kit.records.fs import fs_kind, mount_for
from h4s_kit.records.live import LiveSink
from h4s_kit.records.store import RecordStore, RecordsError, clean_learner, looks_personal, pseudonymise

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


def _rec(**kw):
    base = {"learner": "learner-1", "module": "m1", "question": "q1", "qtype": "single_choice", "response": "b",
            "score": 1.0, "max_score": 1.0, "success": True, "attempt": 1, "timestamp": time.time(),
            "duration_s": 3.0}
    base.update(kw)
    return base


def test_twenty_writers_some_killed(tmp_path):
    """20 processes x 500 records at once, 5 of them SIGKILLed mid-way: committed = present, no duplicates."""
    db = tmp_path / "records.sqlite"
    RecordStore(db).close()  # create the schema once; the writers race on everything else
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    procs, logs = [], []
    t0 = time.time()
    for w in range(20):
        log = tmp_path / f"writer-{w}.log"
        logs.append(log)
        procs.append(subprocess.Popen([sys.executable, "-c", WRITER, str(db), str(log), "500", str(w)], env=env))
    victims = [0, 4, 8, 12, 16]
    killed = set()
    deadline = time.time() + 60
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
        p.wait(timeout=120)
    elapsed = time.time() - t0
    assert killed == set(victims), "the writers finished before they could be killed"
    for v in victims:
        assert procs[v].returncode == -signal.SIGKILL
    for w in set(range(20)) - set(victims):
        assert procs[w].returncode == 0

    committed = set()
    for log in logs:
        committed.update(x for x in log.read_text().splitlines() if x)
    con = sqlite3.connect(db)
    rows = [r[0] for r in con.execute("SELECT uuid FROM records")]
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()
    assert len(rows) == len(set(rows)), "a record was stored twice"
    missing = committed - set(rows)
    assert not missing, f"{len(missing)} committed records are missing"
    # the 15 survivors wrote everything; a killed writer may have committed one record it could not log
    assert len(rows) >= 15 * 500 + sum(len(logs[v].read_text().splitlines()) for v in victims)
    assert len(rows) <= len(committed) + len(victims)
    print(f"20 writers, {len(rows)} records in {elapsed:.1f} s")
    assert elapsed < 90


def test_wal_busy_timeout_and_idempotent_uuid(tmp_path):
    s = RecordStore(tmp_path / "r.sqlite")
    assert s.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert s.conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    assert s.conn.execute("PRAGMA secure_delete").fetchone()[0] == 1
    r = _rec(uuid="0b8e4a43-6f6f-4f55-9a2b-1c2d3e4f5a6b")
    assert s.add_record(r) is True
    assert s.add_record(r) is False
    assert s.count() == 1
    got = s.records()[0]
    assert got["response"] == "b" and got["success"] is True and got["attempt"] == 1


def test_migrations_from_v1_and_refuse_newer(tmp_path):
    db = tmp_path / "old.sqlite"
    con = sqlite3.connect(db)
    for stmt in store_mod.MIGRATIONS[0].split(";"):
        if stmt.strip():
            con.execute(stmt)
    con.execute("PRAGMA user_version=1")
    con.execute("INSERT INTO records (uuid, learner, module, question, qtype, response, ts, stored)"
                " VALUES ('u1', 'l1', 'm', 'q', 'numeric', '\"3\"', 1, 1)")
    con.commit()
    con.close()
    s = RecordStore(db)
    assert s.user_version == store_mod.SCHEMA_VERSION == 3
    assert s.records()[0]["uuid"] == "u1"
    assert s.module_result("l1", "m") is None  # table from migration 2 exists
    indexes = {r[0] for r in s.conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    assert "records_attempts" in indexes        # migration 3: attempts are counted from the records
    assert s.attempts("l1", "m", "q") == 1 and s.attempts("l1", "m", "other") == 0
    s.conn.execute("PRAGMA user_version=99")
    s.close()
    with pytest.raises(RecordsError, match="newer h4s"):
        RecordStore(db)


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
    monkeypatch.setattr(store_mod, "fs_kind", lambda p, m="/proc/mounts": ("network", MountInfo("/srv", "nfs4", "x:/")))
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
