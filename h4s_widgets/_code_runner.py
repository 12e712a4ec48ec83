"""Grade a learner's code against the hidden tests: two sandboxed processes, the verdict outside the learner's.

Learner code fully controls its own process (memory, pipes, ``os._exit``, what it prints), so
anything that process says about the tests could be forged.  Hence:

* the **learner process** (:mod:`h4s_widgets._harness` ``learner``) runs the setup and the learner's
  code and then only answers questions about its namespace.  It never receives the tests, so there
  is nothing in it to read (no token, no expected values, no test code);
* the **judge process** (``judge``) runs the setup and each hidden test, unchanged.  Before a test
  runs, every name the test reads that the learner defined is fetched from the learner process as a
  plain value (``None``/``bool``/``int``/``float``/``str``/``list``/``tuple``/``dict``/``set``, types
  kept, rebuilt in the judge) or, for other objects (the learner's functions, a matplotlib ``Axes``),
  as a stand-in whose calls, attributes, iteration, ``len`` ... are asked of the learner process and
  answered with plain values or further stand-ins.  Stand-ins cannot be compared (``==`` on one is a
  ``TypeError``): comparisons happen on plain values in the judge.  So the assertion is evaluated by
  code the learner never ran in, and a learner can pass only by giving values that pass the test:
  the answer.  Test helpers and modules come from the judge's own setup run.
* this process relays the two, one JSON line each way, at most ``MAX_LINE`` bytes per line and
  ``MAX_FROM_LEARNER`` in all (then the learner is killed), and ends both at the time limit.

Both processes run in the OS sandbox of :mod:`h4s_widgets._sandbox` (bubblewrap: no network, a
private read-only filesystem, uid 65534, rlimits, a clean environment); where it is unavailable they
run as plain children with the same limits (authoring on one's own machine), or code is refused.
The learner process also refuses new processes and signals with an audit hook: cheap defence in depth,
and the only barrier where there is no sandbox.
The verdict, the test rows and their messages come from the judge; the learner's printed output
(capped inside the learner process) is shown as it is.

Why not record in the learner's process and replay outside?  A recording made where the learner's code
runs is the learner's to write, and the tests would have to be sent there (expected values included);
asking live keeps the tests out of the learner's reach and needs no replay of call sequences.

Limits: a stand-in is not an instance of the learner's class in the judge (``isinstance(p, Point)``
fails, a learner object passed into numpy by a test does not work); values go by copy, so ``is``
between a test's object and a learner's result does not hold; a learner's function that keeps state
keeps it across tests, as in one Python session.  The banks' tests check plain values and work.
"""
from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from ._grading import Result, round_score
from ._sandbox import (HARNESS_IN_SANDBOX, Limits, clean_env, limits_preexec, sandbox_command, seccomp_fd,
                       use_sandbox, use_seccomp)

HARNESS = Path(__file__).with_name("_harness.py")
MAX_LINE = 4 << 20
MAX_FROM_LEARNER = 16 << 20
DEFAULT_MEMORY_MB = 512
_STATUSES = ("ok", "setup_error", "syntax_error", "learner_error")


class _Lines(threading.Thread):
    """Reads one process's stdout line by line into a queue, at most MAX_LINE per line and ``budget`` in all."""

    def __init__(self, fh, budget: int):
        super().__init__(daemon=True)
        self.fh, self.budget, self.q = fh, budget, queue.Queue()

    def run(self):
        try:
            while True:
                line = self.fh.readline(MAX_LINE + 1)
                if not line:
                    self.q.put(("eof", None))
                    return
                self.budget -= len(line)
                if not line.endswith(b"\n") or self.budget < 0:
                    self.q.put(("toolong", None))
                    return
                self.q.put(("line", line))
        except (OSError, ValueError):
            self.q.put(("eof", None))


def _start(role: str, sandboxed: bool, lim: Limits, cwd: str) -> subprocess.Popen:
    fd = seccomp_fd() if sandboxed and use_seccomp() else None
    try:
        if sandboxed:
            argv = sandbox_command([sys.executable, "-I", "-S", HARNESS_IN_SANDBOX, role], HARNESS, seccomp=fd)
        else:
            argv = [sys.executable, "-I", "-S", str(HARNESS), role]
        kw = {"preexec_fn": limits_preexec(lim), "start_new_session": True} if os.name == "posix" else {}
        if fd is not None:
            kw["pass_fds"] = (fd,)
        return subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                env=clean_env(sandboxed), cwd=cwd, **kw)
    finally:
        if fd is not None:
            os.close(fd)


def _kill(p: subprocess.Popen) -> None:
    try:
        if os.name == "posix":
            os.killpg(p.pid, 9)
        else:
            p.kill()
    except (OSError, ProcessLookupError):
        pass


class _Writer(threading.Thread):
    """Writes to one process's stdin off the relay loop (a stuck process must not block it past the deadline)."""

    def __init__(self, p: subprocess.Popen):
        super().__init__(daemon=True)
        self.p, self.q, self.broken = p, queue.Queue(), False

    def send(self, data: bytes) -> bool:
        if self.broken or self.p.poll() is not None:
            return False
        self.q.put(data)
        return True

    def run(self):
        while True:
            data = self.q.get()
            if data is None:
                return
            try:
                self.p.stdin.write(data)
                self.p.stdin.flush()
            except (OSError, ValueError):
                self.broken = True
                return


