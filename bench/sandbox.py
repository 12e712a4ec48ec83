"""Code exercises: grading latency with and without the sandbox, and fairness of the code queue.

    .venv/bin/python bench/sandbox.py --runs 21 --old 1684463

(a) a trivial code exercise graded by `h4s_widgets.grade`, alternating H4S_SANDBOX=require (bubblewrap),
    H4S_SANDBOX=off (the same two processes, unsandboxed) and, with --old COMMIT, the single-process
    runner of that commit (git show COMMIT:h4s_widgets/_code_runner.py); medians.
(b) `h4s serve`'s code queue (h4s_kit.code_queue, 2 workers, as QuizService makes it): one learner has
    six endless loops submitted (time limit 2 s), then an honest learner checks a correct answer; the
    honest learner's wait, median over the rounds.  Target: at most one time limit + 1 s.
Run by hand, not by the test suite.
"""
from __future__ import annotations

import argparse
import asyncio
import functools
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _util import fmt, machine, summary  # noqa: E402

from h4s_widgets import _sandbox, grade  # noqa: E402
from h4s_widgets._schema import CodeExercise  # noqa: E402

Q = CodeExercise.model_validate({
    "type": "code", "id": "sq", "text": "Write square(x).", "timeout_s": 2,
    "tests": [{"name": "3", "code": "assert square(3) == 9"}, {"name": "-4", "code": "assert square(-4) == 16"}],
    "solution": "def square(x):\n    return x * x\n"})


def one(mode: str) -> float:
    os.environ["H4S_SANDBOX"] = mode
    t = time.perf_counter()
    res = grade(Q, Q.solution)
    dt = time.perf_counter() - t
    assert res.correct is True, res.details
    return dt


def fairness(rounds: int) -> list[float]:
    from h4s_kit.code_queue import CodeQueue, CodeQueueError
    os.environ["H4S_SANDBOX"] = "require"
    waits = []
    for _ in range(rounds):
        q = CodeQueue(workers=2)

        async def main():
            bad = [asyncio.ensure_future(q.run("mallory", functools.partial(grade, Q, "while True:\n    pass\n")))
                   for _ in range(6)]
            await asyncio.sleep(0.1)
            t = time.perf_counter()
            res = await q.run("alice", grade, Q, Q.solution)
            dt = time.perf_counter() - t
            assert res.correct is True
            out = await asyncio.gather(*bad, return_exceptions=True)
            assert sum(isinstance(o, CodeQueueError) for o in out) == 5
            return dt

        waits.append(asyncio.run(main()))
        q.shutdown()
    return waits


def _old_runner(commit: str):
    import importlib.util
    import subprocess
    import tempfile
    src = subprocess.run(["git", "show", f"{commit}:h4s_widgets/_code_runner.py"], check=True, capture_output=True,
                         text=True, cwd=Path(__file__).resolve().parents[1]).stdout
    src = src.replace("from ._grading import", "from h4s_widgets._grading import")
    f = Path(tempfile.mkdtemp(prefix="h4s-bench-")) / "old_runner.py"
    f.write_text(src)
    spec = importlib.util.spec_from_file_location("old_runner", f)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    import shutil
    shutil.rmtree(f.parent, ignore_errors=True)
    return mod


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=21)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--old", metavar="COMMIT", help="also time the code runner of this commit (e.g. 1684463)")
    a = ap.parse_args()
    ok, why = _sandbox.sandbox_available()
    if not ok:
        print(f"no sandbox here: {why}")
        return 1
    print(f"machine: {machine()}")
    old = _old_runner(a.old) if a.old else None
    xs = {"require": [], "off": []} | ({"old": []} if old else {})

    def timed(m):
        if m != "old":
            return one(m)
        t = time.perf_counter()
        assert old.run_code_exercise(Q, Q.solution).correct is True
        return time.perf_counter() - t

    for m in xs:                                       # warm the page cache
        timed(m)
    for _ in range(a.runs):
        for m in xs:
            xs[m].append(timed(m))
    s_on, s_off = summary("grade, sandbox (bwrap)", xs["require"]), summary("grade, no sandbox", xs["off"])
    print(fmt(s_on))
    print(fmt(s_off))
    print(f"sandbox adds: {(s_on['median'] - s_off['median']) * 1000:.1f} ms median")
    if old:
        s_old = summary(f"old runner of {a.old} (one process, no sandbox)", xs["old"])
        print(fmt(s_old))
        print(f"sandbox + judge add over the old runner: {(s_on['median'] - s_old['median']) * 1000:.1f} ms median")
    w = summary("honest learner's wait behind 6 endless loops of another (limit 2 s)", fairness(a.rounds))
    print(fmt(w))
    return 0


if __name__ == "__main__":
    sys.exit(main())
