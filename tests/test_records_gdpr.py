"""GDPR: export, erasure that leaves no bytes behind (SQLite: the file and its WAL; PostgreSQL: the table files),
purge by age, import of browser files: on both backends, through the `h4s records` commands."""
from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

import pytest

from h4s_kit.cli import main
from h4s_kit.records import xapi
from h4s_kit.records.live import LiveSink
from h4s_kit.records.store import RecordStore, pseudonymise
from h4s_widgets._grading import grade
from h4s_widgets._schema import parse_question

SECRET = "ZEBRA-PAPAYA-7781 my private reflection"
Q = parse_question({"type": "short_text", "id": "reflect", "text": "Say something", "answers": [{"text": "x"}]})
N = parse_question({"type": "numeric", "id": "num", "text": "2+2?", "answers": [{"value": 4}]})


class Data(type(Path())):
    """The data folder, and where the store is (``url``: the PostgreSQL database, else None: the SQLite file)."""
    url: str | None = None
    cluster = None


@pytest.fixture(params=["sqlite", "postgresql"])
def data(request, tmp_path, monkeypatch):
    d = Data(tmp_path)
    monkeypatch.setenv("H4S_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("H4S_DATABASE_URL", raising=False)
    if request.param == "postgresql":
        d.url = request.getfixturevalue("postgres_url")
        d.cluster = request.getfixturevalue("postgres_cluster")
        monkeypatch.setenv("H4S_DATABASE_URL", d.url)
    monkeypatch.setenv("H4S_LRS_URL", "http://127.0.0.1:9/xAPI/")  # nothing listens: statements stay queued
    monkeypatch.setenv("H4S_LRS_RETRY_SECONDS", "3600")
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    sink = LiveSink()
    sink._sender = object.__new__(type("NoSender", (), {"poke": lambda self: None, "stop": lambda self: None}))
    now = time.time()
    for who, resp in (("anna@example.org", SECRET), ("learner-b", "harmless answer")):
        for i in range(3):
            sink({"learner": who, "module": "m1", "question": Q, "response": f"{resp} {i}", "result": grade(Q, "x"),
                  "attempt": i + 1, "timestamp": now, "duration_s": 3})
    sink({"learner": "learner-old", "module": "m1", "question": N, "response": "4", "result": grade(N, "4"),
          "attempt": 1, "timestamp": now - 400 * 86400, "duration_s": 3})
    sink.close()
    return d


def _raw(d: Data) -> bytes:
    """The bytes of the store's files: records.sqlite and its WAL, or the data files of the h4s tables."""
    if d.url:
        import psycopg
        with psycopg.connect(d.cluster.url(), autocommit=True) as admin:
            admin.execute("CHECKPOINT")   # so that what is in shared buffers is in the files too
        files = d.cluster.relation_files(d.url, ["records", "xapi_queue", "module_results"])
        assert files
        return b"".join(f.read_bytes() for f in files)
    b = (d / "records.sqlite").read_bytes()
    wal = d / "records.sqlite-wal"
    return b + (wal.read_bytes() if wal.exists() else b"")


def test_export_learner(data, capsys):
    anna = pseudonymise("anna@example.org", data)
    assert main(["records", "export", "--learner", "anna@example.org"]) == 0  # looked up by pseudonym
    out = json.loads(capsys.readouterr().out)
    assert out["learner"] == anna
    assert len(out["records"]) == 3 and {r["learner"] for r in out["records"]} == {anna}
    assert len(out["statements"]) == 3 and all(s["status"] == "pending" for s in out["statements"])
    assert {s["statement"]["id"] for s in out["statements"]} == {r["uuid"] for r in out["records"]}
    assert "anna@example.org" not in json.dumps(out)
    f = data / "export.json"
    assert main(["records", "export", "--learner", anna, "-o", str(f)]) == 0
    assert json.loads(f.read_text())["records"] == out["records"]


def test_delete_leaves_nothing_in_db_or_wal(data, capsys):
    anna = pseudonymise("anna@example.org", data)
    raw = _raw(data)
    assert anna.encode() in raw and b"ZEBRA-PAPAYA-7781" in raw  # the test can see them before
    # a second connection keeps reading while we delete (as a kernel would)
    other = RecordStore()
    assert other.count() == 7
    assert main(["records", "delete", "--learner", anna]) == 0
    assert "erased 3 records, 3 statements" in capsys.readouterr().out
    raw = _raw(data)
    assert anna.encode() not in raw
    assert b"ZEBRA-PAPAYA-7781" not in raw
    if not data.url:
        assert not (data / "records.sqlite-wal").exists() or (data / "records.sqlite-wal").stat().st_size == 0
    s = RecordStore()
    assert s.integrity() == "ok"
    assert {r["learner"] for r in s.records()} == {"learner-b", "learner-old"}
    assert len(s.queue(learner="learner-b")) == 3
    other.close()


def test_purge_older_than(data, capsys):
    assert main(["records", "purge", "--older-than", "365"]) == 0
    assert "erased 1 records" in capsys.readouterr().out
    s = RecordStore()
    assert "learner-old" not in {r["learner"] for r in s.records()} and s.count() == 6
    assert b"learner-old" not in _raw(data)
    assert main(["records", "purge", "--older-than", "-1"]) == 1


def _statement(learner="b6f3f9f2-1c2e-4c55-9d2a-0e0f1a2b3c4d", qid="q1", response="b"):
    rec = {"uuid": str(uuid.uuid4()), "learner": learner, "module": "m-static", "question": qid,
           "qtype": "single_choice", "response": response, "score": 1.0 if response == "b" else 0.0,
           "max_score": 1.0, "success": response == "b", "attempt": 1, "timestamp": time.time(), "duration_s": 9}
    return xapi.answered_statement(rec)


def test_import_is_validated_and_idempotent(data, capsys, monkeypatch):
    monkeypatch.delenv("H4S_LRS_URL")
    sts = [_statement(qid=f"q{i}", response="ab"[i % 2]) for i in range(4)]
    sts.append(xapi.module_statement("completed", "b6f3f9f2-1c2e-4c55-9d2a-0e0f1a2b3c4d", "m-static", time.time()))
    f = data / "my-results.json"
    f.write_text(json.dumps({"format": "h4s-results", "version": 1, "statements": sts}))
    assert main(["records", "import", str(f)]) == 0
    assert "4 records added, 0 already there, 1 module-level" in capsys.readouterr().out
    assert main(["records", "import", str(f)]) == 0
    assert "0 records added, 4 already there" in capsys.readouterr().out
    s = RecordStore()
    got = s.records(module="m-static")
    assert {r["uuid"] for r in got} == {st["id"] for st in sts[:4]}
    assert [r["response"] for r in got] == ["a", "b", "a", "b"] and got[0]["source"] == "import"

    # e-mail in the account name: pseudonymised, never stored
    f2 = data / "mail.json"
    f2.write_text(json.dumps([_statement(learner="zoe@example.org")]))
    assert main(["records", "import", str(f2)]) == 0
    assert b"zoe@example.org" not in _raw(data)

    # malformed files: one line naming the statement and the field, nothing imported
    bad = dict(_statement(), actor={"mbox": "mailto:zoe@example.org"})
    cases = {
        "not json {": "not a JSON file",
        json.dumps({"format": "other"}): "expected 'h4s-results'",
        json.dumps([bad]): "statement 1 .*e-mail",
        json.dumps([_statement(), dict(_statement(), id="nope")]): "statement 2 .*'id' must be a UUID",
        json.dumps([dict(_statement(), verb={"id": "http://example.org/liked"})]): "not one h4s writes",
        json.dumps([dict(_statement(), timestamp="yesterday")]): "ISO 8601",
    }
    n = s.count()
    for text, msg in cases.items():
        f3 = data / "bad.json"
        f3.write_text(text)
        assert main(["records", "import", str(f3)]) == 1
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1
        import re
        assert re.search(msg, err), err
    assert s.count() == n
    assert main(["records", "import", str(data / "missing.json")]) == 1
    assert "no such file" in capsys.readouterr().err
