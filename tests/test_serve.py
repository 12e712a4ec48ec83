"""`h4s serve`: book at /, live Voilà pages under /live/, kernels on demand, culling, load, clean shutdown.

One server (jupyter_server with the h4s and Voilà extensions, in a thread of the test process) on a free
127.0.0.1 port serves a book built from tests/fixtures/mini-modules, with a short cull window (5 s idle,
checked every second).  A learner is a cookie jar (the server issues the learner cookie): a live page's
kernel belongs to the learner who opened it.
"""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil
import pytest
from _tools import run_coroutine

from h4s_kit.build import build
from h4s_kit.live import voila_argv
from h4s_kit.serve import LiveServer, free_port
from test_build import MINI_IDS, make_project

pytestmark = pytest.mark.slow

CULL_IDLE = 5
CULL_INTERVAL = 1
LIVE = "/live/voila/render/{m}/module.ipynb"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k):
        return None



def browser():
    """An opener with its own cookie jar: one learner."""
    import http.cookiejar
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))


def cookie_of(opener) -> str:
    jar = next(h.cookiejar for h in opener.handlers if isinstance(h, urllib.request.HTTPCookieProcessor))
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def get(url: str, timeout: float = 120, follow: bool = True, opener=None) -> tuple[int, dict, str]:
    if opener is None:
        opener = urllib.request.build_opener() if follow else urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(url, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode("utf-8", "replace")


def kernels(srv) -> list[psutil.Process]:
    """The kernel processes of the server ``srv`` (a LiveServer, or the pid of an `h4s serve` process)."""
    if not isinstance(srv, int):
        return srv.kernel_processes()
    out = []
    for p in psutil.Process(srv).children(recursive=True):
        try:
            if "ipykernel_launcher" in " ".join(p.cmdline()):
                out.append(p)
        except psutil.Error:
            pass
    return out


def kernel_rss(procs: list[psutil.Process]) -> int:
    total = 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def wait_for(pred, timeout: float, step: float = 0.25):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(step)
    return pred()


def live_outputs(html: str) -> list[dict]:
    """The cell outputs Voilà put into the page (one JSON script per output)."""
    outs = []
    for m in re.finditer(r'<script type="application/vnd.voila.cell-output\+json">\s*(.*?)\s*</script>', html, re.S):
        outs.append(json.loads(m.group(1)))
    return outs


def quiz_count(module: str) -> int:
    nb = json.loads((Path(__file__).parent / "fixtures" / "mini-modules" / module / "module.ipynb").read_text())
    return sum("Quiz(" in "".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("H4S_RECORDS", "off")            # the quiz API grades in this process: record nothing
        mp.setenv("H4S_DATA_DIR", str(tmp_path_factory.mktemp("data")))
        proj = make_project(tmp_path_factory.mktemp("serve"))
        res = build(root=proj, echo=lambda s: None)
        srv = LiveServer(html_dir=res.html_dir, modules_dir=proj / "modules", port=free_port(),
                         cull_idle_timeout=CULL_IDLE, cull_interval=CULL_INTERVAL, unconnected_grace=30,
                         log_file=proj / "serve.log", echo=lambda s: None)
        srv.start()
        try:
            yield srv
        finally:
            children = kernels(srv)
            srv.stop()
            gone, alive = psutil.wait_procs(children, timeout=15)
            assert not alive, f"kernels left running after stop: {[p.pid for p in alive]}"


def open_live(server, module: str, opener=None) -> tuple[object, str, str]:
    """A learner opens a live page: (their opener, the page, its kernel id)."""
    opener = opener or browser()
    code, _, html = get(server.url.rstrip("/") + LIVE.format(m=module), opener=opener)
    assert code == 200, html[:500]
    return opener, html, _kernel_id(html)


def test_kernel_manager_spares_unconnected_kernels_only_for_the_grace():
    from h4s_kit.live import H4SKernelManager

    class Probe(H4SKernelManager):
        culled: list = []

        async def _base_cull(self, kid):
            self.culled.append(kid)

    km = Probe(unconnected_grace=60)
    # what the parent class would do is recorded instead of run
    import jupyter_server.services.kernels.kernelmanager as jkm
    orig = jkm.AsyncMappingKernelManager.cull_kernel_if_idle
    jkm.AsyncMappingKernelManager.cull_kernel_if_idle = lambda self, kid: Probe._base_cull(self, kid)
    try:
        now = time.monotonic()
        km._h4s_started.update({"young": now, "old": now - 120, "young-connected": now})
        km._h4s_connected.add("young-connected")
        for kid in ("young", "old", "young-connected", "unknown"):
            run_coroutine(km.cull_kernel_if_idle(kid))
    finally:
        jkm.AsyncMappingKernelManager.cull_kernel_if_idle = orig
    assert Probe.culled == ["old", "young-connected", "unknown"]


def test_voila_argv_has_the_learner_settings(tmp_path):
    argv = voila_argv(tmp_path, 9999, pool_size=3, cull_idle_timeout=42, cull_interval=7)
    joined = " ".join(argv)
    for part in ("--port=9999", "--Voila.ip=127.0.0.1", "--Voila.base_url=/live/", "--strip_sources=True",
                 "--show_tracebacks=False", "--preheat_kernel=True", "--pool_size=3",
                 "--MappingKernelManager.cull_idle_timeout=42", "--MappingKernelManager.cull_interval=7",
                 "--VoilaExecutor.iopub_timeout=120", "--template=h4s",
                 "--VoilaKernelManager.default_env_variables=H4S_LIVE=1",
                 "--VoilaConfiguration.multi_kernel_manager_class=h4s_kit.live.H4SKernelManager"):
        assert part in joined, part
    allow = [a.split("=", 1)[1] for a in argv if a.startswith("--VoilaConfiguration.file_allowlist=")]
    deny = [a.split("=", 1)[1] for a in argv if a.startswith("--VoilaConfiguration.file_denylist=")]
    assert allow and deny
    ok = lambda p: any(re.fullmatch(a, p) for a in allow) and not any(re.fullmatch(d, p) for d in deny)  # noqa: E731
    assert ok("01-x/media/chart.svg") and ok("01-x/media/photo.JPG".lower())
    for secret in ("01-x/module.ipynb", "01-x/questions/closing-quiz.yml", "01-x/media/credits.yml",
                   "01-x/helper.py", "01-x/.env", "01-x/media/../questions/q.yml"):
        assert not ok(secret), secret


def test_book_and_module_pages(server):
    base = server.url.rstrip("/")
    code, _, html = get(base + "/")
    assert code == 200 and "book/index.html" in html
    code, _, html = get(base + "/book/index.html")
    assert code == 200 and "Hack4Society" in html
    for m in MINI_IDS:
        code, _, html = get(f"{base}/modules/{m}/module.html")
        assert code == 200
        assert f'<meta name="h4s-live-url" content="{LIVE.format(m=m)}">' in html
    code, _, _ = get(base + "/no/such/page.html")
    assert code == 404
    # behind a reverse proxy the Host header is the course's public name: still served
    req = urllib.request.Request(base + "/book/index.html", headers={"Host": "course.example.org"})
    with urllib.request.urlopen(req, timeout=60) as r:
        assert r.status == 200 and "Hack4Society" in r.read().decode("utf-8")


def test_live_page(server):
    base = server.url.rstrip("/")
    m = MINI_IDS[0]
    me = browser()
    t0 = time.monotonic()
    code, headers, html = get(base + LIVE.format(m=m), opener=me)
    ttfb = time.monotonic() - t0
    assert code == 200, html[:500]
    assert f'href="/modules/{m}/module.html"' in html, "no link back to the book page"
    assert "/live/voila/templates/h4s/static/fontawesome/css/all.min.css" in html
    assert "cdn.jsdelivr.net" not in html and "cdnjs.cloudflare.com" not in html
    outs = live_outputs(html)
    views = [o for o in outs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert len(views) == quiz_count(m)
    # H4S_LIVE=1 in the kernel: no static fallback, so no answer key in the page
    assert "data-h4s-static" not in html and "h4s-data" not in html
    assert "The answer is 42" in html
    assert "value = 6 * 7" not in html, "sources must be stripped"
    assert close_page(base, _kernel_id(html), me) == 204
    print(f"\nlive page {m}: {ttfb:.2f} s for the whole page (kernel started on request)")


def post_json(url: str, body: dict, opener=None) -> tuple[int, dict]:
    """POST ``body``; ``opener`` (e.g. with a cookie jar) keeps the learner cookie the server issues."""
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    try:
        with (opener or urllib.request.build_opener()).open(req, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def test_quiz_api_grades_on_the_server(server):
    base = server.url.rstrip("/")
    import http.cookiejar
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    body = {"module": MINI_IDS[0], "qid": "oer-meaning"}
    code, out = post_json(f"{base}/api/quiz/check", dict(body, response="b"), browser)
    assert code == 200 and out["result"]["correct"] is False and out["attempts"] == 1
    code, out = post_json(f"{base}/api/quiz/check", dict(body, response="a"), browser)   # same cookie, same learner
    assert code == 200 and out["result"]["correct"] is True and out["attempts"] == 2
    code, out = post_json(f"{base}/api/quiz/check", dict(body, qid="no-such-question", response="a"), browser)
    assert code == 404


def test_book_pages_lose_their_keys_when_graded_on_the_server(server):
    """With server grading on, the server hands out the book's quiz pages without keys (also gzipped)."""
    import gzip
    page = f"modules/{MINI_IDS[0]}/module.html"
    raw = (server.html_dir / page).read_text(encoding="utf-8")
    assert "data-h4s-static" in raw and '"server":"/api/quiz"' not in raw     # the built file has its keys
    for served in (get(server.url + page)[2],
                   gzip.decompress(get_raw(server.url + page, {"Accept-Encoding": "gzip"})[2]).decode("utf-8")):
        data = json.loads(re.search(r'<script type="application/json" class="h4s-data">(.*?)</script>', served, re.S)
                          .group(1).replace("<\\/", "</"))
        assert data["server"] == "/api/quiz" and data["static"] == [{}]
        assert '"key"' not in served
    for name in (page + ".gz", "book/index.html.gz"):       # never the precompressed copy (with keys) by its name
        assert get(server.url + name)[0] == 404
    assert get(server.url + "modules/../../etc/passwd")[0] in (403, 404)
    with LiveServer(html_dir=server.html_dir, modules_dir=server.modules_dir, port=free_port(), live_pages=False,
                    server_grading=False, echo=lambda s: None) as plain:   # grading off: the page as built
        assert get(plain.url + page)[2] == raw


def test_live_files_only_media(server):
    base = server.url.rstrip("/")
    m = MINI_IDS[0]
    assert get(f"{base}/live/voila/files/{m}/media/dot.svg")[0] == 200
    for secret in (f"{m}/questions/closing-quiz.yml", f"{m}/module.ipynb", f"{m}/media/credits.yml"):
        code, _, body = get(f"{base}/live/voila/files/{secret}")
        assert code in (403, 404), (secret, code)
        assert "answer" not in body
    code, _, _ = get(f"{base}/live/voila/templates/h4s/static/fontawesome/webfonts/fa-solid-900.woff2")
    assert code == 200
    code, headers, _ = get(base + "/live/", follow=False)
    assert code in (301, 302) and headers.get("Location") == "/"
    code, headers, _ = get(base + "/live", follow=False)
    assert code in (301, 302) and headers.get("Location") == "/"


def _kernel_id(html: str) -> str:
    cfg = re.search(r'<script id="jupyter-config-data" type="application/json">\s*(.*?)\s*</script>', html, re.S)
    return json.loads(cfg.group(1))["kernelId"]


def _kernel_info_over_ws(port: int, kernel_id: str, opener) -> dict:
    """Connect to the kernel as the learner of ``opener`` (their cookie) and ask for kernel_info."""
    import asyncio

    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    async def run():
        url = f"ws://127.0.0.1:{port}/live/api/kernels/{kernel_id}/channels?session_id={uuid.uuid4()}"
        conn = await websocket_connect(HTTPRequest(url, headers={"Cookie": cookie_of(opener)}))
        msg_id = uuid.uuid4().hex
        await conn.write_message(json.dumps({
            "header": {"msg_id": msg_id, "msg_type": "kernel_info_request", "username": "test",
                       "session": uuid.uuid4().hex, "version": "5.3", "date": ""},
            "parent_header": {}, "metadata": {}, "content": {}, "channel": "shell", "buffers": []}))
        try:
            while True:
                raw = await asyncio.wait_for(conn.read_message(), 30)
                assert raw is not None, "websocket closed before the reply"
                msg = json.loads(raw)
                if msg.get("parent_header", {}).get("msg_id") == msg_id and msg["msg_type"] == "kernel_info_reply":
                    return msg
        finally:
            conn.close()

    return run_coroutine(run())


def test_websocket_reaches_the_kernel_of_ones_own_page(server):
    me, _, kid = open_live(server, MINI_IDS[1])
    reply = _kernel_info_over_ws(server.port, kid, me)
    assert reply["content"]["status"] == "ok"
    assert reply["content"]["language_info"]["name"] == "python"
    assert close_page(server.url.rstrip("/"), kid, me) == 204


def close_page(base: str, kid: str, opener=None) -> int:
    """What Voilà's page sends when it is closed: a beacon POST with an empty _xsrf field (as the learner
    of ``opener``, whose cookie it carries)."""
    boundary = "----h4stest"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"_xsrf\"\r\n\r\n\r\n--{boundary}--\r\n").encode()
    req = urllib.request.Request(f"{base}/live/voila/api/shutdown/{kid}", data=body, method="POST",
                                 headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    try:
        with (opener or urllib.request.build_opener()).open(req, timeout=30) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def test_closing_beacon_shuts_the_kernel_down(server):
    """Voilà's page-close beacon (POST without _xsrf) shuts the page's kernel down at once, for its learner only."""
    me, _, kid = open_live(server, MINI_IDS[2])
    assert kid in server.kernel_ids()
    assert close_page(server.url.rstrip("/"), kid, browser()) == 404      # another learner: not theirs to close
    assert close_page(server.url.rstrip("/"), kid) == 404                 # no cookie: nobody's
    assert kid in server.kernel_ids()
    assert close_page(server.url.rstrip("/"), kid, me) == 204
    # the kernel is gone at once (well before the cull window)
    assert wait_for(lambda: kid not in server.kernel_ids(), CULL_IDLE - 1, 0.1), "kernel still there after the beacon"


def test_no_kernel_runs_until_a_live_page_is_opened(server):
    """The book (and its server-graded quizzes) need no kernel; a live page starts one, for itself."""
    base = server.url.rstrip("/")
    before = set(server.kernel_ids())
    for page in ("/", "/book/index.html", *(f"/modules/{m}/module.html" for m in MINI_IDS)):
        assert get(base + page)[0] == 200
    assert post_json(f"{base}/api/quiz/check", {"module": MINI_IDS[0], "qid": "oer-meaning", "response": "a"})[0] == 200
    assert set(server.kernel_ids()) == before, "the book or its quiz API started a kernel"
    me, _, kid = open_live(server, MINI_IDS[0])
    assert set(server.kernel_ids()) == before | {kid}
    assert close_page(base, kid, me) == 204


def test_kernels_of_closed_pages_are_culled(server):
    """Open 10 live pages and drop their connections: their kernels go away within the cull window, RSS with them."""
    before = set(server.kernel_ids())
    base_rss = kernel_rss(kernels(server))
    opened = []
    peak, peak_rss = 0, 0
    for i in range(10):
        me, _, kid = open_live(server, MINI_IDS[i % len(MINI_IDS)])
        _kernel_info_over_ws(server.port, kid, me)   # the page's connection: opened, used, closed
        opened.append(kid)
        if len(kernels(server)) > peak:
            peak, peak_rss = len(kernels(server)), kernel_rss(kernels(server))
    assert len(set(opened) - before) == 10, "every page starts its own kernel"
    closed_at = time.monotonic()
    for kid in opened:
        assert wait_for(lambda: kid not in server.kernel_ids(),
                        CULL_IDLE + 3 * CULL_INTERVAL + 10 - (time.monotonic() - closed_at), 0.5), \
            f"kernel {kid} still alive {time.monotonic() - closed_at:.1f} s after its page closed"
    rss = kernel_rss(kernels(server))
    print(f"\nkernels: before {len(before)}, peak {peak}; kernel RSS before {base_rss / 2**20:.0f} MB, "
          f"peak {peak_rss / 2**20:.0f} MB, after culling {rss / 2**20:.0f} MB")
    assert rss <= base_rss * 1.25 + 20 * 2**20


def test_load_25_simultaneous_live_pages(server):
    base = server.url.rstrip("/")
    m = MINI_IDS[0]
    n_quiz = quiz_count(m)

    def one(_):
        me = browser()
        t0 = time.monotonic()
        code, _, html = get(base + LIVE.format(m=m), timeout=300, opener=me)
        outs = live_outputs(html)
        views = sum("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outs)
        text = "The answer is 42" in html
        if code == 200:
            # close the page as a browser does, so that its kernel does not outlive this test (no page ever
            # connected to it, so the culler would spare it for minutes and other tests would count it)
            close_page(base, _kernel_id(html), me)
        return code, views, text, time.monotonic() - t0

    t0 = time.monotonic()
    with ThreadPoolExecutor(max_workers=25) as ex:
        results = list(ex.map(one, range(25)))
    wall = time.monotonic() - t0
    bad = [r for r in results if r[0] != 200 or r[1] != n_quiz or not r[2]]
    times = sorted(r[3] for r in results)
    print(f"\n25 simultaneous live pages: wall {wall:.1f} s, median {times[12]:.1f} s, max {times[-1]:.1f} s")
    assert not bad, f"{len(bad)} of 25 pages incomplete: {bad[:5]}"


def test_h4s_serve_cli_preheats_only_named_modules_and_stops_cleanly_on_ctrl_c(tmp_path):
    """One process: no kernel while idle except the one --preheat names; a live page's kernel is a child of
    `h4s serve` itself; Ctrl-C (even with SIGINT ignored by the parent) stops it and every kernel."""
    proj = make_project(tmp_path / "proj")
    for m in MINI_IDS[2:]:
        import shutil
        shutil.rmtree(proj / "modules" / m)
    build(root=proj, echo=lambda s: None)
    port = free_port()
    bad = subprocess.run([sys.executable, "-m", "h4s_kit.cli", "serve", "--no-build", "--port", str(port),
                          "--preheat", "99"], cwd=proj, capture_output=True, text=True, timeout=120)
    assert bad.returncode != 0 and "--preheat 99" in bad.stdout + bad.stderr and "Traceback" not in bad.stderr
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    # started with SIGINT ignored, as a worker process or `nohup` may pass it on: Ctrl-C must still stop it
    proc = subprocess.Popen([sys.executable, "-m", "h4s_kit.cli", "serve", "--no-build", "--port", str(port),
                             "--preheat", MINI_IDS[1][:2]],
                            cwd=proj, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    try:
        lines = []
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if "press Ctrl-C to stop" in line:   # the server is up and listens for Ctrl-C
                break
        assert any(f"http://127.0.0.1:{port}/" in ln for ln in lines), "".join(lines)
        assert get(f"http://127.0.0.1:{port}/")[0] == 200
        assert wait_for(lambda: len(kernels(proc.pid)) == 1, 60), "the preheated kernel never started"
        preheated = kernels(proc.pid)[0]
        assert str(proj / "modules" / MINI_IDS[1]) == preheated.cwd()    # the named module's, nobody else's
        time.sleep(2)
        assert len(kernels(proc.pid)) == 1, "a kernel that nobody asked for"
        me = browser()
        code, _, html = get(f"http://127.0.0.1:{port}" + LIVE.format(m=MINI_IDS[0]), opener=me)
        assert code == 200 and "The answer is 42" in html
        assert len(kernels(proc.pid)) == 2      # the page's own kernel, started for it, in this process tree
        code, _, html = get(f"http://127.0.0.1:{port}" + LIVE.format(m=MINI_IDS[1]), opener=me)
        assert code == 200
        assert preheated.pid in {p.pid for p in kernels(proc.pid)}      # the page took the spare ...
        assert wait_for(lambda: len(kernels(proc.pid)) == 3, 60)       # ... and a new spare was started
        children = psutil.Process(proc.pid).children(recursive=True)
        proc.send_signal(signal.SIGINT)           # what Ctrl-C does
        out, _ = proc.communicate(timeout=60)
        assert proc.returncode == 0, out
        assert "stopped" in out
        gone, alive = psutil.wait_procs(children, timeout=15)
        assert not alive, f"left running: {[(p.pid, p.cmdline()) for p in alive]}"
        with pytest.raises(OSError):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


def test_trainer_dashboard_is_at_a_secret_address_and_shows_the_records(server):
    """`h4s serve` offers the trainer report at /trainer/<token>/; any other token gets 404."""
    import time as _time

    from h4s_kit.records.live import LiveSink
    from h4s_widgets import grade, load_bank
    folder = Path(server.modules_dir) / MINI_IDS[0] / "questions"
    q = next(q for f in sorted(folder.glob("*.yml")) for q in load_bank(f).questions if q.id == "oer-meaning")
    sink = LiveSink()   # writes to $H4S_DATA_DIR/records.sqlite, the store the server reads
    for i, answer in enumerate(["a", "b", "a"]):
        sink({"learner": f"synthetic-learner-{i:04d}", "module": MINI_IDS[0], "question": q, "response": answer,
              "result": grade(q, answer), "attempt": 1, "timestamp": _time.time(), "duration_s": 3.0})
    code, _, page = get(server.trainer_url)
    assert code == 200
    assert "oer-meaning" in page or "OER" in page
    assert MINI_IDS[0] in page
    assert get(server.url + "trainer/not-the-token/")[0] == 404
    assert server.trainer_token not in get(server.url)[2]   # the book never shows the address


# --------------------------------------------------------------- compression
def get_raw(url: str, headers: dict | None = None, timeout: float = 120) -> tuple[int, dict, bytes]:
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()


def test_accepts_gzip_reads_q_values():
    from h4s_kit.server.precompress import accepts_gzip
    assert accepts_gzip("gzip, deflate, br") and accepts_gzip("br;q=1.0, gzip;q=0.8") and accepts_gzip("*")
    assert accepts_gzip("x-gzip") and accepts_gzip("GZip")
    assert not accepts_gzip("") and not accepts_gzip("identity") and not accepts_gzip("br, deflate")
    assert not accepts_gzip("gzip;q=0") and not accepts_gzip("gzip;q=0.0, *;q=1") and not accepts_gzip("*;q=0")


@pytest.mark.parametrize("path", ["/book/index.html", f"/modules/{MINI_IDS[0]}/module.html",
                                  "/_static/scripts/bootstrap.js", "/_static/styles/sphinx-book-theme.css"])
def test_book_files_are_gzipped_for_clients_that_accept_it(server, path):
    import gzip
    base = server.url.rstrip("/")
    code, plain_h, plain = get_raw(base + path)
    assert code == 200 and len(plain) > 1024
    assert "content-encoding" not in plain_h, "identity for a client without Accept-Encoding"
    assert "accept-encoding" in plain_h.get("vary", "").lower()
    code, gz_h, gz = get_raw(base + path, {"Accept-Encoding": "gzip, deflate, br"})
    assert code == 200
    assert gz_h.get("content-encoding") == "gzip", gz_h
    assert "accept-encoding" in gz_h.get("vary", "").lower()
    assert gzip.decompress(gz) == plain
    assert len(gz) < len(plain) / 2, (len(gz), len(plain))
    code, no_h, no = get_raw(base + path, {"Accept-Encoding": "gzip;q=0, identity"})
    assert code == 200 and "content-encoding" not in no_h and no == plain


def test_small_binary_and_ranged_responses_are_not_gzipped(server):
    base = server.url.rstrip("/")
    ae = {"Accept-Encoding": "gzip"}
    small = server.html_dir / "_static" / "documentation_options.js"
    assert small.stat().st_size < 1024
    code, h, body = get_raw(base + "/_static/documentation_options.js", ae)   # under 1 KiB: not worth it
    assert code == 200 and body == small.read_bytes() and "content-encoding" not in h
    woff = next((server.html_dir / "_static" / "h4s-vendor" / "mathjax").rglob("*.woff"))
    rel = woff.relative_to(server.html_dir).as_posix()
    code, h, body = get_raw(f"{base}/{rel}", ae)                        # a font: already compressed
    assert code == 200 and "content-encoding" not in h and body == woff.read_bytes()
    code, h, body = get_raw(base + "/_static/scripts/bootstrap.js", {**ae, "Range": "bytes=0-99"})
    assert code == 206 and "content-encoding" not in h and len(body) == 100


def test_book_files_are_compressed_at_build_time_not_while_serving(server):
    """Every compressible book file of 1 KiB or more has its .gz beside it (written by h4s build); a file
    changed after the build goes out plain until the next build, never as its stale copy."""
    import gzip
    html = server.html_dir
    js = sorted(p for p in html.rglob("*.js") if p.stat().st_size >= 1024)
    assert js and all(p.with_name(p.name + ".gz").is_file() for p in js)
    assert not (html / "_static" / "documentation_options.js.gz").exists()       # under 1 KiB
    assert not list(html.rglob("*.woff.gz")) and not list(html.rglob("*.png.gz"))
    probe = html / "_static" / "h4s-gzip-probe.js"
    try:
        probe.write_text("// first\n" + "var a = 1;\n" * 300, encoding="utf-8")
        from h4s_kit.server.precompress import precompress
        assert precompress(html)["written"] == 1
        ae = {"Accept-Encoding": "gzip"}
        one = get_raw(server.url + "_static/h4s-gzip-probe.js", ae)
        assert one[1].get("content-encoding") == "gzip" and gzip.decompress(one[2]) == probe.read_bytes()
        time.sleep(0.01)
        probe.write_text("// second\n" + "var b = 2;\n" * 400, encoding="utf-8")
        two = get_raw(server.url + "_static/h4s-gzip-probe.js", ae)
        assert "content-encoding" not in two[1] and two[2] == probe.read_bytes(), "a stale .gz was served"
        assert precompress(html)["written"] == 1
        three = get_raw(server.url + "_static/h4s-gzip-probe.js", ae)
        assert gzip.decompress(three[2]) == probe.read_bytes() and int(three[1]["content-length"]) == len(three[2])
    finally:
        probe.unlink(missing_ok=True)
    assert precompress(html)["removed"] == 1          # the copy of a file that is gone goes too


# ------------------------------------------------------- kernel ports (jupyter_client issue 487)
def test_kernel_port_range_avoids_the_ephemeral_range():
    from h4s_kit.live import kernel_port_range
    assert kernel_port_range((32768, 60999)) == (10000, 32767)
    assert kernel_port_range((10500, 50000)) == (50001, 65535)      # no room below: above
    assert kernel_port_range((1024, 65000)) == (1024, 65535)        # no room anywhere: anything


def test_kernel_ports_are_picked_outside_the_ephemeral_range_and_apart():
    from jupyter_client.connect import LocalPortCache

    from h4s_kit.live import _kernel_ports_outside_ephemeral_range, ephemeral_range, kernel_port_range
    saved = LocalPortCache.find_available_port
    try:
        _kernel_ports_outside_ephemeral_range()
        cache = LocalPortCache()
        ports = [cache.find_available_port("127.0.0.1") for _ in range(25 * 5)]
        lo, hi = kernel_port_range()
        assert all(lo <= p <= hi for p in ports), ports
        elo, ehi = ephemeral_range()
        assert not [p for p in ports if elo <= p <= ehi]
        assert len(set(ports)) == len(ports), "two kernels would share a port"
    finally:
        LocalPortCache.find_available_port = saved
        LocalPortCache._h4s_ports = False


def test_live_kernels_listen_outside_the_ephemeral_range(server):
    from h4s_kit.live import kernel_port_range
    lo, hi = kernel_port_range()
    me, _, kid = open_live(server, MINI_IDS[0])
    procs = kernels(server)
    assert procs, "the live page should have a kernel"
    for proc in procs:
        cmd = proc.cmdline()
        conn = json.loads(Path(cmd[cmd.index("-f") + 1]).read_text())
        ports = [conn[k] for k in ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port")]
        assert all(lo <= p <= hi for p in ports), (ports, (lo, hi))
    assert close_page(server.url.rstrip("/"), kid, me) == 204


def test_voila_static_files_are_precompressed_once(server):
    """The live page's scripts (Voilà's static files) go out as copies compressed once per installation."""
    import gzip
    base = server.url.rstrip("/")
    me, html, kid = open_live(server, MINI_IDS[0])
    assert close_page(base, kid, me) == 204
    scripts = [u for u in re.findall(r'<script[^>]+src="([^"]+)"', html) if u.startswith("/live/voila/static/")]
    assert scripts, "the live page should load Voila's scripts from /live/voila/static/"
    url = base + max(scripts, key=len)
    code, plain_h, plain = get_raw(url)
    assert code == 200 and "content-encoding" not in plain_h and len(plain) > 1024
    one = get_raw(url, {"Accept-Encoding": "gzip"})
    assert one[1].get("content-encoding") == "gzip" and "accept-encoding" in one[1].get("vary", "").lower()
    assert gzip.decompress(one[2]) == plain and int(one[1]["content-length"]) == len(one[2]) < len(plain)
    cache = Path(server.app.web_app.settings["h4s_config"].voila_static_dir)
    copies = list(cache.rglob(Path(url).name + ".gz"))
    assert copies and copies[0].read_bytes() == one[2], "not the copy made once"
