"""Sustained load: how many learners `h4s serve` grades at p95 <= 200 ms, records on SQLite and on PostgreSQL.

Run by hand (not part of the test suite)::

    .venv/bin/python bench/sustained_load.py
    .venv/bin/python bench/sustained_load.py --interval 20 --window 40 --start 2000 --connections 100 --limit-ms 200

Each learner is its own cookie (its own learner id); it sends one answer every ``--interval`` seconds (20 s),
over a pool of ``--connections`` kept-alive HTTP/1.1 connections (as a reverse proxy in front of the server
keeps them; the time waiting for a free connection counts), to the quiz API's check endpoint
(``POST /api/quiz/check``) of a running ``h4s serve`` (a book of one mini module from tests/fixtures, no
preheated kernel), each learner at its own phase in the interval.  Every answer is graded and stored as a
record (and the module's closing-quiz result updated) before the answer comes back.

Two servers run side by side, one per backend, each on a fresh store (SQLite: a new ``$H4S_DATA_DIR``;
PostgreSQL: a new database on a throwaway cluster of ``tests/_postgres.py``, on this machine), and the steps
alternate between them (only one is loaded at a time), so that other work on the machine falls on both
alike.  For each, the number of learners doubles from ``--start`` while the p95 of the answers' round-trip
times over a ``--window`` stays at or under ``--limit-ms`` with no failed answer, then is bisected (to within
10 %) between the last passing and the first failing number.  Each step starts new learners; its window
starts once every one of them has sent a first answer.

Prints, per step, the number of learners, answers per second, median / p95 / max round trip and failures,
then the largest passing number for each backend and the ratio PostgreSQL / SQLite, with the machine's
load average before and during the run (other work on the machine takes CPU from both alike).
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
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
    lines: list[str] = []
    try:
        build(root=proj, echo=lines.append)
    except Exception:
        print("\n".join(lines), file=sys.stderr)
        raise
    return proj


def server_options(env: dict) -> tuple[str, ...]:
    """The options of `h4s serve` for this benchmark that this version of h4s has."""
    helptext = subprocess.run([sys.executable, "-m", "h4s_kit.cli", "serve", "--help"], env=env,
                              capture_output=True, text=True).stdout
    extra: list[str] = []
    if "--pool-size" in helptext:
        extra += ["--pool-size", "0"]   # no preheated kernel: the check endpoint needs none
    if "--server-grading" in helptext:
        extra += ["--server-grading", "on"]
    return tuple(extra)


# ---------------------------------------------------------------- the learners
class Conn:
    """One kept-alive HTTP/1.1 connection to the server."""

    def __init__(self, port: int):
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, data: bytes) -> tuple[int, list[tuple[str, str]]]:
        for attempt in (1, 2):
            try:
                if self.writer is None:
                    self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
                self.writer.write(data)
                await self.writer.drain()
                status, headers = await self._response()
                if ("connection", "close") in [(k, v.lower()) for k, v in headers]:
                    self.close()
                return status, headers
            except (OSError, asyncio.IncompleteReadError, ValueError):
                self.close()
                if attempt == 2:
                    return 0, []
        return 0, []

    async def _response(self) -> tuple[int, list[tuple[str, str]]]:
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
            await self.reader.readexactly(int(hd["content-length"]))
        elif hd.get("transfer-encoding", "").lower() == "chunked":
            while True:
                n = int((await self.reader.readline()).split(b";")[0], 16)
                await self.reader.readexactly(n + 2)
                if n == 0:
                    break
        else:
            await self.reader.read()
            self.close()
        return status, headers

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


class Learner:
    """One learner: the h4s_learner cookie the server gave it; its answers go over the shared connections."""

    def __init__(self, port: int, pool: asyncio.Queue):
        self.port = port
        self.pool = pool
        self.cookie = ""

    async def check(self, answer: str) -> tuple[float, int]:
        body = json.dumps({"module": MODULE, "qid": QUESTION, "response": answer}).encode()
        head = (f"POST /api/quiz/check HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
                + (f"Cookie: {self.cookie}\r\n" if self.cookie else "") + "\r\n").encode()
        t0 = time.perf_counter()
        conn = await self.pool.get()          # waiting for a free connection counts: a proxy queues too
        try:
            status, headers = await conn.request(head + body)
        finally:
            self.pool.put_nowait(conn)
        dt = time.perf_counter() - t0
        for k, v in headers:
            if k == "set-cookie" and v.startswith("h4s_learner="):
                self.cookie = v.split(";", 1)[0]
        return dt, status


async def run_learner(me: Learner, phase: float, interval: float, t_start: float, stop: asyncio.Event,
                      samples: list[tuple[float, float, int]]) -> None:
    k = 0
    while not stop.is_set():
        delay = t_start + phase + k * interval - time.monotonic()
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


async def step(port: int, n: int, interval: float, window: float, limit_s: float, connections: int
               ) -> tuple[bool, str]:
    """``n`` new learners for one interval (each answers once), then ``window`` seconds measured."""
    pool: asyncio.Queue = asyncio.Queue()
    for _ in range(connections):
        pool.put_nowait(Conn(port))
    samples: list[tuple[float, float, int]] = []
    stop = asyncio.Event()
    t_start = time.monotonic()
    learners = [asyncio.ensure_future(run_learner(Learner(port, pool), random.uniform(0, interval), interval,
                                                  t_start, stop, samples)) for _ in range(n)]
    try:
        await asyncio.sleep(interval)        # every learner has now sent its first answer (and has its cookie)
        t0 = time.monotonic()
        await asyncio.sleep(window)
    finally:
        stop.set()
        await asyncio.gather(*learners, return_exceptions=True)
        while not pool.empty():
            pool.get_nowait().close()
    got = [(dt, st) for (t, dt, st) in samples if t0 <= t < t0 + window]
    times = [dt for dt, st in got if st == 200]
    bad = sum(1 for _, st in got if st != 200)
    ok = bool(times) and not bad and pct(times, 0.95) <= limit_s
    if not times:
        return False, f"{n:6d} learners: no answer came back ({bad} failed)"
    return ok, (f"{n:6d} learners: {len(got) / window:6.1f} answers/s, median {pct(times, 0.5) * 1000:7.1f} ms, "
                f"p95 {pct(times, 0.95) * 1000:7.1f} ms, max {max(times) * 1000:7.1f} ms, failed {bad}, "
                f"load {os.getloadavg()[0]:4.1f}  {'ok' if ok else 'over'}")


async def alternate(ports: dict[str, int], a, log) -> dict[str, int]:
    """One step on each backend in turn (the other server idles meanwhile) until both plans are done."""
    plans = {b: doubling_then_bisect(a.start, a.max) for b in ports}
    nxt = {b: plans[b].send(None) for b in ports}
    best = {b: 0 for b in ports}
    while any(nxt.values()):
        for b, port in ports.items():
            n = nxt[b]
            if not n:
                continue
            ok, line = await step(port, n, a.interval, a.window, a.limit_ms / 1000, a.connections)
            log(f"  {b:10s} {line}")
            if ok:
                best[b] = max(best[b], n)
            try:
                nxt[b] = plans[b].send(ok)
            except StopIteration:
                nxt[b] = 0
            await asyncio.sleep(a.interval if not ok else 2)   # after an overload, let the server drain
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
    p.add_argument("--start", type=int, default=2000, help="learners in the first step")
    p.add_argument("--max", type=int, default=51200, help="stop doubling here")
    p.add_argument("--limit-ms", type=float, default=200.0)
    p.add_argument("--connections", type=int, default=100,
                   help="kept-alive connections the learners' answers share (a reverse proxy's upstream pool)")
    p.add_argument("--backends", default="sqlite,postgresql")
    a = p.parse_args(argv)

    def log(s: str) -> None:
        print(s, flush=True)

    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, max(soft, a.connections * 2 + 1000))
    if want > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))

    work = Path(tempfile.mkdtemp(prefix="h4s-bench-load-"))
    load_before = os.getloadavg()
    log(f"machine: {machine()}; load average before: {load_before[0]:.1f} {load_before[1]:.1f} "
        f"{load_before[2]:.1f}")
    log(f"one answer per learner every {a.interval:g} s over {a.connections} kept-alive connections; window "
        f"{a.window:g} s per step; limit p95 <= {a.limit_ms:g} ms, no failure")
    from _serve import h4s_serve
    cluster = None
    ports: dict[str, int] = {}
    servers = contextlib.ExitStack()
    try:
        proj = make_book(work)
        for backend in a.backends.split(","):
            env = dict(os.environ, PYTHONPATH=str(ROOT), H4S_DATA_DIR=str(work / f"data-{backend}"))
            for k in ("H4S_DATABASE_URL", "H4S_LRS_URL", "H4S_RECORDS", "JUPYTERHUB_USER"):
                env.pop(k, None)
            if backend == "postgresql":
                from _postgres import Cluster
                cluster = Cluster(tempfile.mkdtemp(prefix="h4s-bench-pg-")).start()
                env["H4S_DATABASE_URL"] = cluster.create_database("h4s_bench")
                import psycopg
                with psycopg.connect(env["H4S_DATABASE_URL"]) as c:
                    ver = c.execute("SHOW server_version").fetchone()[0]
                log(f"{backend}: PostgreSQL {ver} on 127.0.0.1 (this machine; fsync off, as a test cluster)")
            else:
                import sqlite3
                log(f"{backend}: SQLite {sqlite3.sqlite_version}, $H4S_DATA_DIR/records.sqlite (WAL)")
            # h4s serve on a free port (tests/_serve.py), its output in a file: no thread here reads it
            ports[backend] = servers.enter_context(h4s_serve(proj, env, server_options(env),
                                                             log=work / f"serve-{backend}.log")).port
        results = asyncio.run(alternate(ports, a, log))
    finally:
        servers.close()
        if cluster is not None:
            cluster.stop()
        shutil.rmtree(work, ignore_errors=True)
    for b, n in results.items():
        log(f"{b}: {n} learners at p95 <= {a.limit_ms:g} ms")
    la = os.getloadavg()
    log(f"load average after: {la[0]:.1f} {la[1]:.1f} {la[2]:.1f}")
    if "sqlite" in results and "postgresql" in results and results["sqlite"]:
        log(f"learners graded at p95 <= {a.limit_ms:g} ms: SQLite {results['sqlite']}, PostgreSQL "
            f"{results['postgresql']} (PostgreSQL / SQLite {results['postgresql'] / results['sqlite']:.2f} x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
