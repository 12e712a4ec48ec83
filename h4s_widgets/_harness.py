"""The program that runs inside the sandbox: ``python -I _harness.py learner`` or ``... judge``.

Two processes grade one answer (see :mod:`h4s_widgets._code_runner` for the design):

* the **learner** process runs the exercise's setup and the learner's code, then answers questions
  about its namespace, one JSON line per request on stdin, one JSON line per answer on stdout:
  ``names``, ``get`` a name, and operations on objects that are not plain values (``getattr``,
  ``call``, ``len``, ``iter``, ``next``, ``getitem``, ``contains``, ``bool``, ``str``, ``repr``, ``float``,
  ``int``, ``index``).  It never sees the tests.  Everything it says is untrusted data;
* the **judge** process runs the setup and the hidden tests, with the learner's names bound to the
  values the learner process reports (plain values rebuilt here, other objects as
  :class:`LearnerObject` stand-ins that forward the operations above; after a call, what the learner's
  function changed in a list, dict, set or bytearray argument is copied back into the test's object;
  a learner's function or module
  named like a builtin, ``abs`` say, does not replace the builtin in a test).  A test's assertion is
  evaluated here, by code the learner never touched; the judge's last line is the verdict.

Plain values travel as tagged JSON (:func:`enc` / :func:`dec`): ``None``, ``bool``, ``int``, ``float``
and ``str`` as JSON, ``["l", [...]]`` lists, ``["t", ...]`` tuples, ``["d", [[k, v], ...]]`` dicts,
``["s", ...]`` sets, ``["f", ...]`` frozensets, ``["b", hex]`` bytes, ``["i", hex]`` big integers,
``["m", name]`` modules, ``["o", class, attributes]`` instances of a class the setup defined,
``["p", id, type]`` another object.  Subclasses of the plain types travel as their base type read
with the base type's own methods (a ``Counter`` is a dict, an ``int`` subclass an ``int``), so
an object cannot lie about its contents; a number type (``numpy.int64``) travels as its value.
"""
from __future__ import annotations

import builtins
import io
import json
import operator
import os
import sys
import types

MAX_STDOUT = 64 * 1024
MAX_DEPTH = 60
MAX_NODES = 200_000


class TooBig(Exception):
    pass


def enc(x, handles=None, _depth=0, _count=None):
    """Tagged JSON-able form of ``x``; objects that are not plain become handles (learner side only)."""
    if _count is None:
        _count = [0]
    _count[0] += 1
    if _depth > MAX_DEPTH or _count[0] > MAX_NODES:
        raise TooBig
    t = type(x)
    if t is int and not -(1 << 62) < x < (1 << 62):
        return ["i", format(x, "x")]                  # JSON readers (and str()) limit the digits of a number
    if x is None or t is bool or t is str or t is int or t is float:
        return x
    d = _depth + 1
    if isinstance(x, str):
        return str.__str__(x)
    if isinstance(x, bool):
        return bool(x)
    if isinstance(x, int):
        return enc(int.__index__(x), handles, d, _count)
    if isinstance(x, float):
        return float.__float__(x)
    if isinstance(x, list):
        return ["l", [enc(v, handles, d, _count) for v in list.__iter__(x)]]
    if isinstance(x, tuple):
        return ["t", [enc(v, handles, d, _count) for v in tuple.__iter__(x)]]
    if isinstance(x, dict):
        return ["d", [[enc(k, handles, d, _count), enc(v, handles, d, _count)] for k, v in dict.items(x)]]
    if isinstance(x, frozenset):
        return ["f", [enc(v, handles, d, _count) for v in frozenset.__iter__(x)]]
    if isinstance(x, set):
        return ["s", [enc(v, handles, d, _count) for v in set.__iter__(x)]]
    if isinstance(x, (bytes, bytearray)):
        return ["b", bytes(x).hex()]
    if isinstance(x, types.ModuleType):
        name = getattr(x, "__name__", None)
        if isinstance(name, str) and sys.modules.get(name) is x:
            return ["m", str.__str__(name)]
    if SETUP_CLASSES.get(getattr(t, "__name__", None)) is t:    # an instance of a class the setup defined
        state = getattr(x, "__dict__", None)
        if type(state) is dict:
            return ["o", t.__name__, enc(state, handles, d, _count)]
    if handles is None:
        raise TypeError(f"a value of type {t.__name__} cannot be sent to the learner's code")
    import numbers
    if isinstance(x, numbers.Integral) and not isinstance(x, type):
        try:
            return enc(operator.index(x), handles, d, _count)
        except Exception:
            pass
    elif isinstance(x, numbers.Real) and not isinstance(x, type):
        try:
            return enc(float(x), handles, d, _count)
        except Exception:
            pass
    handles.append(x)
    return ["p", len(handles) - 1, _type_name(x)]


