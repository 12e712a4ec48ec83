"""An answer sent with an ``answer_id`` (the browser's number for it, kept with an answer given offline) is
stored once through the real `h4s serve`, on SQLite and on PostgreSQL: sent again (a lost reply, a reload)
or twice at once (two tabs) it gets the same reply, one record and one counted attempt; a hostile
answer_id gets a one-line 400."""
from __future__ import annotations

import http.cookiejar
import json
import os
import shutil
import threading
import urllib.error
import urllib.request
import uuid

import pytest

from _serve import h4s_serve
from h4s_kit.build import build
from h4s_kit.records.store import RecordStore
from test_build import MINI_IDS, make_project

pytestmark = pytest.mark.slow
MOD = MINI_IDS[0]   # 01-hello-oer: its closing quiz has the single-choice question oer-meaning


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    if request.param == "sqlite":
        return None
    return request.getfixturevalue("postgres_url")


def test_an_answer_sent_again_is_stored_once_with_the_same_reply(tmp_path, store_url):
    proj = make_project(tmp_path / "proj")
    for m in MINI_IDS[1:]:
        shutil.rmtree(proj / "modules" / m)
    build(root=proj, echo=lambda s: None)
    data = tmp_path / "data"
    env = dict(os.environ, PYTHONUNBUFFERED="1", H4S_DATA_DIR=str(data))
    for k in ("H4S_RECORDS", "H4S_LRS_URL", "JUPYTERHUB_USER", "H4S_DATABASE_URL"):
        env.pop(k, None)
    if store_url:
        env["H4S_DATABASE_URL"] = store_url
    with h4s_serve(proj, env) as srv:
        base = srv.url
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

        def check(response, answer_id) -> tuple[int, dict]:
            body = {"module": MOD, "qid": "oer-meaning", "response": response}
            if answer_id is not ...:
                body["answer_id"] = answer_id
            req = urllib.request.Request(base + "api/quiz/check", method="POST", data=json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json"})
            try:
                with opener.open(req, timeout=60) as r:
                    return r.status, json.loads(r.read())
            except urllib.error.HTTPError as e:
                return e.code, json.loads(e.read())

        # the first answer gives this browser its learner cookie, so the threads below are one learner
        code, first = check("b", ...)
        assert code == 200 and first["attempts"] == 1 and first["result"]["correct"] is False, first
        learner = next(c.value.split(".")[0] for c in jar if c.name == "h4s_learner")

        a1 = str(uuid.uuid4())
        code, r1 = check("a", a1)
        assert code == 200 and r1["attempts"] == 2 and r1["result"]["correct"] is True, r1
        code, again = check("a", a1)
        assert code == 200 and again == r1, (again, r1)
        # the body of a resend is not graded again: the stored answer is the answer
        code, again = check("b", a1)
        assert code == 200 and again == r1, (again, r1)

        # the same new answer from two tabs at once: one record, both get its reply
        a2 = str(uuid.uuid4())
        replies: list = []
        go = threading.Barrier(2)

        def tab():
            go.wait()
            replies.append(check("b", a2))
        threads = [threading.Thread(target=tab) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(90)
        assert len(replies) == 2 and replies[0] == replies[1], replies
        assert replies[0][0] == 200 and replies[0][1]["attempts"] == 3, replies

        for hostile in ("not-a-uuid", "../../etc/passwd", 12, ["x"], "A" * 5000,
                        str(uuid.uuid4()).upper() + "\n", "' OR 1=1 --"):
            code, err = check("a", hostile)
            assert code == 400 and "answer_id" in err["error"] and "\n" not in err["error"], (hostile, err)

        with RecordStore(store_url or str(data / "records.sqlite")) as s:
            recs = [r for r in s.records(module=MOD, learner=learner) if r["question"] == "oer-meaning"]
            assert [(r["response"], r["attempt"]) for r in recs] == [("b", 1), ("a", 2), ("b", 3)], recs
            assert s.attempts(learner, MOD, "oer-meaning") == 3
    assert srv.proc.returncode == 0, srv.output()
