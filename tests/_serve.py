"""`h4s serve` in a subprocess of its own, for a test that talks to it over HTTP.

A test helper, not part of the h4s package.  :func:`h4s_serve` starts ``h4s serve --no-build`` in a project on a
free port of 127.0.0.1 (again by the rule of :func:`_ports.start_retrying` when another process took the port
before the server bound it), waits until its home page answers 200, yields it, and always stops it when the block
ends, also when the test fails: SIGINT (as Ctrl-C), its whole process group killed when it has not ended after
60 s, and anything of that group that outlived it killed too: nothing it started is left running.  How the server ended (``proc.returncode``) is for the test to
check after the block.
"""
from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from _ports import free_port, port_taken, start_retrying


@dataclass
class Served:
    """A running ``h4s serve``: its process, its port and what it printed (stdout and stderr) so far: the lines in
    :attr:`out`, or the file :attr:`log` when it was started with one."""
    proc: subprocess.Popen
    port: int
    out: list[str] = field(default_factory=list)
    log: Path | None = None
    reader: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def output(self) -> str:
        if self.log is not None:
            return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""
        return "".join(self.out)


@contextlib.contextmanager
def h4s_serve(proj: Path, env: dict, extra: tuple[str, ...] = (), timeout: float = 180,
              log: Path | None = None) -> Iterator[Served]:
    """``h4s serve --no-build --port PORT *extra`` in ``proj`` with the environment ``env``, answering on
    :attr:`Served.url` (its home page within ``timeout`` seconds, else AssertionError with what it printed).
    What it prints is kept in memory, or written to ``log`` (no thread of this process reads it: for benchmarks)."""
    runs: list[Served] = []

    def once(port: int) -> bool:
        served = _start(proj, env, port, extra, log)
        runs.append(served)
        if _wait_ready(served, timeout):
            return True
        if served.reader is not None:
            served.reader.join(10)       # all it printed before it ended
        if port_taken(served.output()):
            return False
        raise AssertionError("h4s serve exited:\n" + served.output())

    try:
        start_retrying(once, free_port(), may_move=True, failure="h4s serve could not bind a port in 5 tries")
        yield runs[-1]
    finally:
        for served in runs:
            _stop(served.proc)


def _start(proj: Path, env: dict, port: int, extra: tuple[str, ...], log: Path | None) -> Served:
    argv = [sys.executable, "-m", "h4s_kit.cli", "serve", "--no-build", "--port", str(port), *extra]
    if log is not None:
        with open(log, "w", encoding="utf-8") as fh:
            proc = subprocess.Popen(argv, cwd=proj, env=env, stdout=fh, stderr=subprocess.STDOUT,
                                    start_new_session=True)
        return Served(proc, port, log=log)
    proc = subprocess.Popen(argv, cwd=proj, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    served = Served(proc, port)
    served.reader = threading.Thread(target=lambda: served.out.extend(iter(proc.stdout.readline, "")), daemon=True)
    served.reader.start()
    return served


def _wait_ready(served: Served, timeout: float) -> bool:
    """True when the home page answers 200; False when the server ended first."""
    deadline = time.monotonic() + timeout
    while True:
        if served.proc.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(served.url, timeout=5) as r:
                if r.status == 200:
                    return True
        except (OSError, urllib.error.HTTPError):
            pass
        if time.monotonic() >= deadline:
            raise AssertionError(f"h4s serve did not answer in {timeout:.0f} s:\n" + served.output())
        time.sleep(0.3)


def _stop(proc: subprocess.Popen) -> None:
    """SIGINT, up to 60 s for the server to end, then SIGKILL; and whatever of its process group outlived it."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
