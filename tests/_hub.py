"""A real JupyterHub for the tests (and for bench/hub.py): deploy/jupyterhub/jupyterhub_config.py on 127.0.0.1.

A test helper, not part of the h4s package.  :class:`Hub` writes a small config file that loads the deploy
config unchanged and then swaps only what a provider would swap for a test machine: the DummyAuthenticator
(one password for everybody), the SimpleLocalProcessSpawner (every server runs as this account, homes in the
work folder), random ports, the proxy from node_modules (configurable-http-proxy of package.json), and a
service token the test uses to read the Hub's API.  Everything lives in one work folder; :meth:`Hub.stop`
stops the Hub, which stops its proxy, its services and every server it spawned.

:class:`Learner` is a browser without a browser: a ``requests`` session that logs in with the Hub's form
(GET /hub/login for the ``_xsrf`` cookie, POST it back), starts its server and follows the single-user
server's OAuth redirects.
"""
from __future__ import annotations

import asyncio
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import requests

from _ports import free_port, port_taken, start_retrying
from _widget_comm import comm_msg, widget_states

ROOT = Path(__file__).resolve().parents[1]
DEPLOY_CONFIG = ROOT / "deploy" / "jupyterhub" / "jupyterhub_config.py"
BIN = Path(sys.executable).parent


def _get(url: str, **kw) -> requests.Response | None:
    try:
        return requests.get(url, timeout=2, **kw)
    except requests.RequestException:
        return None


def proxy_command() -> Path:
    """configurable-http-proxy from node_modules (package.json), or FileNotFoundError saying how to get it."""
    exe = ROOT / "node_modules" / ".bin" / "configurable-http-proxy"
    if not exe.exists():
        raise FileNotFoundError(f"{exe.relative_to(ROOT)} is missing: run `npm ci` in {ROOT} (`make setup` does it)")
    return exe