def _type_name(x) -> str:
    try:
        n = type(x).__name__
        return n if isinstance(n, str) and type(n) is str else "object"
    except Exception:
        return "object"


def dec(v, remote, _depth=0):
    """The value of a tagged form; ``remote(id, type)`` makes the stand-in for a handle."""
    if _depth > MAX_DEPTH:
        raise TooBig
    if v is None or type(v) in (bool, int, float, str):
        return v
    if type(v) is not list or not v or type(v[0]) is not str:
        raise ValueError("not a tagged value")
    tag, d = v[0], _depth + 1
    if tag in ("l", "t", "s", "f"):
        items = [dec(i, remote, d) for i in v[1]]
        return {"l": list, "t": tuple, "s": set, "f": frozenset}[tag](items)
    if tag == "d":
        return {dec(k, remote, d): dec(val, remote, d) for k, val in v[1]}
    if tag == "b":
        return bytes.fromhex(v[1])
    if tag == "i":
        if type(v[1]) is not str or len(v[1]) > 100_000:
            raise ValueError("bad number")
        return int(v[1], 16)
    if tag == "m":
        return remote(None, v[1])
    if tag == "p":
        return remote(int(v[1]), str(v[2]) if len(v) > 2 else "object")
    if tag == "o":                                  # rebuilt from this process's own copy of the setup's class
        cls, state = SETUP_CLASSES.get(v[1]), dec(v[2], remote, d)
        if not isinstance(cls, type) or type(state) is not dict or not all(type(k) is str for k in state) \
                or any(callable(getattr(cls, k, None)) for k in state):   # no method replaced by a value
            raise ValueError("not an object of the setup")
        obj = cls.__new__(cls)
        obj.__dict__.update(state)
        return obj
    raise ValueError("unknown tag")


#: the classes the exercise's setup defined, by name (each process its own copy): their instances travel
#: as their attributes and are rebuilt as instances of the receiver's class, so tests can compare them
SETUP_CLASSES: dict = {}


def _note_setup_classes(ns) -> None:
    SETUP_CLASSES.clear()
    SETUP_CLASSES.update({k: v for k, v in ns.items() if isinstance(v, type) and getattr(v, "__name__", None) == k})


def text(x, limit: int) -> str:
    try:
        s = str(x)
    except BaseException:
        s = "?"
    return s.encode("utf-8", "replace").decode("utf-8")[:limit]


def error_text(e) -> str:
    return text(type(e).__name__, 200) + ": " + text(e, 1000)


class CappedText(io.TextIOBase):
    """A stdout that keeps the first MAX_STDOUT characters and drops the rest (output capped at the source)."""

    def __init__(self):
        self.parts, self.size = [], 0

    def writable(self):
        return True

    def write(self, s):
        s = str(s)
        if self.size < MAX_STDOUT:
            self.parts.append(s[:MAX_STDOUT - self.size])
        self.size += len(s)
        return len(s)

    def getvalue(self) -> str:
        out = "".join(self.parts)
        return out + ("\n[... more output was cut]" if self.size > MAX_STDOUT else "")


def _channel():
    """Private copies of stdin/stdout for the protocol; fds 0 and 1 then point at /dev/null."""
    rin, wout = os.dup(0), os.dup(1)
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)
    os.close(null)
    return open(rin, "rb", buffering=0), open(wout, "wb", buffering=0)


# ------------------------------------------------------------------ learner side
def learner_main() -> None:
    rin, wout = _channel()
    payload = json.loads(rin.readline())
    sys.path.extend(p for p in payload.get("path", []) if p not in sys.path)
    out = CappedText()
    sys.stdout = sys.stderr = out
    ns = {"__name__": "__main__", "__builtins__": builtins}

    def send(obj):
        wout.write(json.dumps(obj, ensure_ascii=True, allow_nan=True).encode() + b"\n")

    try:   # processes: no effect when the server runs as root (the kernel exempts it), a limit otherwise
        import resource
        resource.setrlimit(resource.RLIMIT_NPROC, (payload.get("nproc", 32),) * 2)
    except (ImportError, ValueError, OSError, AttributeError):
        pass
    first = _run_learner(payload, ns)
    handles: list = []
    while True:
        line = rin.readline()
        if not line:
            os._exit(0)
        try:
            req = json.loads(line)
            op = req["op"]
        except Exception:
            os._exit(2)
        if op == "names":
            first["stdout"] = out.getvalue()
            send(first)
            continue
        saved = sys.stdout
        sys.stdout = sys.stderr = CappedText()     # what a test makes the code print is not shown
        try:
            answer = _answer(op, req, ns, handles)
            answer = answer if type(answer) is _Reply else {"v": answer}
        except StopIteration:
            answer = {"stop": True}
        except BaseException as e:                 # SystemExit and KeyboardInterrupt too: the loop goes on
            answer = {"raise": [text(type(e).__name__, 100), text(e, 1000)]}
        sys.stdout = sys.stderr = saved
        try:
            send(answer)
        except (TypeError, ValueError):
            send({"raise": ["ValueError", "the value cannot be sent"]})


