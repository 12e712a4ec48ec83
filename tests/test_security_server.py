"""Attacks on `h4s serve` that must fail (issues 13 and 14), run end to end over HTTP and the live kernel channel.

One server (jupyter_server with the h4s and Voilà extensions, in this process) per test module, with records ON in a private data folder, an LRS
configured (at an address where nothing listens: statements just wait in the queue) and a trainer token
in the environment.  The mini modules get an extra bank (tests/fixtures/security/limits.yml) and a bank
that is not UTF-8.  Every test makes its own learner (its own cookie jar), so the tests do not depend on
their order or on which worker runs them.
"""
from __future__ import annotations

import http.cookiejar
import json
import shutil
import sqlite3
import stat
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from h4s_kit.build import build
from test_build import MINI_IDS, make_project
from _browser import serve_book
from _tools import run_coroutine
from _widget_comm import comm_msg, widget_states
from test_serve import LIVE, _kernel_id, close_page, kernels, live_outputs, wait_for

pytestmark = pytest.mark.slow

FIXTURES = Path(__file__).parent / "fixtures"
MOD = MINI_IDS[0]
TRAINER_TOKEN = "trainer-secret-" + uuid.uuid4().hex
LRS_USER, LRS_PASSWORD = "lrs-user", "lrs-password-" + uuid.uuid4().hex


class StubLRS:
    """An xAPI endpoint that wants HTTP Basic auth and keeps what it receives."""

    def __init__(self):
        import base64
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        want = "Basic " + base64.b64encode(f"{LRS_USER}:{LRS_PASSWORD}".encode()).decode()
        got = self.statements = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.headers.get("Authorization") != want:
                    self.send_response(401)
                    self.end_headers()
                    return
                sts = json.loads(body)
                got.extend(sts if isinstance(sts, list) else [sts])
                out = json.dumps([st["id"] for st in (sts if isinstance(sts, list) else [sts])]).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            def log_message(self, *a):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/xapi/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        data = tmp_path_factory.mktemp("sec") / "data"           # made by h4s itself
        lrs = StubLRS()
        mp.delenv("H4S_RECORDS", raising=False)          # records on
        mp.delenv("JUPYTERHUB_USER", raising=False)
        mp.setenv("H4S_DATA_DIR", str(data))
        for k, v in {"H4S_LRS_URL": lrs.url, "H4S_LRS_USER": LRS_USER, "H4S_LRS_PASSWORD": LRS_PASSWORD,
                     "H4S_LRS_RETRY_SECONDS": "1"}.items():
            mp.setenv(k, v)
        mp.setenv("H4S_TRAINER_TOKEN", TRAINER_TOKEN)
        proj = make_project(tmp_path_factory.mktemp("secproj"))
        res = build(root=proj, echo=lambda s: None)
        qdir = proj / "modules" / MOD / "questions"
        shutil.copy2(FIXTURES / "security" / "limits.yml", qdir / "limits.yml")
        (proj / "modules" / MINI_IDS[1] / "questions" / "zz-latin1.yml").write_bytes(
            b"schema_version: 1\nquestions:\n- type: essay\n  id: caf\xe9\n  text: Caf\xe9?\n")
        try:
            with serve_book(res.html_dir, proj) as s:
                s.data = data
                s.proj = proj
                s.lrs = lrs
                yield s
        finally:
            lrs.stop()


# ------------------------------------------------------------------ helpers
class Learner:
    """A browser: its own cookie jar."""

    def __init__(self, base: str):
        self.base = base.rstrip("/")
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> tuple[int, dict, str]:
        try:
            with self.opener.open(self.base + path, timeout=120) as r:
                return r.status, dict(r.headers), r.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read().decode("utf-8", "replace")

    def post(self, path: str, body, ctype: str = "application/json", headers: dict | None = None):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method="POST",
                                     headers={"Content-Type": ctype, **(headers or {})})
        try:
            with self.opener.open(req, timeout=60) as r:
                return r.status, dict(r.headers), r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read().decode()

    def check(self, qid: str, response, **extra) -> tuple[int, dict]:
        code, _, text = self.post("/api/quiz/check", {"module": MOD, "qid": qid, "response": response, **extra})
        return code, json.loads(text or "{}")

    @property
    def id(self) -> str | None:
        for c in self.jar:
            if c.name == "h4s_learner":
                return c.value.split(".")[0]
        return None

    def cookie_header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)