class Hub:
    """JupyterHub with the deploy config, the DummyAuthenticator and the SimpleLocalProcessSpawner."""

    def __init__(self, work: Path, course: Path, *, trainers: tuple[str, ...] = (), cull_idle: int = 3600,
                 env: dict | None = None, extra_config: str = ""):
        self.work = Path(work)
        self.course = Path(course)
        self.trainers = trainers
        self.cull_idle = cull_idle
        self.extra_env = dict(env or {})
        self.extra_config = extra_config
        self.password = secrets.token_urlsafe(12)
        self.token = secrets.token_hex(24)
        self.port = free_port()
        self._started = False           # until the Hub first runs, its port may be changed (see start)
        self.proc: subprocess.Popen | None = None
        self.log = self.work / "hub.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -------------------------------------------------------------------------------------------- process
    def config_text(self) -> str:
        hub_port, api_port, dash_port = free_port(), free_port(), free_port()
        self.dashboard_port = dash_port
        return f"""
c = get_config()
load_subconfig({str(DEPLOY_CONFIG)!r})
c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = {self.password!r}
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = {str(self.work / 'home' / '{username}')!r}
c.JupyterHub.bind_url = "{self.url}"
c.JupyterHub.hub_bind_url = "http://127.0.0.1:{hub_port}"
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{api_port}"
c.ConfigurableHTTPProxy.command = [{str(proxy_command())!r}]
c.JupyterHub.pid_file = {str(self.work / 'jupyterhub.pid')!r}
c.JupyterHub.services.append({{"name": "h4s-test", "api_token": {self.token!r}}})
c.JupyterHub.load_roles.append({{"name": "h4s-test", "services": ["h4s-test"],
    "scopes": ["admin:users", "admin:servers", "admin:groups", "list:users", "read:users", "access:servers"]}})

def _h4s_test_port(spawner):
    # A learner's server on a free port below the kernel's range of ephemeral ports (32768 and up here), where
    # no bind to port 0 lands: JupyterHub's own pick (a free ephemeral port, bound later by the server) could
    # be taken in between by a kernel, browser or server of the tests running beside it ("port ... is already
    # in use": the learner's page 404s).  A port taken anyway is JupyterHub's failed spawn, as before.
    import random, socket
    for _ in range(200):
        port = random.randrange(20000, 32000)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        spawner.port = port
        return

c.Spawner.pre_spawn_hook = _h4s_test_port
""" + self.extra_config

    def environment(self) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTERHUB_", "JPY_"))}
        env.update({
            "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}",
            "H4S_COURSE_DIR": str(self.course),
            "H4S_DATA_DIR": str(self.work / "h4s-data"),
            "H4S_CULL_IDLE": str(self.cull_idle),
            "H4S_TRAINERS": ",".join(self.trainers),
            "H4S_DASHBOARD_PORT": str(self.dashboard_port),
            "H4S_HUB_STATE": str(self.work / "state"),
        })
        env.pop("H4S_DATABASE_URL", None)
        env.update(self.extra_env)
        return env

    def start(self, timeout: float = 90) -> "Hub":
        """Start JupyterHub and wait until it answers its health check and its trainer dashboard answers.  When
        another process took one of its ports (or the dashboard's) before it bound it, start again by the rule of
        :func:`_ports.start_retrying`: a new public port if the Hub never ran, else the same one a moment later
        (its inner ports are new at every start)."""
        self.work.mkdir(parents=True, exist_ok=True)
        (self.work / "state").mkdir(exist_ok=True)
        start_retrying(lambda port: self._start_once(timeout, port), self.port, may_move=not self._started,
                       failure=f"JupyterHub could not bind its ports in 5 tries; see {self.log}")
        self._started = True
        return self

    def _start_once(self, timeout: float, port: int) -> bool:
        """True when the Hub answers on ``port``; False when a port was taken; raises on any other failure."""
        self.port = port
        cfg = self.work / "jupyterhub_config.py"
        cfg.write_text(self.config_text())
        self.env = self.environment()
        offset = self.log.stat().st_size if self.log.exists() else 0
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen([str(BIN / "jupyterhub"), "-f", str(cfg)], cwd=self.work, env=self.env,
                                         stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                         start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            code = self.proc.poll()
            # a taken port ends the Hub (its own port) or only its proxy (the public port): the log says which
            if port_taken(self.log.read_bytes()[offset:].decode("utf-8", "replace")):
                self.stop()
                return False
            if code is not None:
                self.stop()                   # whatever of its session outlived it
                raise RuntimeError(f"JupyterHub exited ({code}) at start:\n{self.log_tail()}")
            # up: the Hub answers, and so does its trainer dashboard (a service it starts, on a port of its own):
            # the dashboard itself, not whatever else may listen on that port, sends a stranger to the Hub's login
            health = _get(f"{self.url}/hub/health")
            dash = _get(f"http://127.0.0.1:{self.dashboard_port}/services/h4s-dashboard/", allow_redirects=False)
            if health is not None and health.status_code == 200 and dash is not None and dash.status_code == 302 \
                    and "/hub/api/oauth2/authorize" in dash.headers.get("Location", ""):
                return True
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"JupyterHub did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.proc is None:
            return
        try:      # the Hub's spawned servers and services run in sessions of their own: remember them
            family = psutil.Process(self.proc.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            family = []
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)      # the Hub stops its servers, services and proxy
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)  # anything of this Hub's session that outlived it
        except (ProcessLookupError, PermissionError):
            pass
        for p in family:                              # ... and of the sessions it started
            try:
                p.kill()
            except psutil.NoSuchProcess:
                pass
        self.proc = None

    def log_tail(self, n: int = 60) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # -------------------------------------------------------------------------------------------- API
    def api(self, method: str, path: str, **kw) -> requests.Response:
        return requests.request(method, f"{self.url}/hub/api/{path.lstrip('/')}",
                                headers={"Authorization": f"token {self.token}"}, timeout=30, **kw)

    def user(self, name: str) -> dict | None:
        r = self.api("GET", f"users/{name}")
        return r.json() if r.status_code == 200 else None

    def server(self, name: str) -> dict | None:
        u = self.user(name)
        return (u or {}).get("servers", {}).get("")

    def wait_ready(self, name: str, timeout: float = 90) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            s = self.server(name)
            if s and s.get("ready"):
                return s
            time.sleep(0.25)
        raise RuntimeError(f"the server of {name} was not ready within {timeout:.0f} s:\n{self.log_tail()}")

    def server_pid(self, name: str) -> int | None:
        s = self.server(name)
        pid = (s or {}).get("state", {}).get("pid")
        return int(pid) if pid else None


