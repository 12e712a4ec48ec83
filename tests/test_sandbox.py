"""The OS sandbox of learners' code (h4s_widgets._sandbox), its modes, and the fair code-run queue.

The attacks run through `grade` on a code exercise; tests/test_security_code.py runs them end to end
over HTTP and through the live widget.  Needs bubblewrap (`make test` installs it): without it the
sandbox tests fail with how to install it (tests/_tools.py), and the refusal tests still run.
"""
from __future__ import annotations

import asyncio
import functools
import os
import site
import threading
import time
import uuid
from pathlib import Path

import pytest
from _tools import run_coroutine

from h4s_widgets import _sandbox, grade
from h4s_widgets._sandbox import SandboxUnavailable
from h4s_widgets._schema import CodeExercise

needs_bwrap = pytest.mark.usefixtures("require_sandbox")

BASE = {
    "type": "code", "id": "sq", "text": "Write square(x).", "points": 1,
    "tests": [{"name": "square(3)", "code": "assert square(3) == 9, square(3)"},
              {"name": "square(-4)", "code": "assert square(-4) == 16"}],
    "solution": "def square(x):\n    return x * x\n",
    "timeout_s": 3,
}
WRONG = "\ndef square(x):\n    return 0\n"


def run(code: str, **changes):
    return grade(CodeExercise.model_validate({**BASE, **changes}), code)


def shown(res) -> str:
    """Everything the learner gets to see of a result."""
    return repr(res.as_dict(details=True))


@pytest.fixture
def sandbox_on(monkeypatch, require_sandbox):
    monkeypatch.setenv("H4S_SANDBOX", "require")


# ------------------------------------------------------------------ the sandbox itself
@needs_bwrap
def test_available_and_the_model_solution_passes(sandbox_on):
    ok, why = _sandbox.sandbox_available()
    assert ok, why
    assert run(BASE["solution"]).correct is True
    assert run(WRONG).feedback == ["test:0:failed", "test:1:failed"]