def db(srv) -> sqlite3.Connection:
    return sqlite3.connect(srv.data / "records.sqlite", timeout=30)


def records(srv, learner: str | None = None, question: str | None = None) -> list[tuple]:
    q, args = "SELECT learner, module, question, attempt, response FROM records WHERE 1=1", []
    if learner:
        q, args = q + " AND learner=?", args + [learner]
    if question:
        q, args = q + " AND question=?", args + [question]
    with db(srv) as c:
        return c.execute(q, args).fetchall()


def count(srv) -> int:
    if not (srv.data / "records.sqlite").exists():
        return 0
    with db(srv) as c:
        return c.execute("SELECT count(*) FROM records").fetchone()[0]


def no_server_path(srv, text: str) -> None:
    for secret in (str(srv.proj), str(srv.modules_dir), str(srv.data), "Traceback", 'File "'):
        assert secret not in text, f"{secret!r} in a learner-facing answer: {text[:300]}"


# ------------------------------------------------------------------ identity
def test_the_body_id_is_ignored_and_the_cookie_is_signed_httponly_samesite(srv):
    me = Learner(srv.url)
    code, out = me.check("sec-number", "3.14", learner="victim-learner-42")
    assert code == 200 and out["attempts"] == 1
    assert records(srv, learner="victim-learner-42") == [], "a record was written under the id the body chose"
    assert me.id and records(srv, learner=me.id, question="sec-number")
    _, headers, _ = Learner(srv.url).get("/book/index.html")
    cookie = headers.get("Set-Cookie", "")
    assert cookie.startswith("h4s_learner=") and "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
    # a forged cookie (an id of one's choice, or another learner's id without its signature) is not accepted
    forged = Learner(srv.url)
    forged.opener.addheaders = [("Cookie", f"h4s_learner={me.id}.{'0' * 32}")]
    code, out = forged.check("sec-number", "3.14")
    assert code == 200 and out["attempts"] == 1          # a new learner, not me (I have 1 already)
    assert len(records(srv, learner=me.id, question="sec-number")) == 1


def test_max_attempts_cannot_be_bypassed_by_changing_the_body_id(srv):
    me = Learner(srv.url)
    for i in range(2):
        code, out = me.check("sec-limited", "b", learner=f"fresh-learner-{i:04d}")
        assert code == 200 and out["attempts"] == i + 1
    code, out = me.check("sec-limited", "a", learner="fresh-learner-9999")
    assert code == 409 and "attempts" in out["error"]
    assert len(records(srv, learner=me.id, question="sec-limited")) == 2


def test_attempts_are_the_stored_records_so_a_restart_does_not_reset_them(srv):
    """Attempts stored before a restart (written here straight into the store) count: the limit holds."""
    me = Learner(srv.url)
    me.get("/book/index.html")                      # the cookie
    assert me.id
    from h4s_kit.records.store import RecordStore
    with RecordStore(srv.data / "records.sqlite") as st:
        for i in (1, 2):
            st.add_record({"learner": me.id, "module": MOD, "question": "sec-limited", "qtype": "single_choice",
                           "response": "b", "attempt": i, "score": 0, "max_score": 1, "success": False})
    code, out = me.check("sec-limited", "a", learner=me.id)
    assert code == 409, out
    code, _, text = me.post("/api/quiz/solution", {"module": MOD, "qid": "sec-limited"})
    assert code == 200 and "A" in json.loads(text)["solution"]   # show_solution_after 2 reached by stored attempts


# ------------------------------------------------------------------ solutions
def test_no_solution_before_the_rule_allows_it_also_for_code(srv):
    me = Learner(srv.url)
    for qid in ("sec-code", "sec-limited", "sec-number"):
        code, _, text = me.post("/api/quiz/solution", {"module": MOD, "qid": qid})
        assert code == 403, (qid, text)
        assert "square" not in text and "solution" not in json.loads(text)
    code, out = me.check("sec-limited", "b")
    assert me.post("/api/quiz/solution", {"module": MOD, "qid": "sec-limited"})[0] == 403
    # another learner's attempts do not open my solution, and my body id does not either
    other = Learner(srv.url)
    other.check("sec-limited", "b")
    other.check("sec-limited", "b")
    code, _, _ = me.post("/api/quiz/solution", {"module": MOD, "qid": "sec-limited", "learner": other.id})
    assert code == 403


