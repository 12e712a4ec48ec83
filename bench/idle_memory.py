"""bench idle_memory: RSS of an idle `h4s serve` with the course's 15 modules (the whole process tree), and
the memory a live learner costs, against the `h4s serve` of an earlier commit in the same run.

    .venv/bin/python bench/idle_memory.py [--peer COMMIT] [--no-build] [--samples 10] [--learners 3]

Made in bench/_work/idle (gitignored): the book of the repository's modules/ (``h4s build --out``) and,
for the peer, the source tree of COMMIT (``git archive``; default fc7124d, the last commit before
`h4s serve` became one jupyter_server process; it preheats one Voilà kernel per module).  Both are
started the same way (``h4s serve --no-build``, records in a private data folder), one after the other.

Measured for each, once the server answers and its process tree has been quiet (CPU < 5 %) for a moment:

* idle: RSS and USS summed over the process tree (psutil, children included), median of ``--samples``
  samples one second apart, and the number of processes;
* live learners: ``--learners`` learners (each its own cookie) open a different module's live page and
  keep its kernel channel open (as an open browser tab does); the tree again, once quiet; memory per
  live learner = (with learners - idle) / learners.
"""
from __future__ import annotations

import argparse
import asyncio
import http.cookiejar
import os
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path

import psutil

from _util import ROOT, cpu_percent, machine

WORK = ROOT / "bench" / "_work" / "idle"
PEER = "fc7124d"
MODULES = sorted(p.name for p in (ROOT / "modules").iterdir() if (p / "module.ipynb").is_file())


def free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tree(pid: int) -> list[psutil.Process]:
    try:
        p = psutil.Process(pid)
        return [p] + p.children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def tree_memory(pid: int) -> tuple[float, float, int]:
    """(RSS MB, USS MB, processes) of the process tree of ``pid``."""
    rss = uss = 0.0
    procs = tree(pid)
    for p in procs:
        try:
            m = p.memory_full_info()
            rss, uss = rss + m.rss / 2**20, uss + m.uss / 2**20
        except psutil.Error:
            pass
    return rss, uss, len(procs)


def quiet(pid: int, limit: float = 240, threshold: float = 5.0, hold: float = 3.0) -> None:
    """Wait until the tree used < threshold % CPU for ``hold`` seconds in a row (at most ``limit`` s)."""
    t0, calm = time.monotonic(), 0.0
    while time.monotonic() - t0 < limit and calm < hold:
        calm = calm + 0.5 if cpu_percent(tree(pid), 0.5) < threshold else 0.0


def sample(pid: int, n: int) -> dict:
    rows = []
    for _ in range(n):
        rows.append(tree_memory(pid))
        time.sleep(1)
    return {"rss": statistics.median(r[0] for r in rows), "uss": statistics.median(r[1] for r in rows),
            "processes": max(r[2] for r in rows)}


class Learner:
    """A browser tab with a live page open: its cookie, its page, its kernel channel kept open."""

    def __init__(self, base: str, module: str, live_prefix: str):
        self.base, self.module = base, module
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        with self.opener.open(f"{base}{live_prefix}voila/render/{module}/module.ipynb", timeout=600) as r:
            html = r.read().decode("utf-8", "replace")
        m = re.search(r'"kernelId":\s*"([0-9a-f-]+)"', html)
        assert m, f"no kernel id in the live page of {module}"
        self.kernel = m.group(1)
        self.cookie = "; ".join(f"{c.name}={c.value}" for h in self.opener.handlers
                                if isinstance(h, urllib.request.HTTPCookieProcessor) for c in h.cookiejar)
        self._stop = threading.Event()
        self._open = threading.Event()
        self.thread = threading.Thread(target=self._hold, args=(live_prefix,), daemon=True)
        self.thread.start()
        assert self._open.wait(60), f"the kernel channel of {module} did not open"

    def _hold(self, live_prefix: str) -> None:
        from tornado.httpclient import HTTPRequest
        from tornado.websocket import websocket_connect

        async def run():
            url = (self.base.replace("http://", "ws://") + f"{live_prefix}api/kernels/{self.kernel}/channels"
                   f"?session_id={uuid.uuid4()}")
            conn = await websocket_connect(HTTPRequest(url, headers={"Cookie": self.cookie}))
            self._open.set()
            while not self._stop.is_set():
                await asyncio.sleep(0.2)
            conn.close()

        asyncio.run(run())

    def close(self) -> None:
        self._stop.set()
        self.thread.join(10)


