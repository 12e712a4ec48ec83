"""Sending statements to a real Ralph LRS (file backend, started here on 127.0.0.1)."""
from __future__ import annotations

import time

import pytest
from _ralph import RalphServer

from h4s_kit.records.live import LiveSink
from h4s_kit.records.lrs import config_from_env, flush
from h4s_kit.records.store import RecordStore
from h4s_widgets._grading import grade
from h4s_widgets._schema import parse_question

Q = [parse_question({"type": "single_choice", "id": f"q{i}", "text": f"Question {i}",
                     "options": [{"id": "a", "text": "A"}, {"id": "b", "text": "B"}], "answer": "b"})
     for i in range(1, 5)]


@pytest.fixture()
def ralph(tmp_path):
    srv = RalphServer(tmp_path / "lrs").start()
    yield srv
    srv.stop()


def _env(monkeypatch, tmp_path, srv, retry="0.3"):
    monkeypatch.setenv("H4S_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("H4S_LRS_URL", srv.url)
    monkeypatch.setenv("H4S_LRS_USER", srv.user)
    monkeypatch.setenv("H4S_LRS_PASSWORD", srv.password)
    monkeypatch.setenv("H4S_LRS_RETRY_SECONDS", retry)
    monkeypatch.setenv("H4S_LRS_RETRY_MAX", "1")
    monkeypatch.setenv("H4S_LRS_TIMEOUT", "2")
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)


def _event(q, response, learner="4f1d2c3b-aaaa-4bbb-8ccc-123456789abc", attempt=1):
    return {"learner": learner, "module": "m-lrs", "question": q, "response": response,
            "result": grade(q, response), "attempt": attempt, "timestamp": time.time(), "duration_s": 4.2}


def _wait(pred, timeout=15.0):
    end = time.time() + timeout
    while time.time() < end:
        v = pred()
        if v:
            return v
        time.sleep(0.1)
    return pred()


def test_statements_arrive_and_survive_an_outage(tmp_path, monkeypatch, ralph):
    _env(monkeypatch, tmp_path, ralph)
    sink = LiveSink()
    try:
        for q, resp in zip(Q[:3], ["b", "a", "b"]):
            sink(_event(q, resp))
        store = RecordStore()
        uuids = {r["uuid"] for r in store.records()}
        assert len(uuids) == 3
        got = _wait(lambda: (lambda s: s if len(s) == 3 else None)(ralph.statements()))
        assert got, "the three statements did not reach Ralph"
        assert {s["id"] for s in got} == uuids
        by_q = {s["object"]["id"].rsplit("/", 1)[1]: s for s in got}
        assert by_q["q2"]["result"]["success"] is False and by_q["q1"]["result"]["success"] is True
        assert all(s["actor"]["account"]["name"] == "4f1d2c3b-aaaa-4bbb-8ccc-123456789abc" for s in got)
        assert _wait(lambda: store.queue_counts() == {"sent": 3})

        # the LRS goes away; one more answer waits in the queue
        ralph.stop()
        sink(_event(Q[3], "b"))
        assert _wait(lambda: (store.queue(status="pending") or [{}])[0].get("tries", 0) >= 1)
        pending = store.queue(status="pending")
        assert len(pending) == 1 and "unreachable" in pending[0]["last_error"]
        fourth = pending[0]["statement_id"]

        # it comes back on the same port: the background retry delivers it, nobody flushes by hand
        ralph.start()
        got = _wait(lambda: (lambda s: s if len(s) == 4 else None)(ralph.statements()), timeout=20)
        assert got, "the queued statement did not arrive after Ralph came back"
        assert [s["id"] for s in got].count(fourth) == 1
        assert _wait(lambda: store.queue_counts() == {"sent": 4})

        # a lost acknowledgement: we think it was not sent, send again with the same id -> still once
        store.conn.execute("UPDATE xapi_queue SET status='pending', next_try=0 WHERE statement_id=?", (fourth,))
        res = flush(store, config_from_env(), force=True)
        assert res.sent == 1 and res.error is None
        ids = [s["id"] for s in ralph.statements()]
        assert len(ids) == 4 and len(set(ids)) == 4
    finally:
        sink.close()


def test_closing_quiz_gives_completed_and_passed(tmp_path, monkeypatch, ralph):
    _env(monkeypatch, tmp_path, ralph)
    mod = tmp_path / "modules" / "m-lrs" / "questions"
    mod.mkdir(parents=True)
    (mod / "closing-quiz.yml").write_text(
        "schema_version: 1\npass_mark: 0.6\nquestions:\n" + "".join(
            f"  - {{type: single_choice, id: q{i}, text: Q{i}, answer: b, options: [{{id: a, text: A}}, "
            f"{{id: b, text: B}}]}}\n" for i in range(1, 4)))
    monkeypatch.setenv("H4S_MODULES_DIR", str(tmp_path / "modules"))
    sink = LiveSink()
    try:
        sink(_event(Q[0], "b"))
        sink(_event(Q[1], "a"))
        sink(_event(Q[2], "a"))      # 1/3 -> completed, failed
        sink(_event(Q[2], "b", attempt=2))   # 2/3 -> passed
        verbs = lambda: sorted(s["verb"]["id"].rsplit("/", 1)[1] for s in ralph.statements())  # noqa: E731
        want = sorted(["answered"] * 4 + ["completed", "failed", "passed"])
        assert _wait(lambda: verbs() == want), verbs()
        passed = [s for s in ralph.statements() if s["verb"]["id"].endswith("/passed")][0]
        assert passed["result"]["success"] is True and passed["result"]["score"]["scaled"] == pytest.approx(2 / 3,
                                                                                                          abs=1e-4)
        assert passed["object"]["id"].endswith("/modules/m-lrs")
    finally:
        sink.close()


def test_rejected_statement_does_not_block_the_queue(tmp_path, monkeypatch, ralph):
    _env(monkeypatch, tmp_path, ralph)
    store = RecordStore()
    good = {"learner": "l1", "module": "m", "question": "q", "qtype": "numeric", "response": "3",
            "score": 1.0, "max_score": 1.0, "success": True, "attempt": 1, "timestamp": time.time()}
    from h4s_kit.records import xapi
    g = dict(good, uuid="11111111-2222-4333-8444-555555555555")
    bad = dict(good, uuid="66666666-7777-4888-8999-000000000000")
    bad_st = xapi.answered_statement(bad)
    del bad_st["actor"]  # invalid xAPI: the LRS must refuse it
    store.add_record(g, [xapi.answered_statement(g)])
    store.add_record(bad, [bad_st])
    res = flush(store, config_from_env(), force=True)
    assert (res.sent, res.rejected) == (1, 1)
    assert [s["id"] for s in ralph.statements()] == [g["uuid"]]
    assert store.queue(status="rejected")[0]["statement_id"] == bad["uuid"]


def test_wrong_password_keeps_statements(tmp_path, monkeypatch, ralph):
    _env(monkeypatch, tmp_path, ralph)
    monkeypatch.setenv("H4S_LRS_PASSWORD", "wrong")
    store = RecordStore()
    from h4s_kit.records import xapi
    r = {"uuid": "aaaaaaaa-2222-4333-8444-555555555555", "learner": "l1", "module": "m", "question": "q",
         "qtype": "numeric", "response": "3", "score": 1.0, "max_score": 1.0, "success": True, "attempt": 1,
         "timestamp": time.time()}
    store.add_record(r, [xapi.answered_statement(r)])
    res = flush(store, config_from_env(), force=True)
    assert res.sent == 0 and res.retry == 1 and "401" in res.error
    assert store.queue_counts() == {"pending": 1}