_enc = enc
_MUTABLE = (list, dict, set, bytearray)


class _Reply(dict):
    pass


def _no_processes_hook(me: int):
    """Defence in depth (the sandbox's seccomp filter is the real barrier; without the sandbox it is the only
    one, and a weak one): no new processes, no signals to other processes.  An OSError, which libraries
    that try to start a helper program already expect."""
    events = frozenset(("subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork",
                        "os.forkpty", "os.startfile", "pty.spawn"))

    def hook(event, args, _events=events, _me=me):
        if event in _events or (event in ("os.kill", "os.killpg", "signal.pthread_kill")
                                and not (event == "os.kill" and args and args[0] == _me)):
            raise PermissionError(f"{event} is not allowed in an exercise")
    return hook


def _run_learner(payload, ns) -> dict:
    try:
        exec(compile(payload["setup"], "<setup>", "exec"), ns)
    except BaseException as e:
        return {"status": "setup_error", "message": text(repr(e), 1000)}
    _note_setup_classes(ns)
    try:
        code = compile(payload["code"], "<your code>", "exec")
    except (SyntaxError, ValueError) as e:
        line = getattr(e, "lineno", None) or 1
        return {"status": "syntax_error", "message": text(f"line {line}: {getattr(e, 'msg', None) or e}", 1000)}
    sys.addaudithook(_no_processes_hook(os.getpid()))
    try:
        exec(code, ns)
    except BaseException as e:
        tb, line = e.__traceback__, None
        while tb is not None:                      # the deepest line of the learner's code
            if tb.tb_frame.f_code.co_filename == "<your code>":
                line = tb.tb_lineno
            tb = tb.tb_next
        return {"status": "learner_error", "message": (f"line {line}: " if line else "") + error_text(e)}
    return {"status": "ok", "names": [k for k in list(ns) if isinstance(k, str) and not k.startswith("__")]}


def _answer(op, req, ns, handles):
    def arg(v):
        return dec(v, lambda i, t: handles[i] if i is not None else __import__(t) and sys.modules[t])

    def enc(x, handles):                           # too big or too deep to send: the tests get a stand-in
        try:
            return _enc(x, handles)
        except TooBig:
            handles.append(x)
            return ["p", len(handles) - 1, _type_name(x)]

    if op == "get":
        return enc(ns[req["name"]], handles)
    obj = handles[int(req["h"])]
    if op == "getattr":
        return enc(getattr(obj, str(req["a"])), handles)
    if op == "call":
        args = [arg(a) for a in req.get("args", [])]
        kw = {str(k): arg(v) for k, v in req.get("kw", [])}
        result = enc(obj(*args, **kw), handles)
        # the arguments' contents after the call, for a test that checks what a function changed in place
        return _Reply(v=result, after=[enc(a, handles) if type(a) in _MUTABLE else None for a in args])
    if op == "len":
        return len(obj)
    if op == "iter":
        return enc(iter(obj), handles)
    if op == "next":
        return enc(next(obj), handles)
    if op == "getitem":
        return enc(obj[arg(req["k"])], handles)
    if op == "contains":
        return bool(arg(req["k"]) in obj)
    if op == "bool":
        return bool(obj)
    if op in ("str", "repr"):
        return text(str(obj) if op == "str" else repr(obj), 100_000)
    if op == "float":
        return float.__float__(float(obj))
    if op in ("int", "index"):
        return int.__index__(int(obj) if op == "int" else operator.index(obj))
    raise ValueError(f"unknown operation {op!r}")


# ------------------------------------------------------------------ judge side
class LearnerGone(Exception):
    pass


