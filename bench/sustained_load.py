"""Sustained load: how many learners `h4s serve` grades at p95 <= 200 ms, records on SQLite and on PostgreSQL.

Run by hand (not part of the test suite)::

    .venv/bin/python bench/sustained_load.py
    .venv/bin/python bench/sustained_load.py --interval 20 --window 40 --start 200 --limit-ms 200

Each learner is its own cookie (its own learner id) and keeps one HTTP/1.1 connection, as a browser does;
it sends one answer every ``--interval`` seconds (20 s) to the quiz API's check endpoint
(``POST /api/quiz/check``) of a running ``h4s serve`` (a book of one mini module from tests/fixtures, no
preheated kernel), each learner at its own phase in the interval.  Every answer is graded and stored as a
record (and the module's closing-quiz result updated) before the answer comes back.

For each backend in turn, in the same run, on a fresh store (SQLite: a new ``$H4S_DATA_DIR``;
PostgreSQL: a new database on a throwaway cluster of ``tests/_postgres.py``, on this machine), the number
of learners doubles from ``--start`` while the p95 of the answers' round-trip times over a ``--window`` stays
at or under ``--limit-ms`` with no failed answer, then is bisected (to within 10 %) between the last
passing and the first failing number.  Learners from one step go on into the next, each step's window
starts once the new learners have sent their first answer.

Prints, per step, the number of learners, answers per second, median / p95 / max round trip and failures,
then the largest passing number for each backend and the ratio PostgreSQL / SQLite, with the machine's
load average before and during the run (other work on the machine takes CPU from both alike).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
from _util import machine  # noqa: E402  (bench/ is on sys.path when run as a script)

MODULE = "01-hello-oer"
QUESTION = "oer-meaning"


# ------------------------------------------------------------------ the server
def make_book(work: Path) -> Path:
    """A book project with one mini module, built once (both servers serve the same build)."""
    from h4s_kit.build import build
    proj = work / "proj"
    proj.mkdir(parents=True)
    shutil.copy2(ROOT / "_config.yml", proj / "_config.yml")
    shutil.copytree(ROOT / "book", proj / "book")
    shutil.copytree(ROOT / "tests" / "fixtures" / "mini-modules" / MODULE, proj / "modules" / MODULE)
    build(root=proj, echo=lambda s: None)
    return proj


def start_server(proj: Path, env: dict, port: int, log: Path) -> subprocess.Popen:
    helptext = subprocess.run([sys.executable, "-m", "h4s_kit.cli", "serve", "--help"], env=env,
                              capture_output=True, text=True).stdout
    argv = [sys.executable, "-m", "h4s_kit.cli", "serve", "--no-build", "--port", str(port)]
    if "--pool-size" in helptext:
        argv += ["--pool-size", "0"]   # no preheated kernel: the check endpoint needs none
    if "--server-grading" in helptext:
        argv += ["--server-grading", "on"]
    proc = subprocess.Popen(argv, cwd=proj, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
                            start_new_session=True)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"h4s serve exited; see {log}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as r:
                if r.status == 200:
                    return proc
        except OSError:
            pass
        time.sleep(0.3)
    stop_server(proc)
    raise RuntimeError(f"h4s serve did not answer in 180 s; see {log}")


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


# ---------------------------------------------------------------- the learners
class Learner:
    """One browser: a kept-alive HTTP/1.1 connection and the h4s_learner cookie the server gave it."""

    def __init__(self, port: int):
        self.port = port
        self.cookie = ""
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def _connect(self) -> None:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)

    async def check(self, answer: str) -> tuple[float, int]:
        body = json.dumps({"module": MODULE, "qid": QUESTION, "response": answer}).encode()
        head = (f"POST /api/quiz/check HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
                + (f"Cookie: {self.cookie}\r\n" if self.cookie else "") + "\r\n").encode()
        for attempt in (1, 2):
            t0 = time.perf_counter()
            try:
                if self.writer is None:
                    await self._connect()
                self.writer.write(head + body)
                await self.writer.drain()
                status, headers, _ = await self._response()
                break
            except (OSError, asyncio.IncompleteReadError, ValueError):
                self.close()
                if attempt == 2:
                    return time.perf_counter() - t0, 0
        dt = time.perf_counter() - t0
        for k, v in headers:
            if k == "set-cookie" and v.startswith("h4s_learner="):
                self.cookie = v.split(";", 1)[0]
            if k == "connection" and v.lower() == "close":
                self.close()
        return dt, status

    async def _response(self) -> tuple[int, list[tuple[str, str]], bytes]:
        line = await self.reader.readline()
        if not line:
            raise ValueError("connection closed")
        status = int(line.split()[1])
        headers = []
        while True:
            h = await self.reader.readline()
            if h in (b"\r\n", b"\n", b""):
                break
            k, _, v = h.decode("latin-1").partition(":")
            headers.append((k.strip().lower(), v.strip()))
        hd = dict(headers)
        if "content-length" in hd:
            body = await self.reader.readexactly(int(hd["content-length"]))
        elif hd.get("transfer-encoding", "").lower() == "chunked":
            body = b""
            while True:
                n = int((await self.reader.readline()).split(b";")[0], 16)
                body += await self.reader.readexactly(n + 2)
                if n == 0:
                    break
        else:
            body = await self.reader.read()
            self.close()
        return status, headers, body

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def run_learner(me: Learner, phase: float, interval: float, t_start: float, stop: asyncio.Event,
                      samples: list[tuple[float, float, int]]) -> None:
    k = 0
    while not stop.is_set():
        t_next = t_start + phase + k * interval
        delay = t_next - time.monotonic()
        if delay > 0:
            try:
                await asyncio.wait_for(stop.wait(), delay)
                return
            except asyncio.TimeoutError:
                pass
        sent = time.monotonic()
        dt, status = await me.check(random.choice("ab"))
        samples.append((sent, dt, status))
        k += 1


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, int(round(p * len(xs) + 0.5)) - 1))]


async def measure(port: int, plan, interval: float, window: float, limit_s: float, log) -> int:
    """Run the learner numbers that ``plan`` asks for; return the largest that passed."""
    learners: list[asyncio.Task] = []
    samples: list[tuple[float, float, int]] = []
    stop = asyncio.Event()
    best, n = 0, plan.send(None)
    try:
        while n:
            t_add = time.monotonic()
            while len(learners) < n:            # new learners start within the next interval
                me = Learner(port)
                learners.append(asyncio.ensure_future(run_learner(me, random.uniform(0, interval), interval,
                                                                  t_add, stop, samples)))
            await asyncio.sleep(interval)        # every learner has now sent at least once
            t0 = time.monotonic()
            await asyncio.sleep(window)
            got = [(dt, st) for (t, dt, st) in samples if t0 <= t < t0 + window]
            times = [dt for dt, st in got if st == 200]
            bad = sum(1 for _, st in got if st != 200)
            ok = bool(times) and not bad and pct(times, 0.95) <= limit_s
            log(f"  {n:5d} learners: {len(got) / window:6.1f} answers/s, median {pct(times, 0.5) * 1000:7.1f} ms, "
                f"p95 {pct(times, 0.95) * 1000:7.1f} ms, max {max(times) * 1000:7.1f} ms, failed {bad}, "
                f"load {os.getloadavg()[0]:.1f}  {'ok' if ok else 'over'}" if times else
                f"  {n:5d} learners: no answer came back ({bad} failed)")
            if ok:
                best = max(best, n)
            try:
                n = plan.send(ok)
            except StopIteration:
                n = 0
            if not ok and n and n < len(learners):   # a smaller number after a failure: start afresh
                stop.set()
                await asyncio.gather(*learners, return_exceptions=True)
                learners, stop = [], asyncio.Event()
                await asyncio.sleep(interval)        # let the server drain
    finally:
        stop.set()
        await asyncio.gather(*learners, return_exceptions=True)
    return best


def doubling_then_bisect(start: int, maximum: int):
    """A generator: sends learner numbers, receives pass/fail; doubles until a failure, then bisects to 10 %."""
    lo, hi, n = 0, None, start
    while True:
        ok = yield n
        if ok:
            lo = n
        else:
            hi = n
        if hi is None:
            if n * 2 > maximum:
                return
            n *= 2
        else:
            if hi - lo <= max(1, lo // 10):
                return
            n = (lo + hi) // 2


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--interval", type=float, default=20.0, help="seconds between two answers of one learner")
    p.add_argument("--window", type=float, default=40.0, help="seconds measured per step")
    p.add_argument("--start", type=int, default=200, help="learners in the first step")
    p.add_argument("--max", type=int, default=9600, help="stop doubling here (each learner holds a connection)")
    p.add_argument("--limit-ms", type=float, default=200.0)
    p.add_argument("--backends", default="sqlite,postgresql")
    a = p.parse_args(argv)

    def log(s: str) -> None:
        print(s, flush=True)

    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, max(soft, a.max * 2 + 1000))   # a connection per learner, on both ends (server inherits it)
    if want > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))

    work = Path(tempfile.mkdtemp(prefix="h4s-bench-load-"))
    load_before = os.getloadavg()
    log(f"machine: {machine()}; load average before: {load_before[0]:.1f} {load_before[1]:.1f} "
        f"{load_before[2]:.1f}")
    log(f"one answer per learner every {a.interval:g} s; window {a.window:g} s per step; limit p95 <= "
        f"{a.limit_ms:g} ms, no failure")
    proj = make_book(work)
    from _browser import free_port
    results: dict[str, int] = {}
    cluster = None
    try:
        for backend in a.backends.split(","):
            env = dict(os.environ, PYTHONPATH=str(ROOT), H4S_DATA_DIR=str(work / f"data-{backend}"))
            for k in ("H4S_DATABASE_URL", "H4S_LRS_URL", "H4S_RECORDS", "JUPYTERHUB_USER"):
                env.pop(k, None)
            if backend == "postgresql":
                from _postgres import Cluster
                cluster = Cluster(tempfile.mkdtemp(prefix="h4s-bench-pg-")).start()
                env["H4S_DATABASE_URL"] = cluster.create_database("h4s_bench")
                import psycopg
                ver = psycopg.connect(env["H4S_DATABASE_URL"]).execute("SHOW server_version").fetchone()[0]
                log(f"{backend}: PostgreSQL {ver} on 127.0.0.1 (this machine; fsync off, as a test cluster)")
            else:
                import sqlite3
                log(f"{backend}: SQLite {sqlite3.sqlite_version}, $H4S_DATA_DIR/records.sqlite (WAL)")
            port = free_port()
            proc = start_server(proj, env, port, work / f"serve-{backend}.log")
            try:
                results[backend] = asyncio.run(measure(port, doubling_then_bisect(a.start, a.max), a.interval,
                                                       a.window, a.limit_ms / 1000, log))
            finally:
                stop_server(proc)
                if cluster is not None:
                    cluster.stop()
                    cluster = None
            log(f"{backend}: {results[backend]} learners at p95 <= {a.limit_ms:g} ms")
    finally:
        if cluster is not None:
            cluster.stop()
        shutil.rmtree(work, ignore_errors=True)
    la = os.getloadavg()
    log(f"load average after: {la[0]:.1f} {la[1]:.1f} {la[2]:.1f}")
    if "sqlite" in results and "postgresql" in results and results["sqlite"]:
        log(f"learners graded at p95 <= {a.limit_ms:g} ms: SQLite {results['sqlite']}, PostgreSQL "
            f"{results['postgresql']} (PostgreSQL / SQLite {results['postgresql'] / results['sqlite']:.2f} x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