class Learner:
    """One person at a browser: logs in to the Hub and opens pages through the Hub's proxy."""

    def __init__(self, hub: Hub, name: str):
        self.hub, self.name = hub, name
        self.s = requests.Session()

    def login(self) -> requests.Response:
        """The Hub's login form, as a browser fills it in; starts the learner's server (spawn) on the way."""
        r = self.s.get(f"{self.hub.url}/hub/login", timeout=30)
        r.raise_for_status()
        xsrf = self.s.cookies.get("_xsrf")
        if not xsrf:
            m = re.search(r'name="_xsrf"\s+value="([^"]+)"', r.text)
            xsrf = m.group(1) if m else None
        assert xsrf, "the Hub's login page set no _xsrf cookie"
        r = self.s.post(f"{self.hub.url}/hub/login?next=", data={"username": self.name,
                                                                 "password": self.hub.password, "_xsrf": xsrf},
                        timeout=120)
        return r

    def user_url(self, path: str = "", user: str | None = None) -> str:
        return f"{self.hub.url}/user/{user or self.name}/{path.lstrip('/')}"

    def get(self, path: str = "", user: str | None = None, **kw) -> requests.Response:
        kw.setdefault("timeout", 120)
        return self.s.get(self.user_url(path, user), **kw)

    def cookie_header(self, url: str) -> str:
        req = requests.Request("GET", url)
        prepared = self.s.prepare_request(req)
        return prepared.headers.get("Cookie", "")


# ------------------------------------------------------------------------------------------------ live pages
def live_page(learner: Learner, module: str) -> tuple[str, str, str]:
    """GET a live module through the Hub: (kernel id, model id of its first widget, page HTML)."""
    page = learner.get(f"voila/render/{module}/module.ipynb")
    assert page.status_code == 200, (page.status_code, page.url, page.text[:300])
    cfg = re.search(r'<script id="jupyter-config-data" type="application/json">\s*(.*?)\s*</script>', page.text, re.S)
    assert cfg, "no jupyter-config-data in the live page"
    views = []
    for m in re.finditer(r'<script type="application/vnd.voila.cell-output\+json">\s*(.*?)\s*</script>', page.text,
                         re.S):
        data = json.loads(m.group(1)).get("data", {})
        if "application/vnd.jupyter.widget-view+json" in data:
            views.append(data["application/vnd.jupyter.widget-view+json"]["model_id"])
    assert views, "no widget on the live page"
    return json.loads(cfg.group(1))["kernelId"], views[0], page.text


async def _check(url: str, cookies: str, comm_id: str, qid: str, response, sent_learner: str | None,
                 timeout: float) -> dict:
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect
    conn = await websocket_connect(HTTPRequest(url, headers={"Cookie": cookies}))
    content = {"action": "check", "qid": qid, "response": response}
    if sent_learner is not None:
        content["learner"] = sent_learner
    await conn.write_message(comm_msg(comm_id, {"method": "custom", "content": content}, os.urandom(16).hex()))
    try:
        async for state in widget_states(conn, comm_id, time.monotonic() + timeout):
            st = state.get(qid, {})
            if st.get("result"):
                return st
    finally:
        conn.close()
    raise AssertionError(f"no graded answer to {qid} came back within {timeout:.0f} s")


def answer_live(learner: Learner, module: str, qid: str, response, sent_learner: str | None = None,
                timeout: float = 30) -> dict:
    """Open ``module``'s live page as ``learner`` and answer ``qid`` over the kernel channel (through the Hub's
    proxy, with the learner's cookies; ``sent_learner``: an id to put in the message, which must be ignored).
    Returns the question's widget state after grading, plus ``_kernel`` (the kernel id)."""
    kid, comm_id, _ = live_page(learner, module)
    url = learner.user_url(f"api/kernels/{kid}/channels?session_id={os.urandom(16).hex()}").replace("http", "ws", 1)
    state = _run(_check(url, learner.cookie_header(learner.user_url("")), comm_id, qid, response, sent_learner,
                        timeout))
    state["_kernel"] = kid
    return state


def _run(coro):
    """The coroutine in an event loop of its own thread (the caller may have a loop running)."""
    import threading
    box: dict = {}

    def target():
        try:
            box["value"] = asyncio.run(coro)
        except BaseException as e:
            box["error"] = e
    t = threading.Thread(target=target)
    t.start()
    t.join()
    if "error" in box:
        raise box["error"]
    return box["value"]


def tree_rss(pid: int) -> tuple[int, int]:
    """(bytes of RSS, processes) of a process and all its descendants."""
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0, 0
    total = 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total, len(procs)