class Judge:
    def __init__(self, rin, wout):
        self.rin, self.wout = rin, wout
        self.gone: str | None = None

    def ask(self, **req):
        if self.gone:
            raise LearnerGone(self.gone)
        self.wout.write(json.dumps(req, ensure_ascii=True).encode() + b"\n")
        line = self.rin.readline()
        try:
            ans = json.loads(line)
        except (ValueError, RecursionError):
            ans = None
        if not isinstance(ans, dict):
            self.gone = "your program sent an answer that cannot be read"
            raise LearnerGone(self.gone)
        if "gone" in ans:
            self.gone = text(ans["gone"], 300)
            raise LearnerGone(self.gone)
        return ans

    def value(self, ans):
        if "raise" in ans:
            name, msg = (list(ans["raise"]) + ["", ""])[:2]
            raise _exception(text(name, 100), text(msg, 1000))
        if ans.get("stop") is True:
            raise StopIteration
        try:
            return dec(ans.get("v"), self.remote)
        except (TooBig, ValueError, TypeError, KeyError, IndexError, RecursionError):
            raise TypeError("your code gave a value that cannot be checked") from None

    def remote(self, h, type_name):
        if h is None:                              # a module: the judge's own clean copy, if it is a known one
            mod = sys.modules.get(type_name)
            if mod is None and type_name.split(".")[0] in sys.stdlib_module_names \
                    and type_name.split(".")[0] not in _NO_IMPORT:
                try:
                    mod = __import__(type_name) and sys.modules[type_name]
                except Exception:
                    mod = None
            if mod is None:
                raise TypeError(f"the module {text(type_name, 100)} cannot be used by the tests")
            return mod
        return LearnerObject(self, h, type_name)

    def encode(self, x):
        if isinstance(x, LearnerObject):
            return ["p", object.__getattribute__(x, "_h")]
        if isinstance(x, (list, tuple, set, frozenset)):
            tag = "l" if isinstance(x, list) else "t" if isinstance(x, tuple) else "f" if isinstance(x, frozenset) \
                else "s"
            return [tag, [self.encode(v) for v in x]]
        if isinstance(x, dict):
            return ["d", [[self.encode(k), self.encode(v)] for k, v in x.items()]]
        return enc(x)


#: standard modules whose import does something (opens a browser, prints, starts a GUI)
_NO_IMPORT = frozenset({"antigravity", "this", "__hello__", "__phello__", "idlelib", "turtle", "turtledemo",
                        "tkinter", "webbrowser", "pydoc", "ensurepip", "venv"})

_BUILTIN_ERRORS = {k: v for k, v in vars(builtins).items()
                   if isinstance(v, type) and issubclass(v, Exception)}


def _exception(name: str, msg: str) -> Exception:
    cls = _BUILTIN_ERRORS.get(name)
    if cls is None or cls is AssertionError:      # an assert in the learner's own code is an error, not a fail
        safe = name if name.isidentifier() else "Error"
        cls = type(safe, (Exception,), {})
    try:
        return cls(msg)
    except Exception:
        return RuntimeError(f"{name}: {msg}")


def _no_compare(self, *a):
    raise TypeError(f"the tests cannot compare your {object.__getattribute__(self, '_t')} object: "
                    "they need a plain value (a number, a text, a list, a dictionary ...)")


class LearnerObject:
    """A stand-in, in the judge, for an object of the learner's that is not a plain value."""
    __slots__ = ("_j", "_h", "_t")

    def __init__(self, judge, h, type_name):
        object.__setattr__(self, "_j", judge)
        object.__setattr__(self, "_h", h)
        object.__setattr__(self, "_t", type_name)

    def _op(self, op, **kw):
        j = object.__getattribute__(self, "_j")
        return j.value(j.ask(op=op, h=object.__getattribute__(self, "_h"), **kw))

    def __getattr__(self, name):
        return LearnerObject._op(self, "getattr", a=name)

    def __setattr__(self, name, value):
        raise TypeError("the tests cannot change your objects")

    def __call__(self, *args, **kw):
        j = object.__getattribute__(self, "_j")
        ans = j.ask(op="call", h=object.__getattribute__(self, "_h"), args=[j.encode(a) for a in args],
                    kw=[[k, j.encode(v)] for k, v in kw.items()])
        after = ans.get("after")
        if isinstance(after, list) and len(after) == len(args):
            for a, new in zip(args, after):      # what the learner's function changed in the test's lists ...
                if new is not None and type(a) in _MUTABLE:
                    _update(a, j.value({"v": new}))
        return j.value(ans)

    def __len__(self):
        return LearnerObject._op(self, "len")

    def __iter__(self):
        it = LearnerObject._op(self, "iter")
        if not isinstance(it, LearnerObject):
            return iter(it)
        return it

    def __next__(self):
        return LearnerObject._op(self, "next")

    def __getitem__(self, k):
        return LearnerObject._op(self, "getitem", k=object.__getattribute__(self, "_j").encode(k))

    def __contains__(self, k):
        return LearnerObject._op(self, "contains", k=object.__getattribute__(self, "_j").encode(k))

    def __bool__(self):
        return LearnerObject._op(self, "bool") is True

    def __str__(self):
        return str(LearnerObject._op(self, "str"))

    def __repr__(self):
        return str(LearnerObject._op(self, "repr"))

    def __float__(self):
        return float(LearnerObject._op(self, "float"))

    def __int__(self):
        return int(LearnerObject._op(self, "int"))

    def __index__(self):
        return operator.index(LearnerObject._op(self, "index"))

    __eq__ = __ne__ = __lt__ = __le__ = __gt__ = __ge__ = __hash__ = _no_compare