def measure(name: str, argv: list[str], cwd: Path, env: dict, samples: int, learners: int) -> dict:
    port = free_port()
    log = open(WORK / f"{name}.log", "wb")
    proc = subprocess.Popen(argv + ["--port", str(port)], cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        t0 = time.monotonic()
        while True:
            assert proc.poll() is None, f"{name} exited; see {WORK / (name + '.log')}"
            try:
                with urllib.request.urlopen(base + "/", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.3)
            assert time.monotonic() - t0 < 300, f"{name} did not answer"
        quiet(proc.pid)
        ready = time.monotonic() - t0
        idle = sample(proc.pid, samples)
        kernels_idle = sum(1 for p in tree(proc.pid) if "ipykernel" in " ".join(p.cmdline()))
        tabs = [Learner(base, MODULES[i % len(MODULES)], "/live/") for i in range(learners)]
        quiet(proc.pid)
        busy = sample(proc.pid, samples)
        for t in tabs:
            t.close()
        return {"name": name, "ready_s": ready, "idle": idle, "kernels_idle": kernels_idle, "busy": busy,
                "per_learner": (busy["rss"] - idle["rss"]) / learners, "learners": learners}
    finally:
        os.killpg(proc.pid, 2)           # Ctrl-C: each server stops its kernels
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait(10)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--peer", default=PEER, help="the commit whose h4s serve is the peer ('' to leave it out)")
    ap.add_argument("--no-build", action="store_true", help="reuse bench/_work/idle/_build as it is")
    ap.add_argument("--samples", type=int, default=10)
    ap.add_argument("--learners", type=int, default=3)
    a = ap.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    out = WORK / "_build"
    h4s = [sys.executable, "-m", "h4s_kit.cli"]
    if not a.no_build:
        subprocess.run(h4s + ["build", "--out", str(out)], cwd=ROOT, check=True)
    env = dict(os.environ, H4S_DATA_DIR=str(WORK / "data"), PYTHONUNBUFFERED="1")
    env.pop("H4S_TRAINER_TOKEN", None)
    serve = ["serve", "--no-build", "--out", str(out)]
    results = [measure("h4s", h4s + serve, ROOT, env, a.samples, a.learners)]
    if a.peer:
        src = WORK / f"peer-{a.peer}"
        if not src.exists():
            archive = subprocess.run(["git", "archive", "--format=tar", a.peer], cwd=ROOT, check=True,
                                     capture_output=True).stdout
            src.mkdir(parents=True)
            tmp = WORK / "peer.tar"
            tmp.write_bytes(archive)
            with tarfile.open(tmp) as tf:
                tf.extractall(src, filter="data")
            tmp.unlink()
            shutil.rmtree(src / "modules")
        (src / "modules").unlink(missing_ok=True)
        (src / "modules").symlink_to(ROOT / "modules")
        (src / "node_modules").unlink(missing_ok=True)
        (src / "node_modules").symlink_to(ROOT / "node_modules")
        peer_env = dict(env, PYTHONPATH=str(src))
        results.append(measure(f"peer-{a.peer}", h4s + serve + ["--modules", str(ROOT / "modules")], src, peer_env,
                               a.samples, a.learners))
    print(f"\nmachine: {machine()}; {len(MODULES)} modules; samples {a.samples} (median), learners {a.learners}")
    for r in results:
        i, b = r["idle"], r["busy"]
        print(f"{r['name']}: idle tree RSS {i['rss']:.0f} MB (USS {i['uss']:.0f} MB), {i['processes']} processes, "
              f"{r['kernels_idle']} kernels; ready after {r['ready_s']:.1f} s")
        print(f"{r['name']}: with {r['learners']} live learners RSS {b['rss']:.0f} MB (USS {b['uss']:.0f} MB), "
              f"{b['processes']} processes: {r['per_learner']:.0f} MB RSS per live learner")
    if len(results) == 2:
        print(f"ratio idle RSS h4s/peer: {results[0]['idle']['rss'] / results[1]['idle']['rss']:.3f}")


if __name__ == "__main__":
    main()