def run_code_exercise(q, code: str) -> Result:
    """Run ``code`` and ``q``'s hidden tests; raises SandboxUnavailable when code must not run here."""
    sandboxed = use_sandbox()
    mem = getattr(q, "memory_mb", None) or DEFAULT_MEMORY_MB
    lim = Limits(cpu_s=int(q.timeout_s) + 1, memory_mb=mem)
    judge_lim = Limits(cpu_s=int(q.timeout_s) + 1, memory_mb=max(mem, DEFAULT_MEMORY_MB))
    deadline = time.monotonic() + q.timeout_s
    with tempfile.TemporaryDirectory(prefix="h4s-code-") as tmp:
        learner_dir, judge_dir = Path(tmp, "l"), Path(tmp, "j")
        learner_dir.mkdir()
        judge_dir.mkdir()
        learner = _start("learner", sandboxed, lim, str(learner_dir))
        try:
            judge = _start("judge", sandboxed, judge_lim, str(judge_dir))
        except BaseException:
            _kill(learner)
            learner.wait()
            raise
        try:
            return _relay(q, code, learner, judge, deadline)
        finally:
            for p in (learner, judge):
                _kill(p)
                for fh in (p.stdin, p.stdout):
                    try:
                        fh.close()
                    except OSError:
                        pass
                try:
                    p.wait(5)
                except subprocess.TimeoutExpired:
                    pass


def _relay(q, code: str, learner: subprocess.Popen, judge: subprocess.Popen, deadline: float) -> Result:
    lin, jin = _Lines(learner.stdout, MAX_FROM_LEARNER), _Lines(judge.stdout, MAX_FROM_LEARNER)
    lw, jw = _Writer(learner), _Writer(judge)
    for t in (lin, jin, lw, jw):
        t.start()
    try:
        return _exchange(q, code, lw, jw, lin, jin, learner, deadline)
    finally:
        lw.q.put(None)          # the writers end; the readers end at EOF, once both processes are killed
        jw.q.put(None)


def _exchange(q, code, lw, jw, lin, jin, learner, deadline) -> Result:
    path = _import_path()
    lw.send(json.dumps({"setup": q.setup, "code": code, "path": path}).encode() + b"\n")
    jw.send(json.dumps({"setup": q.setup, "tests": [t.code for t in q.tests], "path": path}).encode() + b"\n")
    gone = None
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return _finish(q, "timeout", [], "")
        try:
            kind, line = jin.q.get(timeout=left)
        except queue.Empty:
            return _finish(q, "timeout", [], "")
        if kind != "line":
            return _finish(q, "crashed", [], "")
        if line.startswith(b"="):
            return _verdict(q, line[1:])
        if gone is None:
            if not lw.send(line):
                gone = "your program ended before the tests could use it"
            else:
                try:
                    kind, answer = lin.q.get(timeout=max(0.0, deadline - time.monotonic()))
                except queue.Empty:
                    return _finish(q, "timeout", [], "")
                if kind == "toolong":
                    _kill(learner)
                    gone = "your program sent too much data (print less, or return smaller values)"
                elif kind == "eof":
                    gone = "your program ended (exit, crash or memory limit) before the tests could use it"
        if gone is not None:
            answer = json.dumps({"gone": gone}).encode() + b"\n"
        if not jw.send(answer):
            return _finish(q, "crashed", [], "")


def _import_path() -> list[str]:
    """This interpreter's import path inside its prefixes (stdlib, site-packages): the children start with
    ``-S`` (no ``site``: 20 ms less each) and add it; nothing of the project or the working directory."""
    roots = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix)}
    out = []
    for p in sys.path:
        rp = os.path.realpath(p) if p else ""
        if rp and os.path.isdir(rp) and any(rp == r or rp.startswith(r.rstrip(os.sep) + os.sep) for r in roots) \
                and rp not in out:
            out.append(rp)
    return out


def _verdict(q, raw: bytes) -> Result:
    try:
        data = json.loads(raw)
        status, tests, stdout = data["status"], data["tests"], data["stdout"]
        ok_rows = all(isinstance(t, dict) and t.get("status") in ("passed", "failed", "error")
                      and isinstance(t.get("message"), str) for t in tests)
        if (status not in _STATUSES or not isinstance(stdout, str) or not isinstance(tests, list) or not ok_rows
                or (status == "ok" and len(tests) != len(q.tests))):
            raise ValueError(status)
        if status != "ok":
            tests = [{"status": "error", "message": str(data.get("message", ""))}]
    except (ValueError, KeyError, TypeError, RecursionError):
        return _finish(q, "crashed", [], "")
    return _finish(q, status, tests, stdout)


def _finish(q, status: str, tests: list[dict], stdout: str) -> Result:
    n = len(q.tests)
    if status != "ok":
        msg = tests[0]["message"] if tests else ""
        details = {"status": status, "message": msg, "stdout": stdout,
                   "tests": [{"name": t.name, "status": "not_run", "message": ""} for t in q.tests]}
        return Result(0.0, round_score(q.points), False, [status], details)
    fb, rows, passed = [], [], 0
    for i, (t, r) in enumerate(zip(q.tests, tests)):
        fb.append(f"test:{i}:{r['status']}")
        passed += r["status"] == "passed"
        rows.append({"name": t.name, "status": r["status"], "message": r["message"],
                     "feedback": t.feedback if r["status"] != "passed" else None})
    return Result(round_score(passed / n * q.points), round_score(q.points), passed == n, fb,
                  {"status": "ok", "stdout": stdout, "tests": rows})
