"""Run a learner's code and the hidden tests in a separate Python process.

Python has no sandbox inside one process, so this makes cheating hard, not
impossible (code exercises are formative).  What the harness does:

* everything runs in a child process (``python -I``, no arguments) with a
  time limit; a run that exceeds it is killed;
* the token, the tests and the results live only in a suspended generator
  (the "vault") that reads stdin before the learner's code runs and answers
  only the harness frame that started it; its locals cannot be read (the
  audit hook refuses ``gi_frame`` on it and ``gc`` object lists);
* the result goes to a pipe that is not stdout (a file elsewhere on Windows), prefixed by the token,
  written with functions bound before the learner's code ran (``repr``,
  ``os.write``; no ``json``, no context managers), followed by ``os._exit``;
* an audit hook, added just before the learner's code, refuses: the code of a
  running test frame (``f_code``: its expected values), other threads'
  frames, tracing, ``gc`` object lists, ``ctypes`` calls (``ctypes`` itself is
  loaded for numpy), ``/proc``, new processes, signals to processes,
  ``chdir``, more audit hooks, and changing the harness's or the setup's
  functions (``__code__``, ``__defaults__``); ``signal.signal`` is disabled
  (handlers get frames).  Frames of the learner's own code stay readable
  (libraries such as pyparsing need them);
* the builtins, and the globals of every module loaded before the learner's
  code (including what the tests import), are restored before each test;
  each test runs in a copy of the learner's namespace with clean builtins and
  the functions, classes and modules that ``setup`` defined (a learner cannot
  replace a test helper by defining one with its name).

Not covered: objects that lie about themselves (``__eq__`` always true;
tests can check ``type(x) is int``), monkey-patching attributes of classes
that tests use, and code that walks the stack from inside a test
(``inspect.stack()`` there raises ValueError).
"""
from __future__ import annotations

import ast
import json
import os
import secrets
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from ._grading import Result, round_score

_MAX_OUTPUT = 1 << 20