# ------------------------------------------------------------------ records
@pytest.mark.parametrize("raw", [
    b'{"module": "%s", "qid": "sec-number", "response": "3.14", "duration_s": Infinity}',
    b'{"module": "%s", "qid": "sec-number", "response": "3.14", "duration_s": NaN}',
    b'{"module": "%s", "qid": "sec-number", "response": "3.14", "duration_s": -Infinity}',
    b'{"module": "%s", "qid": "sec-number", "response": "3.14", "duration_s": 1e999}',
    b'{"module": "%s", "qid": "sec-essay", "response": "I wrote \\ud800 this"}',
    b'{"module": "%s", "qid": "sec-essay", "response": "fine", "extra": ["\\udfff"]}',
])
def test_unstorable_answers_are_refused_before_grading(srv, raw):
    me = Learner(srv.url)
    before = count(srv)
    code, _, text = me.post("/api/quiz/check", raw.replace(b"%s", MOD.encode()))
    assert code == 400, text
    out = json.loads(text)
    assert "result" not in out and out["error"]
    assert count(srv) == before
    qid = "sec-essay" if b"sec-essay" in raw else "sec-number"
    code, out = me.check(qid, "3.14" if qid == "sec-number" else "A proper answer.")
    assert code == 200 and out["attempts"] == 1, "the refused answer was counted as an attempt"
    assert count(srv) == before + 1


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20) | st.sampled_from(["\ud800", "x\udfffy", "3.14", "3,14", ""]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(qid=st.sampled_from(["sec-number", "sec-essay"]), response=_json_values,
       duration=st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=3)),
       extra=_json_values)
def test_fuzz_graded_means_recorded(srv, qid, response, duration, extra):
    """Whatever the body holds: an answer that is graded and counted is stored; anything else is a 4xx."""
    me = Learner(srv.url)
    body = json.dumps({"module": MOD, "qid": qid, "response": response, "duration_s": duration, "x": extra,
                       "learner": "victim-learner-42"}).encode()
    before = count(srv)
    code, _, text = me.post("/api/quiz/check", body)
    assert code in (200, 400), (code, text)
    out = json.loads(text)
    if code == 200 and out["attempts"] == 1:
        assert count(srv) == before + 1, "graded and counted, but no record stored"
        assert records(srv, learner=me.id, question=qid)
    elif code == 200:
        assert out["attempts"] == 0 and set(out["result"]["feedback"]) & {"empty", "invalid"}
    else:
        assert "result" not in out
    assert records(srv, learner="victim-learner-42") == []


# ------------------------------------------------------------------ errors
def test_a_bad_bank_fails_only_its_own_questions_without_paths(srv):
    me = Learner(srv.url)
    code, _, text = me.post("/api/quiz/check", {"module": MINI_IDS[1], "qid": "caf", "response": "x"})
    assert code == 503, text
    no_server_path(srv, text)
    assert MINI_IDS[1] in json.loads(text)["error"] and "zz-latin1.yml" in json.loads(text)["error"]
    # the module's good bank keeps working
    from h4s_widgets import load_bank
    good = load_bank(srv.modules_dir / MINI_IDS[1] / "questions" / "closing-quiz.yml").questions[0]
    code, _, text = me.post("/api/quiz/check", {"module": MINI_IDS[1], "qid": good.id, "response": "x"})
    assert code == 200, text
    code, _, text = me.post("/api/quiz/check", {"module": "99-no-such-module", "qid": "q", "response": "x"})
    assert code == 404
    no_server_path(srv, text)


@pytest.mark.parametrize("path", ["/live/voila/tree/", "/live/voila/tree/01-hello-oer", "/book/%00index.html",
                                  "/%00", "/live/voila/render/%00/module.ipynb", "/api/quiz/check%00"])
def test_odd_paths_answer_400_json_not_500(srv, path):
    me = Learner(srv.url)
    code, headers, text = me.get(path)
    assert code == 400, (path, code, text[:200])
    assert headers.get("Content-Type", "").startswith("application/json") and json.loads(text)["error"]
    no_server_path(srv, text)


