"""End to end on PostgreSQL: `h4s serve` with H4S_DATABASE_URL set grades a quiz answer through the quiz API,
the record lands in the PostgreSQL database (no SQLite file is made) and `h4s report` shows it."""
from __future__ import annotations

import csv
import http.cookiejar
import json
import os
import shutil
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from _serve import h4s_serve
from h4s_kit.build import build
from h4s_kit.records.store import RecordStore
from test_build import MINI_IDS, make_project

pytestmark = pytest.mark.slow
MOD = MINI_IDS[0]   # 01-hello-oer: its closing quiz has the single-choice question oer-meaning


def test_h4s_serve_stores_a_quiz_answer_in_postgresql_and_h4s_report_shows_it(tmp_path, postgres_url):
    proj = make_project(tmp_path / "proj")
    for m in MINI_IDS[1:]:
        shutil.rmtree(proj / "modules" / m)
    build(root=proj, echo=lambda s: None)
    data = tmp_path / "data"
    env = dict(os.environ, PYTHONUNBUFFERED="1", H4S_DATABASE_URL=postgres_url, H4S_DATA_DIR=str(data))
    for k in ("H4S_RECORDS", "H4S_LRS_URL", "JUPYTERHUB_USER"):
        env.pop(k, None)
    with h4s_serve(proj, env) as srv:
        base = srv.url
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

        def check(response: str) -> tuple[int, dict]:
            req = urllib.request.Request(base + "api/quiz/check", method="POST",
                                         data=json.dumps({"module": MOD, "qid": "oer-meaning",
                                                          "response": response}).encode(),
                                         headers={"Content-Type": "application/json"})
            try:
                with opener.open(req, timeout=60) as r:
                    return r.status, json.loads(r.read())
            except urllib.error.HTTPError as e:
                return e.code, {"error": e.read().decode(errors="replace")}

        code, body = check("b")
        assert code == 200, body
        assert body["result"]["correct"] is False and body["attempts"] == 1
        code, body = check("a")
        assert code == 200 and body["result"]["correct"] is True and body["attempts"] == 2, body
        learner = next(c.value.split(".")[0] for c in jar if c.name == "h4s_learner")

        with RecordStore(postgres_url) as s:
            recs = [r for r in s.records(module=MOD) if r["question"] == "oer-meaning"]
            assert [(r["learner"], r["response"], r["success"], r["attempt"]) for r in recs] == [
                (learner, "b", False, 1), (learner, "a", True, 2)]
            assert s.attempts(learner, MOD, "oer-meaning") == 2
        assert not (data / "records.sqlite").exists(), "a SQLite store was made although H4S_DATABASE_URL is set"

        rep = tmp_path / "report"
        r = subprocess.run([sys.executable, "-m", "h4s_kit.cli", "report", "--modules-dir", str(proj / "modules"),
                            "-o", str(rep)], env=env, cwd=proj, capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stdout + r.stderr
        assert "1 module(s), 1 learner-module pairs" in r.stdout, r.stdout
        rows = list(csv.DictReader((rep / "learners.csv").open(encoding="utf-8")))
        assert [(x["module"], x["learner"]) for x in rows] == [(MOD, learner)]
        page = (rep / "index.html").read_text(encoding="utf-8")
        assert MOD in page and "oer-meaning" in page
    assert srv.proc.returncode == 0, srv.output()