_HARNESS = r"""
def _h4s_main():
    import ast, builtins, importlib, io, json, os, signal, sys, types, _signal
    try:
        import ctypes  # loaded now: it calls dlopen on import, which the hook refuses later (numpy needs it)
    except ImportError:
        pass

    def vault(_getframe=sys._getframe, _loads=json.loads, _read=sys.stdin.read, _compile=compile,
              _write=os.write, _exit=os._exit, _repr=repr, _enc=str.encode, _Base=BaseException, _open=os.open,
              _flags=os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), _parse=ast.parse,
              _walk=ast.walk, _Import=ast.Import, _From=ast.ImportFrom, _isinstance=isinstance):
        # The only place that holds the token, the tests and the results.  It answers only the
        # harness frame that started it; learner code cannot read a suspended generator's locals
        # (gi_frame and gc are refused by the hook).
        data = _loads(_read())
        token, fd, tests = data["token"], data["fd"], []
        if fd is None:  # no pipe (Windows): a file outside the working directory, opened now
            fd = _open(data["path"], _flags)
        for t in data["tests"]:
            try:
                tests.append(_compile(t, "<test>", "exec"))
            except _Base as e:
                tests.append(_compile("raise RuntimeError(" + _repr("the test does not compile: " + _repr(e)) + ")",
                                      "<test>", "exec"))
        modules = []  # what the tests import: loaded before the learner's code, so restored for each test
        for t in data["tests"]:
            try:
                for n in _walk(_parse(t)):
                    if _isinstance(n, _Import):
                        modules += [a.name for a in n.names]
                    elif _isinstance(n, _From) and n.module and not n.level:
                        modules.append(n.module)
            except _Base:
                pass
        home = _getframe(1)
        msg = yield (data["setup"], data["code"], len(tests), modules)
        del data
        rows = []
        while True:
            if _getframe(1) is not home:
                _exit(3)
            if msg[0] == "test":
                msg = yield tests[msg[1]]
            elif msg[0] == "add":
                rows.append({"status": msg[1], "message": msg[2]})
                msg = yield None
            else:  # finish
                out = _enc(token + _repr({"status": msg[1], "tests": rows, "stdout": msg[2]}), "utf-8", "replace")
                while out:
                    out = out[_write(fd, out):]
                _exit(0)

    def text(x, limit, _str=str, _enc=str.encode, _dec=bytes.decode, _Base=BaseException):
        try:
            s = _str(x)
        except _Base:
            s = "?"
        return _dec(_enc(s, "utf-8", "replace"), "utf-8")[:limit]

    def error_text(e, _text=text, _type=type):
        return _text(_type(e).__name__, 200) + ": " + _text(e, 1000)

    def run_learner(code, g, _exec=exec):  # so that the learner's own frame may read its f_code
        _exec(code, g)

    def restore_modules(saved):
        for d, old in saved:
            for k, val in old.items():
                if k not in d or d[k] is not val:
                    d[k] = val

    def restore_builtins(bdict, clean):
        for k in [k for k in bdict if k not in clean]:
            del bdict[k]
        bdict.update(clean)

    def make_hook(gen, protected, home, _isinstance=isinstance, _id=id, _str_eq=str.__eq__,
                  _contains=str.__contains__, _fsdecode=os.fsdecode, _enc=str.encode, _dec=bytes.decode,
                  _Frame=types.FrameType):
        class Refused(ValueError):
            pass

        class NoHooks(RuntimeError):  # sys.addaudithook drops the new hook on a RuntimeError
            pass

        refused = frozenset((
            "sys._current_frames", "sys._current_exceptions", "sys.settrace", "sys.setprofile",
            "sys.monitoring.register_callback", "gc.get_objects", "gc.get_referrers", "gc.get_referents",
            "subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty",
            "os.kill", "os.killpg", "signal.pthread_kill", "os.chdir", "os.fchdir", "os.chroot", "os.symlink",
            "os.link", "ctypes.dlopen", "ctypes.dlsym", "ctypes.dlsym/handle", "ctypes.cdata",
            "ctypes.cdata/buffer", "ctypes.addressof", "ctypes.string_at", "ctypes.wstring_at",
            "ctypes.call_function",
        ))
        paths = frozenset(("open", "os.listdir", "os.scandir"))

        def hook(event, args):
            if event in refused:
                raise Refused(f"{event} is not allowed in an exercise")
            if _str_eq(event, "sys.addaudithook"):  # another hook would see the tests' code objects
                raise NoHooks("audit hooks are not allowed in an exercise")
            if _str_eq(event, "object.__getattr__"):
                if args[0] is gen:
                    raise Refused("the harness is not yours to read")
                # the code of a frame the harness runs directly with other globals than its own:
                # a running test (its expected values)
                if (_isinstance(args[0], _Frame) and _isinstance(args[1], str) and _str_eq(args[1], "f_code")
                        and args[0].f_back is home
                        and args[0].f_globals is not home.f_globals):
                    raise Refused("the tests are not yours to read")
            if _str_eq(event, "object.__setattr__") or _str_eq(event, "object.__delattr__"):
                if _id(args[0]) in protected:
                    raise Refused("the harness and the test helpers are not yours to change")
            if event in paths and args and _isinstance(args[0], (str, bytes)):
                p = _fsdecode(args[0])
                p = _dec(_enc(p, "utf-8", "surrogatepass"), "utf-8", "surrogatepass") if _isinstance(p, str) else ""
                if _contains(p, "/proc"):
                    raise Refused("/proc is not allowed in an exercise")

        return hook, Refused

    _exec, _compile, _dict, _callable, _isinstance = exec, compile, dict, callable, isinstance
    _Module, _Base, _Assert, _Syntax = types.ModuleType, BaseException, AssertionError, SyntaxError
    _StringIO, _getvalue = io.StringIO, io.StringIO.getvalue
    _proxy, _str_eq, _id = types.MappingProxyType, str.__eq__, id
    bdict = builtins.__dict__
    clean = _proxy(_dict(bdict))
    v = vault()
    setup, code, ntests, modules = next(v)
    buf = _StringIO()

    ns = {"__name__": "__main__", "__builtins__": builtins}
    try:
        _exec(_compile(setup, "<setup>", "exec"), ns)
    except _Base as e:
        v.send(("add", "error", text(repr(e), 1000)))
        v.send(("finish", "setup_error", ""))
    helpers = _proxy({k: val for k, val in ns.items()
                      if not k.startswith("__") and (_callable(val) or _isinstance(val, _Module))})
    try:
        learner = _compile(code, "<your code>", "exec")
    except (_Syntax, ValueError) as e:
        v.send(("add", "error", text(f"line {getattr(e, 'lineno', None) or 1}: {getattr(e, 'msg', None) or e}", 1000)))
        v.send(("finish", "syntax_error", ""))

    for name in modules:
        try:
            importlib.import_module(name)
        except _Base:
            pass
    # every module's globals as they are now: what the learner rebinds (math.isclose = ...) is put back
    saved = tuple((m.__dict__, _proxy(_dict(m.__dict__))) for m in list(sys.modules.values())
                  if _isinstance(m, _Module) and m is not builtins)
    protected = frozenset(_id(f) for f in (vault, text, error_text, restore_builtins, restore_modules, run_learner,
                                           *helpers.values())
                          if _isinstance(f, types.FunctionType))
    _range, _TB = range, types.TracebackType
    home = sys._getframe()
    hook, Refused = make_hook(v, protected, home)

    def no_signals(*args, _Refused=Refused, **kwargs):  # handlers get frames
        raise _Refused("signal handlers are not allowed in an exercise")

    signal.signal = _signal.signal = no_signals
    sys.addaudithook(hook)
    del hook, make_hook, protected

    out = sys.stdout
    sys.stdout = buf
    try:
        run_learner(learner, ns)
    except _Base as e:
        sys.stdout = out
        tb = e.__traceback__
        line, tb = None, tb if _isinstance(tb, _TB) else None
        while tb is not None:  # the deepest line of the learner's code
            fr = tb.tb_frame
            if _str_eq(fr.f_code.co_filename, "<your code>"):
                line = tb.tb_lineno
            tb = tb.tb_next
        fr = tb = None
        v.send(("add", "error", (f"line {line}: " if line else "") + error_text(e)))
        v.send(("finish", "learner_error", text(_getvalue(buf), 2000)))
    sys.stdout = out
    restore_builtins(bdict, clean)
    for i in _range(ntests):
        restore_builtins(bdict, clean)
        restore_modules(saved)
        ns.update(helpers)  # the helpers' own globals are ns
        tns = _dict(ns)
        tns["__builtins__"] = _dict(clean)
        sys.stdout = _StringIO()
        try:
            _exec(v.send(("test", i)), tns)  # the test's code object is in no variable of this frame
            result = ("add", "passed", "")
        except _Assert as e:
            result = ("add", "failed", text(e, 1000))
        except _Base as e:
            result = ("add", "error", error_text(e))
        sys.stdout = out
        v.send(result)
    v.send(("finish", "ok", text(_getvalue(buf), 2000)))


globals().pop("_h4s_main")()
"""