def test_deeply_nested_json_is_a_400(srv):
    me = Learner(srv.url)
    for body in (b"[" * 100_000 + b"]" * 100_000,
                 b'{"module": "%s", "qid": "sec-number", "response": ' % MOD.encode() + b"[" * 5000 + b"]" * 5000 + b"}"):
        code, _, text = me.post("/api/quiz/check", body)
        assert code == 400, text[:200]
        no_server_path(srv, text)


# ------------------------------------------------------------------ files and secrets
def test_data_dir_and_database_files_are_private(srv):
    Learner(srv.url).check("sec-number", "3.14")
    assert stat.S_IMODE(srv.data.stat().st_mode) == 0o700
    for name in ("records.sqlite", "records.sqlite-wal", "records.sqlite-shm", "pseudonym.key"):
        f = srv.data / name
        assert f.exists(), name
        assert stat.S_IMODE(f.stat().st_mode) == 0o600, (name, oct(f.stat().st_mode))


def test_kernels_get_no_secrets(srv):
    me = Learner(srv.url)
    kid, _ = _live_session(srv, me, MOD)
    procs = [p for p in kernels(srv) if p.pid == srv.kernel_manager.get_kernel(kid).provisioner.pid]
    assert len(procs) == 1
    for p in procs:
        env = json.dumps(p.environ())
        for secret in (TRAINER_TOKEN, LRS_PASSWORD, "H4S_TRAINER_TOKEN", "H4S_LRS_PASSWORD"):
            assert secret not in env, (secret, p.cmdline())
    assert close_page(srv.url.rstrip("/"), kid, me.opener) == 204


def test_statements_of_live_answers_reach_the_lrs_through_the_server_process(srv):
    """The kernels hold no LRS credentials: they queue, and the server process (which has them) sends."""
    me = Learner(srv.url)
    kid, comm = _live_session(srv, me, MOD)
    _comm(srv, me, kid, comm, [{"method": "custom", "content": {"action": "check", "qid": "oer-meaning",
                                                                "response": "a"}}], wait_s=2)
    assert wait_for(lambda: records(srv, learner=me.id, question="oer-meaning"), 15)
    assert wait_for(lambda: [st for st in srv.lrs.statements if st["actor"]["account"]["name"] == me.id], 30), \
        "the live answer's statement never reached the LRS"


# ------------------------------------------------------------------ regressions that already held
@pytest.mark.parametrize("path", ["/../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/..%2f..%2f..%2fetc%2fpasswd",
                                  "/book/..%252f..%252fetc/passwd", "/%2e%2e%5c%2e%2e%5cetc%5cpasswd",
                                  "/modules/..%c0%af..%c0%afetc/passwd", "//etc/passwd"])
def test_path_traversal_reaches_no_file_outside_the_book(srv, path):
    import socket
    host, port = "127.0.0.1", srv.port
    with socket.create_connection((host, port), timeout=30) as s:   # raw: no client normalises the path
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    status = int(data.split(b" ", 2)[1])
    assert status in (301, 302, 400, 403, 404), (path, status)
    assert b"root:x:0:0" not in data and b"root:" not in data


def test_cross_origin_and_non_json_posts_are_refused_and_record_nothing(srv):
    me = Learner(srv.url)
    before = count(srv)
    body = json.dumps({"module": MOD, "qid": "sec-number", "response": "3.14"}).encode()
    for ctype in ("text/plain", "application/x-www-form-urlencoded"):
        assert me.post("/api/quiz/check", body, ctype=ctype)[0] == 415
    # (tornado refuses a malformed multipart body itself, before the handler: 400)
    assert me.post("/api/quiz/check", body, ctype="multipart/form-data; boundary=x")[0] in (400, 415)
    req = urllib.request.Request(srv.url + "api/quiz/check", method="OPTIONS",
                                 headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req, timeout=30)
    assert e.value.code == 405 and "Access-Control-Allow-Origin" not in e.value.headers
    assert count(srv) == before