def _update(old, new) -> None:
    """Make the test's ``old`` (list, dict, set, bytearray) hold ``new``'s contents, in place."""
    if type(new) is not type(old) and not (type(old) is bytearray and type(new) is bytes):
        raise TypeError("your code changed an argument into something else")
    if type(old) is dict:
        old.clear()
        old.update(new)
    elif type(old) is set:
        old.clear()
        old.update(new)
    else:
        old[:] = new


def _read_names(code) -> set:
    names = set(code.co_names)
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            names |= _read_names(c)
    return names


def judge_main() -> None:
    rin, wout = _channel()
    payload = json.loads(rin.readline())
    sys.path.extend(p for p in payload.get("path", []) if p not in sys.path)
    real_out = sys.stdout
    sys.stdout = sys.stderr = CappedText()

    def verdict(obj):
        wout.write(b"=" + json.dumps(obj, ensure_ascii=True, allow_nan=True).encode() + b"\n")
        sys.exit(0)

    setup_ns = {"__name__": "__main__", "__builtins__": builtins}
    try:
        exec(compile(payload["setup"], "<setup>", "exec"), setup_ns)
        _note_setup_classes(setup_ns)
    except BaseException as e:
        verdict({"status": "setup_error", "message": text(repr(e), 1000), "stdout": "", "tests": []})
    helpers = {k: v for k, v in setup_ns.items()
               if not k.startswith("__") and (callable(v) or isinstance(v, types.ModuleType))}
    judge = Judge(rin, wout)
    try:
        first = judge.ask(op="names")
    except LearnerGone as e:
        verdict({"status": "learner_error", "message": str(e), "stdout": "", "tests": []})
    status = first.get("status")
    stdout = text(first.get("stdout", ""), MAX_STDOUT + 100)
    if status != "ok":
        if status not in ("setup_error", "syntax_error", "learner_error"):
            status = "learner_error"
        verdict({"status": status, "message": text(first.get("message", ""), 1000), "stdout": stdout, "tests": []})
    names = first.get("names")
    learner_names = {n for n in names if isinstance(n, str)} if isinstance(names, list) else set()

    rows = []
    clean_builtins = dict(vars(builtins))
    for src in payload["tests"]:
        sys.stdout = sys.stderr = CappedText()
        try:
            code = compile(src, "<test>", "exec")
        except BaseException as e:
            rows.append({"status": "error", "message": text("the test does not compile: " + repr(e), 1000)})
            continue
        tns = {"__name__": "__main__", "__builtins__": dict(clean_builtins)}
        tns.update(helpers)
        try:
            for n in sorted(_read_names(code)):
                if n in learner_names and n not in helpers:
                    v = judge.value(judge.ask(op="get", name=n))
                    if n in clean_builtins and isinstance(v, (LearnerObject, types.ModuleType)):
                        continue      # a learner's `abs = lambda x: 0` does not replace the tests' abs
                    tns[n] = v
            exec(code, tns)
            rows.append({"status": "passed", "message": ""})
        except LearnerGone as e:
            rows.append({"status": "error", "message": text(e, 1000)})
        except AssertionError as e:
            rows.append({"status": "failed", "message": text(e, 1000)})
        except BaseException as e:
            rows.append({"status": "error", "message": error_text(e)})
    sys.stdout = real_out
    verdict({"status": "ok", "tests": rows, "stdout": stdout})


if __name__ == "__main__":
    sys.setrecursionlimit(3000)
    {"learner": learner_main, "judge": judge_main}[sys.argv[1]]()