def _read_all(fd: int, chunks: list[bytes]) -> None:
    size = 0
    with os.fdopen(fd, "rb") as fh:
        while True:
            b = fh.read(65536)
            if not b:
                return
            size += len(b)
            if size <= _MAX_OUTPUT:
                chunks.append(b)


#: results come back on a pipe (POSIX); elsewhere in a file outside the learner's working directory
_USE_PIPE = os.name == "posix"


def run_code_exercise(q, code: str) -> Result:
    token = secrets.token_hex(16)
    chunks: list[bytes] = []
    with tempfile.TemporaryDirectory(prefix="h4s-code-") as tmp, \
            tempfile.TemporaryDirectory(prefix="h4s-out-") as out_dir:
        out_path = Path(out_dir) / f"{secrets.token_hex(8)}.out"
        if _USE_PIPE:
            r, w = os.pipe()
            reader = threading.Thread(target=_read_all, args=(r, chunks), daemon=True)
            reader.start()
        payload = json.dumps({"token": token, "fd": w if _USE_PIPE else None, "path": str(out_path),
                              "setup": q.setup, "code": code, "tests": [t.code for t in q.tests]})
        env = {k: v for k, v in os.environ.items() if not k.startswith(("JPY_", "JUPYTER", "H4S_LRS"))}
        env["MPLBACKEND"] = "Agg"
        try:
            proc = subprocess.Popen([sys.executable, "-I", "-c", _HARNESS], stdin=subprocess.PIPE,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp, env=env,
                                    pass_fds=(w,) if _USE_PIPE else (), text=True, encoding="utf-8")
        finally:
            if _USE_PIPE:
                os.close(w)  # the child holds the only write end: EOF when it exits
        try:
            proc.communicate(payload, timeout=q.timeout_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            if _USE_PIPE:
                reader.join(5)
            return _finish(q, "timeout", [], "")
        if _USE_PIPE:
            reader.join(5)
            if reader.is_alive():  # something kept the pipe open
                return _finish(q, "crashed", [], "")
        elif out_path.exists():
            chunks.append(out_path.read_bytes()[:_MAX_OUTPUT])
    return _parse(q, b"".join(chunks).decode("utf-8", "replace"), token)


def _parse(q, raw: str, token: str) -> Result:
    if not raw.startswith(token):
        return _finish(q, "crashed", [], "")
    try:
        data = ast.literal_eval(raw[len(token):])
        status, tests, stdout = data["status"], data["tests"], data["stdout"]
        ok_rows = all(isinstance(t, dict) and t.get("status") in ("passed", "failed", "error")
                      and isinstance(t.get("message"), str) for t in tests)
        if (status not in ("ok", "setup_error", "syntax_error", "learner_error") or not isinstance(stdout, str)
                or not isinstance(tests, list) or not ok_rows or (status == "ok" and len(tests) != len(q.tests))):
            raise ValueError(status)
    except Exception:
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