def test_a_post_from_another_origin_is_refused_even_as_json(srv):
    """A JSON POST with another site's Origin (what a browser sends cross-site) grades nothing."""
    me = Learner(srv.url)
    before = count(srv)
    body = json.dumps({"module": MOD, "qid": "sec-number", "response": "3.14"}).encode()
    for headers in ({"Origin": "https://evil.example"},
                    {"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
                    {"Sec-Fetch-Site": "cross-site"}):
        code, _, text = me.post("/api/quiz/check", body, headers=headers)
        assert code == 403 and "result" not in json.loads(text), headers
    assert count(srv) == before
    code, _, _ = me.post("/api/quiz/check", body, headers={"Origin": srv.url.rstrip("/")})   # our own pages: fine
    assert code == 200 and count(srv) == before + 1


# ------------------------------------------------------------------ the live page's comm
def _live_session(srv, learner: Learner, module: str) -> tuple[str, str]:
    code, _, html = learner.get(LIVE.format(m=module))
    assert code == 200, html[:300]
    views = [o["data"]["application/vnd.jupyter.widget-view+json"]["model_id"] for o in live_outputs(html)
             if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert views, "no widget on the live page"
    return _kernel_id(html), views[0]


def _comm(srv, learner: Learner, kid: str, comm_id: str, datas: list[dict], wait_s: float = 6,
          protocols: list[str] | None = None) -> list[dict]:
    """Send comm messages to a widget through the front server's proxy; the widget state updates that came back."""
    import asyncio

    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    async def run():
        url = f"ws://127.0.0.1:{srv.port}/live/api/kernels/{kid}/channels?session_id={uuid.uuid4()}"
        conn = await websocket_connect(HTTPRequest(url, headers={"Cookie": learner.cookie_header()}),
                                       subprotocols=protocols)
        assert protocols is None or conn.selected_subprotocol is None
        session = uuid.uuid4().hex
        for data in datas:
            await conn.write_message(comm_msg(comm_id, data, session))
            await asyncio.sleep(0.3)
        try:
            return [state async for state in widget_states(conn, comm_id, time.monotonic() + wait_s)]
        finally:
            conn.close()

    return run_coroutine(run())


def test_live_widget_forged_state_opens_no_solution(srv):
    me = Learner(srv.url)
    kid, comm = _live_session(srv, me, MOD)
    forged = {"oer-meaning": {"solution_available": True, "attempts": 5}}
    states = _comm(srv, me, kid, comm, [
        {"method": "update", "state": {"state": forged}, "buffer_paths": []},
        {"method": "custom", "content": {"action": "solution", "qid": "oer-meaning"}},
    ])
    assert not any("solution" in s.get("oer-meaning", {}) for s in states), "the forged state opened the solution"
    assert "Open Educational Resources" not in json.dumps(states)


def test_live_widget_records_under_the_cookie_id_not_the_sent_one(srv):
    me = Learner(srv.url)
    kid, comm = _live_session(srv, me, MOD)
    assert me.id
    states = _comm(srv, me, kid, comm, [
        {"method": "custom", "content": {"action": "check", "qid": "oer-meaning", "response": "b",
                                         "learner": "victim-learner-42"}},
    ])
    assert any(s.get("oer-meaning", {}).get("attempts") == 1 for s in states), states
    assert wait_for(lambda: records(srv, learner=me.id, question="oer-meaning"), 15), "no record under the cookie id"
    assert records(srv, learner="victim-learner-42") == []


def test_live_widget_attempts_are_not_read_from_the_synced_state(srv):
    """Two checks, then the browser syncs attempts 0: the third check is attempt 3 (the store's count)."""
    me = Learner(srv.url)
    kid, comm = _live_session(srv, me, MOD)
    check = {"method": "custom", "content": {"action": "check", "qid": "oer-meaning", "response": "b"}}
    _comm(srv, me, kid, comm, [check, check], wait_s=3)
    states = _comm(srv, me, kid, comm, [
        {"method": "update", "state": {"state": {"oer-meaning": {"attempts": 0}}}, "buffer_paths": []}, check])
    assert any(s.get("oer-meaning", {}).get("attempts") == 3 for s in states), states
    assert sorted(r[3] for r in records(srv, learner=me.id, question="oer-meaning")) == [1, 2, 3]


def test_live_proxy_runs_no_code_from_the_browser_and_refuses_the_v1_protocol(srv):
    """The kernel channel passes widget traffic only: an execute_request never reaches the kernel."""
    import asyncio

    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect
    me = Learner(srv.url)
    kid, _ = _live_session(srv, me, MOD)
    marker = srv.data.parent / f"ran-{uuid.uuid4().hex}"

    async def run():
        url = f"ws://127.0.0.1:{srv.port}/live/api/kernels/{kid}/channels?session_id={uuid.uuid4()}"
        conn = await websocket_connect(HTTPRequest(url, headers={"Cookie": me.cookie_header()}),
                                       subprotocols=["v1.kernel.websocket.jupyter.org"])
        selected = conn.selected_subprotocol
        await conn.write_message(json.dumps({
            "header": {"msg_id": uuid.uuid4().hex, "msg_type": "execute_request", "username": "x",
                       "session": uuid.uuid4().hex, "version": "5.3", "date": ""},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": f"open({str(marker)!r}, 'w').write('x')", "silent": False, "store_history": False,
                        "user_expressions": {}, "allow_stdin": False}}))
        await asyncio.sleep(3)
        conn.close()
        return selected

    assert run_coroutine(run()) is None
    assert not marker.exists(), "code sent by the browser ran in the kernel"


# ------------------------------------------------------------------ jupyter_server in the same process (issue 14)
BANK_TEXT = "Open Educational Resources"      # in the mini module's question bank and notebook sources


@pytest.mark.parametrize("method, path", [
    ("GET", "/live/api/kernels"), ("POST", "/live/api/kernels"), ("GET", "/live/api/kernelspecs"),
    ("GET", "/live/api/sessions"), ("POST", "/live/api/sessions"),
    ("GET", "/live/api/contents"), ("GET", f"/live/api/contents/{MOD}/questions"),
    ("GET", f"/live/api/contents/{MOD}/module.ipynb"), ("PUT", f"/live/api/contents/{MOD}/x.py"),
    ("GET", "/live/api/terminals"), ("POST", "/live/api/terminals"), ("GET", "/live/terminals/websocket/1"),
    ("GET", f"/live/files/{MOD}/module.ipynb"), ("GET", f"/live/files/{MOD}/questions/closing-quiz.yml"),
    ("GET", f"/live/view/{MOD}/module.ipynb"), ("GET", f"/live/nbconvert/html/{MOD}/module.ipynb"),
    ("GET", "/live/api/status"), ("GET", "/live/api/config/notebook"), ("POST", "/live/api/shutdown"),
    ("GET", "/live/lab"), ("GET", "/live/lab/tree/x"), ("GET", "/live/tree"), ("GET", f"/live/notebooks/{MOD}/module.ipynb"),
    ("GET", "/live/voila"), ("GET", "/live/voila/"), ("GET", "/live/voila/tree"), ("GET", "/live/voila/api/contents"),
])
def test_learners_reach_no_jupyter_api_files_or_pages(srv, method, path):
    """The whole jupyter_server runs in this process: a learner (cookie or none, token or none) gets none of
    its APIs, files or pages, starts no kernel and sees no source or question bank."""
    before = set(srv.kernel_ids())
    for headers in ({}, {"Authorization": "token "}, {"Authorization": "token x", "X-XSRFToken": "x",
                                                       "Cookie": "_xsrf=x"}):
        me = Learner(srv.url)
        me.get("/book/index.html")            # a learner with a valid cookie
        body = json.dumps({"name": "python3", "kernel": {"name": "python3"}, "type": "notebook", "path": "x.ipynb",
                           "content": "print(1)", "format": "text"}).encode()
        req = urllib.request.Request(srv.url.rstrip("/") + path, method=method, headers=headers,
                                     data=body if method in ("POST", "PUT") else None)
        try:
            with me.opener.open(req, timeout=30) as r:
                code, text = r.status, r.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as e:
            code, text = e.code, e.read().decode("utf-8", "replace")
        assert code in (400, 403, 404, 405), (method, path, headers, code, text[:300])
        assert BANK_TEXT not in text and "oer-meaning" not in text and "schema_version" not in text
        no_server_path(srv, text)
    assert set(srv.kernel_ids()) == before, "a learner started a kernel"


def _ws(srv, kid: str, cookie: str | None):
    """Open the kernel channel of ``kid`` with ``cookie``: the connection, or the HTTP status that refused it."""
    from tornado.httpclient import HTTPClientError, HTTPRequest
    from tornado.websocket import websocket_connect

    async def run():
        url = f"ws://127.0.0.1:{srv.port}/live/api/kernels/{kid}/channels?session_id={uuid.uuid4()}"
        try:
            conn = await websocket_connect(HTTPRequest(url, headers={"Cookie": cookie} if cookie else {}))
        except HTTPClientError as e:
            return e.code
        conn.close()
        return "open"

    return run_coroutine(run())


def test_a_learner_cannot_connect_to_or_stop_another_learners_kernel(srv):
    """A kernel belongs to the learner whose live page started it: nobody else connects, interrupts,
    restarts or shuts it down, whatever they know of its id."""
    anna, ben = Learner(srv.url), Learner(srv.url)
    kid, _ = _live_session(srv, anna, MOD)
    ben.get("/book/index.html")
    assert _ws(srv, kid, ben.cookie_header()) == 403
    assert _ws(srv, kid, None) == 403
    assert _ws(srv, kid, f"h4s_learner={anna.id}.{'0' * 32}") == 403      # anna's id without its signature
    for method, path in (("DELETE", f"/live/api/kernels/{kid}"), ("POST", f"/live/api/kernels/{kid}/interrupt"),
                         ("POST", f"/live/api/kernels/{kid}/restart"), ("GET", f"/live/api/kernels/{kid}"),
                         ("POST", f"/live/voila/api/shutdown/{kid}")):
        for who in (ben, anna):             # anna's page may read her kernel's model, and change nothing
            if who is anna and path.startswith("/live/voila/api/shutdown"):
                continue
            req = urllib.request.Request(srv.url.rstrip("/") + path, method=method,
                                         data=b"" if method == "POST" else None)
            if who is anna and method == "GET":
                with who.opener.open(req, timeout=30) as r:
                    assert r.status == 200 and json.loads(r.read())["id"] == kid
                continue
            with pytest.raises(urllib.error.HTTPError) as e:
                who.opener.open(req, timeout=30)
            assert e.value.code in (403, 404), (method, path, e.value.code)
    assert kid in srv.kernel_ids()
    assert _ws(srv, kid, anna.cookie_header()) == "open"
    # a page of ben's own is his, and anna cannot reach it either
    kid_b, _ = _live_session(srv, ben, MOD)
    assert _ws(srv, kid_b, anna.cookie_header()) == 403 and _ws(srv, kid_b, ben.cookie_header()) == "open"
    assert close_page(srv.url.rstrip("/"), kid, anna.opener) == 204
    assert close_page(srv.url.rstrip("/"), kid_b, ben.opener) == 204


def test_binary_frames_of_the_json_protocol_are_read_and_stamped_too(srv):
    """A binary frame (the JSON protocol's form for messages with buffers) carrying an execute_request is
    dropped; one carrying a check is graded under the cookie's id, not the id it names."""
    import asyncio
    import struct

    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect
    me = Learner(srv.url)
    kid, comm = _live_session(srv, me, MOD)
    marker = srv.data.parent / f"ran-{uuid.uuid4().hex}"

    def frame(msg: dict) -> bytes:
        head = json.dumps(msg).encode()
        return struct.pack("!III", 2, 12, 12 + len(head)) + head + b"\x00buffer"

    def message(msg_type: str, content: dict) -> dict:
        return {"header": {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "username": "x",
                           "session": uuid.uuid4().hex, "version": "5.3", "date": ""},
                "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [], "content": content}

    async def run():
        url = f"ws://127.0.0.1:{srv.port}/live/api/kernels/{kid}/channels?session_id={uuid.uuid4()}"
        conn = await websocket_connect(HTTPRequest(url, headers={"Cookie": me.cookie_header()}))
        await conn.write_message(frame(message("execute_request", {
            "code": f"open({str(marker)!r}, 'w').write('x')", "silent": False, "store_history": False,
            "user_expressions": {}, "allow_stdin": False})), binary=True)
        await conn.write_message(frame(message("comm_msg", {"comm_id": comm, "data": {
            "method": "custom", "content": {"action": "check", "qid": "oer-meaning", "response": "b",
                                            "learner": "victim-learner-42"}}})), binary=True)
        await asyncio.sleep(3)
        conn.close()

    run_coroutine(run())
    assert not marker.exists(), "code sent in a binary frame ran in the kernel"
    assert wait_for(lambda: records(srv, learner=me.id, question="oer-meaning"), 15), "the binary check was lost"
    assert records(srv, learner="victim-learner-42") == []
    assert close_page(srv.url.rstrip("/"), kid, me.opener) == 204