@needs_bwrap
def test_private_filesystem_no_network_nobody(sandbox_on, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET-" + uuid.uuid4().hex)
    code = (
        "import os, socket\n"
        "def probe(f):\n    try:\n        return f()\n    except Exception as e:\n        return type(e).__name__\n"
        f"print('uid', os.getuid())\n"
        f"print('passwd', probe(lambda: open('/etc/passwd').read()))\n"
        f"print('secret', probe(lambda: open({str(secret)!r}).read()))\n"
        f"print('cwd', os.getcwd(), sorted(os.listdir('/')))\n"
        "print('net', probe(lambda: socket.create_connection(('127.0.0.1', 22), timeout=1)))\n"
        "print('sh', probe(lambda: os.stat('/bin/sh')))\n"
        "print('procs', sorted(p for p in os.listdir('/proc') if p.isdigit()))\n"
        + WRONG)
    out = run(code).details["stdout"]
    assert "uid 65534" in out
    assert "passwd FileNotFoundError" in out and "root:" not in out
    assert "secret FileNotFoundError" in out and "TOPSECRET" not in out
    assert "cwd /tmp" in out and "'etc'" not in out and "'home'" not in out
    assert "net " in out and "socket" not in out.split("net ", 1)[1].split("\n")[0]
    assert "sh FileNotFoundError" in out
    procs = out.split("procs ", 1)[1].split("\n")[0]
    assert len(eval(procs)) <= 3, procs      # bwrap's init and the learner's own process: its own PID namespace


@needs_bwrap
def test_clean_environment(sandbox_on, monkeypatch):
    token = "tok-" + uuid.uuid4().hex
    monkeypatch.setenv("H4S_TRAINER_TOKEN", token)
    monkeypatch.setenv("H4S_LRS_PASSWORD", token)
    monkeypatch.setenv("SOMETHING_HARMLESS_LOOKING", token)
    res = run("import os\nprint(dict(os.environ))\n"
              "for p in ('/proc/self/environ', '/proc/1/environ', '/dev/fd/../../1/environ'):\n"
              "    try:\n        print(open(p, 'rb').read())\n"
              "    except Exception as e:\n        print(type(e).__name__)\n"
              + WRONG)
    assert token not in shown(res)
    assert "H4S_" not in res.details["stdout"]


@needs_bwrap
def test_venv_and_runtime_are_read_only(sandbox_on):
    target = Path(site.getsitepackages()[0]) / f"zz-h4s-{uuid.uuid4().hex}.pth"
    res = run(f"try:\n    open({str(target)!r}, 'w').write('import os')\nexcept OSError as e:\n"
              f"    print(type(e).__name__)\n" + WRONG)
    assert not target.exists()
    assert "Error" in res.details["stdout"]


@needs_bwrap
def test_memory_is_limited(sandbox_on):
    res = run("x = bytearray(3 * 1024 ** 3)\n" + WRONG)
    assert res.feedback == ["learner_error"] and "MemoryError" in res.details["message"]
    res = run("x = bytearray(200 * 1024 ** 2)\n" + WRONG, memory_mb=128)
    assert res.feedback == ["learner_error"] and "MemoryError" in res.details["message"]


@needs_bwrap
def test_no_process_outlives_the_run(sandbox_on):
    marker = "h4s-orphan-" + uuid.uuid4().hex
    code = ("import os, sys, subprocess\n"
            "try:\n    subprocess.Popen(['/bin/sh', '-c', 'sleep 30'])\n"
            "except Exception as e:\n    print('sh', type(e).__name__)\n"
            "try:\n    pid = os.fork()\nexcept OSError as e:\n    print('fork', type(e).__name__)\n    pid = 1\n"
            "if pid == 0:\n"
            "    os.setsid()\n"
            f"    os.execv(sys.executable, [sys.executable, '-c', 'import time; time.sleep(30)', {marker!r}])\n"
            + WRONG)
    res = run(code)
    assert "sh PermissionError" in res.details["stdout"] or "sh FileNotFoundError" in res.details["stdout"]
    if _sandbox.use_seccomp():
        assert "fork PermissionError" in res.details["stdout"]
    time.sleep(0.3)
    import psutil
    left = [p for p in psutil.process_iter(["cmdline"]) if marker in " ".join(p.info["cmdline"] or [])]
    assert not left, "a process of the learner's outlived the run"


@needs_bwrap
def test_a_fork_bomb_stops_at_once(sandbox_on):
    if not _sandbox.use_seccomp():
        pytest.skip("no seccomp filter on this machine")
    t0 = time.monotonic()
    res = run("import os\nwhile True:\n    os.fork()\n" + WRONG)
    assert res.feedback == ["learner_error"] and "PermissionError" in res.details["message"]
    assert time.monotonic() - t0 < 2
    # past the audit hook (C's fork through ctypes): the seccomp filter refuses it
    res = run("import ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\n"
              "print('fork', [libc.fork() for _ in range(50)][-1], ctypes.get_errno())\n" + WRONG)
    assert "fork -1 1\n" in res.details["stdout"], res.details           # EPERM
    res = run("import threading\nt = threading.Thread(target=print, args=('a thread',))\nt.start()\nt.join()\n"
              + BASE["solution"])
    assert res.correct is True and "a thread" in res.details["stdout"]     # threads still work


@needs_bwrap
def test_no_namespaces_of_its_own(sandbox_on):
    if not _sandbox._hardened:
        pytest.skip("bwrap here has no --disable-userns")
    res = run("import ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\n"
              "print('unshare', libc.unshare(0x10000000), ctypes.get_errno())\n" + WRONG)   # CLONE_NEWUSER
    assert "unshare -1 " in res.details["stdout"], res.details


def test_the_seccomp_program_is_well_formed():
    prog = _sandbox.no_fork_filter()
    if prog is None:
        pytest.skip("no seccomp program for this machine")
    import struct
    ins = [struct.unpack("=HBBI", prog[i:i + 8]) for i in range(0, len(prog), 8)]
    for pc, (code, jt, jf, _k) in enumerate(ins):
        if code & 0x07 == 0x05:                 # jumps stay inside the program
            assert pc + 1 + max(jt, jf) < len(ins)
    assert ins[-1][0] == 0x06 and ins[-2][0] == 0x06


@needs_bwrap
def test_output_is_capped_at_the_source(sandbox_on):
    import psutil
    before = psutil.Process().memory_info().rss
    res = run("import os\nfor fd in range(1, 12):\n    try:\n        os.write(fd, b'=' + b'x' * 100000 + b'\\n')\n"
              "    except OSError:\n        pass\n"
              "while True:\n    print('y' * 100000)\n", timeout_s=2)
    assert res.feedback in (["timeout"], ["learner_error"]) and len(shown(res)) < 200_000
    res = run("while True:\n    print('y' * 100000)\n", timeout_s=2)
    assert res.feedback == ["timeout"] and len(shown(res)) < 200_000
    assert psutil.Process().memory_info().rss - before < 100 << 20


def test_verdict_cannot_be_forged_without_sandbox_too(monkeypatch):
    # the learner process never gets the tests: a fake verdict on every fd and an exit do not pass
    monkeypatch.setenv("H4S_SANDBOX", "off")
    fake = ('import json, os\n'
            'v = b"=" + json.dumps({"status": "ok", "tests": [{"status": "passed", "message": ""}] * 2,'
            ' "stdout": ""}).encode() + b"\\n"\n'
            'for fd in range(0, 30):\n'
            '    try:\n        os.write(fd, v)\n    except OSError:\n        pass\n'
            'os._exit(0)\n')
    res = run(fake)
    assert res.correct is False and "test:0:passed" not in res.feedback


# ------------------------------------------------------------------ modes
def test_mode_off_runs_without_the_sandbox(monkeypatch):
    monkeypatch.setenv("H4S_SANDBOX", "off")
    monkeypatch.delenv("H4S_LIVE", raising=False)
    res = run("import os\nprint(os.getuid())\n" + BASE["solution"])
    assert res.correct is True
    assert res.details["stdout"].strip() == str(os.getuid())


def test_unavailable_sandbox_is_refused_when_required(monkeypatch):
    monkeypatch.setattr(_sandbox, "_probe", lambda: (False, "no bwrap (test)"))
    monkeypatch.setenv("H4S_SANDBOX", "require")
    with pytest.raises(SandboxUnavailable, match="no bwrap"):
        run(BASE["solution"])
    monkeypatch.setenv("H4S_SANDBOX", "auto")
    monkeypatch.setenv("H4S_LIVE", "1")            # a served live kernel
    with pytest.raises(SandboxUnavailable):
        run(BASE["solution"])


def test_unavailable_sandbox_falls_back_for_authoring(monkeypatch):
    monkeypatch.setattr(_sandbox, "_probe", lambda: (False, "no bwrap (test)"))
    monkeypatch.setattr(_sandbox, "_warned", False)
    monkeypatch.setenv("H4S_SANDBOX", "auto")
    monkeypatch.delenv("H4S_LIVE", raising=False)
    with pytest.warns(RuntimeWarning, match="without a sandbox"):
        assert run(BASE["solution"]).correct is True


def test_serving_threads_never_fall_back(monkeypatch):
    monkeypatch.setattr(_sandbox, "_probe", lambda: (False, "no bwrap (test)"))
    monkeypatch.setenv("H4S_SANDBOX", "auto")
    monkeypatch.delenv("H4S_LIVE", raising=False)
    from h4s_kit.code_queue import CodeQueue
    q = CodeQueue(workers=1)
    try:
        with pytest.raises(SandboxUnavailable):
            run_coroutine(q.run("learner-1", run, BASE["solution"]))
    finally:
        q.shutdown()


def test_serve_notice(monkeypatch):
    monkeypatch.setattr(_sandbox, "_probe", lambda: (False, "no bwrap (test)"))
    monkeypatch.delenv("H4S_SANDBOX", raising=False)
    assert "refused" in _sandbox.serve_notice() and os.environ["H4S_SANDBOX"] == "require"
    monkeypatch.delenv("H4S_SANDBOX")
    assert "--single-user" in _sandbox.serve_notice(single_user=True) and os.environ["H4S_SANDBOX"] == "off"


# ------------------------------------------------------------------ the queue
def test_queue_one_run_per_learner_and_a_bound():
    from h4s_kit.code_queue import CodeQueue, CodeQueueError
    q = CodeQueue(workers=1, max_waiting=1)
    gate = threading.Event()

    async def main():
        first = asyncio.ensure_future(q.run("ann", gate.wait, 10))
        await asyncio.sleep(0.05)
        with pytest.raises(CodeQueueError) as again:
            await q.run("ann", gate.wait, 10)
        assert again.value.status == 429
        second = asyncio.ensure_future(q.run("bob", lambda: "bob done"))
        await asyncio.sleep(0.05)
        with pytest.raises(CodeQueueError) as full:
            await q.run("cid", lambda: "cid")
        assert full.value.status == 503 and full.value.retry_after >= 1
        gate.set()
        assert await first is True and await second == "bob done"
        assert await q.run("ann", lambda: "again") == "again"    # the slot is free once the run ended

    try:
        run_coroutine(main())
    finally:
        gate.set()
        q.shutdown()
    assert q.in_flight == 0


@needs_bwrap
def test_endless_loops_of_one_learner_do_not_delay_another(sandbox_on):
    from h4s_kit.code_queue import CodeQueue, CodeQueueError
    q = CodeQueue(workers=2)
    loop = "while True:\n    pass\n"

    async def main():
        bad = [asyncio.ensure_future(q.run("mallory", functools.partial(run, loop, timeout_s=2))) for _ in range(6)]
        await asyncio.sleep(0.1)
        t0 = time.monotonic()
        honest = await q.run("alice", run, BASE["solution"])
        waited = time.monotonic() - t0
        outcomes = await asyncio.gather(*bad, return_exceptions=True)
        return honest, waited, outcomes

    try:
        honest, waited, outcomes = run_coroutine(main())
    finally:
        q.shutdown()
    assert honest.correct is True and waited < 2 + 1, waited
    assert sum(isinstance(o, CodeQueueError) and o.status == 429 for o in outcomes) == 5


# ------------------------------------------------------------------ the modules' own exercises
def _module_code_exercises():
    from h4s_widgets._schema import load_bank
    root = Path(__file__).resolve().parents[1] / "modules"
    return [q for f in sorted(root.glob("*/questions/*.yml")) for q in load_bank(f).questions if q.type == "code"]


def test_every_module_code_exercise_passes_its_solution_and_fails_its_starter():
    # the judge sees the learner's values only as plain data or stand-ins: the real banks must still grade
    from concurrent.futures import ThreadPoolExecutor
    qs = _module_code_exercises()
    assert qs
    with ThreadPoolExecutor(4) as pool:
        sols = list(pool.map(lambda q: grade(q, q.solution), qs))
        starters = list(pool.map(lambda q: grade(q, q.starter) if q.starter.strip() else None, qs))
    for q, s, st in zip(qs, sols, starters):
        assert s.correct is True, (q.id, s.details)
        assert st is None or st.correct is False, (q.id, st.feedback)


def test_h4s_serve_has_the_single_user_flag(monkeypatch):
    from h4s_kit import serve as serve_mod
    from h4s_kit.cli import build_parser
    seen = {}
    monkeypatch.setattr(serve_mod, "serve", lambda **kw: seen.update(kw) or 0)
    args = build_parser().parse_args(["serve", "--no-build", "--single-user"])
    assert args.func(args) == 0 and seen["single_user"] is True
    args = build_parser().parse_args(["serve", "--no-build"])
    args.func(args)
    assert seen["single_user"] is False
