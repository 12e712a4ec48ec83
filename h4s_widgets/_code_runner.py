"""Run a learner's code and the hidden tests in a separate Python process.

The learner's code cannot overwrite the checker: it runs in its own process
and namespace; each hidden test runs in a copy of that namespace with the
builtins as they were before the learner's code ran; the result is written
to a file whose name the learner's code is not given, prefixed by a one-time
token; a run that exceeds the time limit is killed.
"""
from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

from ._grading import Result, round_score

_HARNESS = r'''
import builtins, contextlib, io, json, sys, traceback
def _h4s_main():
    data = json.loads(sys.stdin.read())
    token, out_path = data.pop("token"), data.pop("out")
    clean_builtins = dict(builtins.__dict__)
    results, status = [], "ok"
    ns = {"__name__": "__main__", "__builtins__": builtins}
    buf = io.StringIO()
    def finish():
        with open(out_path, "w", encoding="utf-8") as fh:
            fh.write(token + json.dumps({"status": status, "tests": results, "stdout": buf.getvalue()[:2000]}))
    try:
        exec(compile(data["setup"], "<setup>", "exec"), ns)
    except BaseException as e:
        status = "setup_error"; results.append({"status": "error", "message": repr(e)}); finish(); return
    try:
        code = compile(data["code"], "<your code>", "exec")
    except SyntaxError as e:
        status = "syntax_error"
        results.append({"status": "error", "message": f"line {e.lineno}: {e.msg}"}); finish(); return
    try:
        with contextlib.redirect_stdout(buf):
            exec(code, ns)
    except BaseException as e:
        status = "learner_error"
        tb = traceback.extract_tb(e.__traceback__)
        line = next((f.lineno for f in reversed(tb) if f.filename == "<your code>"), None)
        results.append({"status": "error", "message": (f"line {line}: " if line else "") + f"{type(e).__name__}: {e}"})
        finish(); return
    for t in data["tests"]:
        tns = dict(ns); tns["__builtins__"] = dict(clean_builtins)
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                exec(compile(t, "<test>", "exec"), tns)
            results.append({"status": "passed", "message": ""})
        except AssertionError as e:
            results.append({"status": "failed", "message": str(e)})
        except BaseException as e:
            results.append({"status": "error", "message": f"{type(e).__name__}: {e}"})
    finish()
_h4s_main()
'''


def run_code_exercise(q, code: str) -> Result:
    token = secrets.token_hex(16)
    with tempfile.TemporaryDirectory(prefix="h4s-code-") as tmp:
        out = Path(tmp) / f"{secrets.token_hex(8)}.json"
        payload = json.dumps({"token": token, "out": str(out), "setup": q.setup, "code": code,
                              "tests": [t.code for t in q.tests]})
        env = {k: v for k, v in os.environ.items() if not k.startswith(("JPY_", "JUPYTER", "H4S_LRS"))}
        env["MPLBACKEND"] = "Agg"
        try:
            subprocess.run([sys.executable, "-I", "-c", _HARNESS], input=payload, text=True, cwd=tmp, env=env,
                           capture_output=True, timeout=q.timeout_s)
        except subprocess.TimeoutExpired:
            return _finish(q, "timeout", [], "")
        try:
            raw = out.read_text(encoding="utf-8")
        except FileNotFoundError:
            return _finish(q, "crashed", [], "")
    if not raw.startswith(token):
        return _finish(q, "crashed", [], "")
    data = json.loads(raw[len(token):])
    return _finish(q, data["status"], data["tests"], data["stdout"])


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
