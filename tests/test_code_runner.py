"""Code exercises: h4s_widgets.grade on a CodeExercise runs the learner code and the hidden tests in two processes.

Honest answers are graded; cheating attempts must never be graded as passed.
"""
from __future__ import annotations

import time

import pytest

from h4s_widgets import grade
from h4s_widgets._schema import CodeExercise

SETUP = '''
PRICES = [1.5, 2.5, 6.0]

def check(got, want):
    assert got == want, f"got {got!r}, expected {want!r}"
'''

EXERCISE = {
    "type": "code", "id": "total", "text": "Write `total(xs)`: the sum of the numbers in `xs`.", "points": 2,
    "setup": SETUP,
    "starter": "def total(xs):\n    ...\n",
    "solution": "def total(xs):\n    return sum(xs)\n",
    "tests": [
        {"name": "empty list", "code": "assert total([]) == 0, 'total([]) should be 0'"},
        {"name": "three numbers", "code": "assert total([1, 2, 3]) == 6, 'total([1, 2, 3]) should be 6'",
         "feedback": "Add up **all** the numbers."},
        {"name": "the prices", "code": "check(total(PRICES), 10.0)"},
        {"name": "a list of the right length",
         "code": "assert len([total([1])]) == 1 and total([2, 2]) == len('abcd')"},
    ],
    "timeout_s": 5,
}


def run(code: str, **changes):
    q = CodeExercise.model_validate({**EXERCISE, **changes})
    return grade(q, code)


def not_passed(res) -> bool:
    return res.correct is not True and res.score < res.max_score


# ------------------------------------------------------------------ honest

def test_all_tests_pass():
    res = run("def total(xs):\n    return sum(xs)\n")
    assert res.as_dict() == {"score": 2.0, "max_score": 2.0, "correct": True,
                             "feedback": ["test:0:passed", "test:1:passed", "test:2:passed", "test:3:passed"]}
    assert [t["status"] for t in res.details["tests"]] == ["passed"] * 4


def test_one_test_fails_with_its_feedback():
    # wrong for more than 2 numbers: passes tests 0 and 3, fails 1 and 2
    code = "def total(xs):\n    return sum(xs[:2])\n"
    res = run(code)
    assert res.feedback == ["test:0:passed", "test:1:failed", "test:2:failed", "test:3:passed"]
    assert res.score == 1.0 and res.max_score == 2.0 and res.correct is False
    rows = res.details["tests"]
    assert rows[1]["message"] == "total([1, 2, 3]) should be 6"
    assert rows[1]["feedback"] == "Add up **all** the numbers."
    assert rows[2]["message"] == "got 4.0, expected 10.0"
    assert rows[0]["feedback"] is None


def test_printing_is_captured():
    res = run("print('hello from the learner')\ndef total(xs):\n    return sum(xs)\n")
    assert res.correct is True
    assert "hello from the learner" in res.details["stdout"]


def test_error_inside_a_test_is_an_error_not_a_failure():
    res = run("def total(xs):\n    return xs.sum()\n")
    assert res.feedback == ["test:0:error", "test:1:error", "test:2:error", "test:3:error"]
    assert "AttributeError" in res.details["tests"][0]["message"]
    assert res.score == 0 and res.correct is False


def test_syntax_error():
    res = run("def total(xs)\n    return sum(xs)\n")
    assert res.feedback == ["syntax_error"]
    assert res.score == 0 and res.correct is False
    assert res.details["message"].startswith("line 1:")


def test_exception_in_learner_code_reports_its_line():
    res = run("def total(xs):\n    return sum(xs)\n\nrate = 1 / 0\n")
    assert res.feedback == ["learner_error"]
    assert res.details["message"] == "line 4: ZeroDivisionError: division by zero"
    assert all(t["status"] == "not_run" for t in res.details["tests"])


def test_exception_in_a_learner_function_at_import_reports_the_deepest_learner_line():
    res = run("def f():\n    return [][1]\n\nf()\n")
    assert res.feedback == ["learner_error"]
    assert res.details["message"].startswith("line 2: IndexError")


def test_infinite_loop_hits_the_timeout():
    t0 = time.monotonic()
    res = run("while True:\n    pass\n", timeout_s=1)
    assert res.feedback == ["timeout"] and res.score == 0 and res.correct is False
    assert time.monotonic() - t0 < 5


def test_infinite_loop_inside_a_test_hits_the_timeout():
    res = run("def total(xs):\n    while True:\n        pass\n", timeout_s=1)
    assert res.feedback == ["timeout"] and res.correct is False


def test_empty_and_wrong_type():
    assert run("  \n").feedback == ["empty"]
    assert run(None).feedback == ["empty"]
    assert run(42).feedback == ["invalid"]


def test_libraries_that_read_frames_still_work():
    # namedtuple, typing, enum and logging look at frames; numpy loads ctypes; tracebacks of one's own code
    code = ("from collections import namedtuple\nimport math, json, statistics, typing, enum, logging, inspect\n"
            "import traceback\nimport numpy as np\n"
            "P = namedtuple('P', 'x y')\nT = typing.NamedTuple('T', [('a', int)])\n"
            "Color = enum.Enum('Color', 'RED GREEN')\nlogging.getLogger('x').warning('careful')\n"
            "try:\n    1 / 0\nexcept ZeroDivisionError:\n    TB = traceback.format_exc()\n"
            "DEPTH = len(inspect.stack())\n"
            "def total(xs):\n    return float(np.sum(xs)) if P(1, 2).x == 1 and 'ZeroDivision' in TB else -1\n")
    res = run(code)
    assert res.correct is True, res.details


# ---------------------------------------------------------------- cheating
# Each learner answer below is wrong (total returns a constant) and tries to get graded as correct.

WRONG = "\ndef total(xs):\n    return 0\n"

# finds an object in the locals of any frame on the stack (the harness's frame included)
FIND = (
    "import sys\n"
    "def find(pred):\n"
    "    f = sys._getframe()\n"
    "    while f is not None:\n"
    "        for o in list(f.f_locals.values()):\n"
    "            if pred(o):\n                return o\n"
    "        f = f.f_back\n"
    "    raise LookupError('not found')\n"
)

CHEATS = {
    "redefine-builtin-len": "import builtins\nbuiltins.len = lambda x: 4\n" + WRONG,
    "redefine-builtin-exec": "import builtins\nbuiltins.exec = lambda *a, **k: None\n"
                             "builtins.compile = lambda *a, **k: None\n" + WRONG,
    "swap-assertion-error": "import builtins\nclass Nope(Exception):\n    pass\n"
                            "builtins.AssertionError = Nope\nbuiltins.BaseException = Nope\n" + WRONG,
    "redefine-test-helper": "def check(got, want):\n    pass\n" + WRONG,
    "object-whose-eq-is-always-true": "class Yes:\n    def __eq__(self, other):\n        return True\n"
                                      "    __hash__ = object.__hash__\n"
                                      "def total(xs):\n    return Yes()\n",
    "int-subclass-whose-eq-is-always-true": "class Int(int):\n    def __eq__(self, other):\n        return True\n"
                                            "    __hash__ = int.__hash__\n"
                                            "def total(xs):\n    return Int(0)\n",
    "shadow-builtins-with-globals": "def len(x):\n    return 1 if isinstance(x, list) else 0\n"
                                    "abs = lambda x: 0\n" + WRONG,
    "redefine-harness-names": "def _h4s_main():\n    pass\ndef finish():\n    pass\n" + WRONG,
    "print-fake-success-json": (
        "import json, sys, os\n"
        "fake = json.dumps({'status': 'ok', 'tests': [{'status': 'passed', 'message': ''}] * 4, 'stdout': ''})\n"
        "print(fake)\nsys.__stdout__.write(fake + '\\n')\nsys.__stdout__.flush()\nos.write(1, fake.encode())\n"
        + WRONG),
    "fake-json-then-os-exit": (
        "import json, os\n"
        "fake = json.dumps({'status': 'ok', 'tests': [{'status': 'passed', 'message': ''}] * 4, 'stdout': ''})\n"
        "for fd in range(1, 20):\n"
        "    try:\n        os.write(fd, fake.encode())\n    except OSError:\n        pass\n"
        "os._exit(0)\n"),
    "patch-json-dumps": (
        "import json\n"
        "fake = json.dumps({'status': 'ok', 'tests': [{'status': 'passed', 'message': ''}] * 4, 'stdout': ''})\n"
        "json.dumps = lambda *a, **k: fake\n"
        "json.JSONEncoder.encode = lambda self, o: fake\n" + WRONG),
    "patch-redirect-stdout-to-swallow-errors": (
        "import contextlib\n"
        "contextlib.redirect_stdout.__exit__ = lambda self, *exc: True\n"
        "contextlib._RedirectStream.__exit__ = lambda self, *exc: True\n" + WRONG),
    "sys-exit-0": "import sys\nsys.exit(0)\n",
    "raise-system-exit-in-function": "def total(xs):\n    raise SystemExit(0)\n",
    "os-exit-0": "import os\nos._exit(0)\n",
    "os-exit-in-function": "import os\ndef total(xs):\n    os._exit(0)\n",
    "read-tests-from-stdin-and-argv": (
        "import sys, re\n"
        "src = sys.stdin.read() + ' '.join(sys.argv)\n"
        "WANT = [int(n) for n in re.findall(r'== (\\d+)', src)]\n"
        "def total(xs):\n    return WANT.pop(0) if WANT else -1\n"),
    "walk-frames-for-the-tests-and-token": (
        "import sys, json, os\n"
        "f = sys._getframe(1)\n"
        "while f is not None:\n"
        "    loc = f.f_locals\n"
        "    if 'token' in loc:\n"
        "        out = loc.get('out_path') or loc.get('out')\n"
        "        rows = [{'status': 'passed', 'message': ''}] * 4\n"
        "        body = json.dumps({'status': 'ok', 'tests': rows, 'stdout': ''})\n"
        "        if isinstance(loc.get('fd'), int):\n"
        "            os.write(loc['fd'], (loc['token'] + body).encode())\n"
        "        else:\n"
        "            open(out, 'w').write(loc['token'] + body)\n"
        "        os._exit(0)\n"
        "    f = f.f_back\n" + WRONG),
    "frames-through-a-traceback": (
        "import os\n"
        "try:\n    1 / 0\nexcept ZeroDivisionError as e:\n    f = e.__traceback__.tb_frame\n"
        "while f is not None:\n"
        "    if 'token' in f.f_locals:\n        os._exit(0)\n"
        "    f = f.f_back\n" + WRONG),
    "frames-through-a-signal-handler": (
        "import signal, os\n"
        "def handler(signum, frame):\n"
        "    global FRAME\n    FRAME = frame\n"
        "signal.signal(signal.SIGUSR1, handler)\n"
        "os.kill(os.getpid(), signal.SIGUSR1)\n" + WRONG),
    "search-gc-for-the-token": (
        "import gc\n"
        "found = [o for o in gc.get_objects() if isinstance(o, dict) and 'token' in o]\n" + WRONG),
    "ctypes": "import ctypes\n" + WRONG,
    "read-proc-self-mem": "data = open('/proc/self/mem', 'rb')\n" + WRONG,
    "read-the-running-test-from-its-frame": (
        "import sys\n"
        "def total(xs):\n"
        "    consts = sys._getframe(1).f_code.co_consts\n"
        "    return [c for c in consts if type(c) in (int, float) and c not in (1, 2, 3)][0]\n"),
    "read-the-running-test-from-a-traceback": (
        "def total(xs):\n"
        "    try:\n        raise KeyError\n    except KeyError as e:\n"
        "        consts = e.__traceback__.tb_frame.f_back.f_code.co_consts\n"
        "    return [c for c in consts if type(c) in (int, float) and c not in (1, 2, 3)][0]\n"),
    "send-fake-results-to-the-harness": FIND + (
        "v = find(lambda o: hasattr(o, 'send') and hasattr(o, 'gi_code'))\n"
        "for i in range(4):\n    v.send(('add', 'passed', ''))\n"
        "v.send(('finish', 'ok', ''))\n" + WRONG),
    "read-the-token-from-the-vault": FIND + (
        "import os\n"
        "v = find(lambda o: hasattr(o, 'send') and hasattr(o, 'gi_code'))\n"
        "try:\n"
        "    loc = v.gi_frame.f_locals\n"
        "    rows = [{'status': 'passed', 'message': ''}] * 4\n"
        "    os.write(loc['fd'], (loc['token'] + repr({'status': 'ok', 'tests': rows, 'stdout': ''})).encode())\n"
        "    os._exit(0)\n"
        "except ValueError:\n    pass\n" + WRONG),
    "gc-referents-of-the-vault": FIND + (
        "import gc\n"
        "v = find(lambda o: hasattr(o, 'send') and hasattr(o, 'gi_code'))\n"
        "try:\n    gc.get_referents(v)\nexcept ValueError:\n    pass\n" + WRONG),
    "poison-the-clean-builtins": FIND + (
        "import types\n"
        "clean = find(lambda o: isinstance(o, types.MappingProxyType) and 'len' in o)\n"
        "try:\n    clean['len'] = lambda x: 4\nexcept TypeError:\n    pass\n"
        "import builtins\nbuiltins.len = lambda x: 4\n" + WRONG),
    "replace-harness-function-code": FIND + (
        "import types\n"
        "for name in ('restore_builtins', 'text', 'error_text', 'check'):\n"
        "    f = find(lambda o: isinstance(o, types.FunctionType) and o.__name__ == name)\n"
        "    try:\n        f.__code__ = (lambda *a, **k: None).__code__\n"
        "    except (ValueError, AttributeError):\n        pass\n"
        "    try:\n        f.__defaults__ = (None,) * 9\n"
        "    except (ValueError, AttributeError):\n        pass\n" + WRONG),
    "trace-the-harness": (
        "import sys, threading\n"
        "try:\n    sys.settrace(lambda *a: None)\nexcept ValueError:\n    pass\n"
        "try:\n    sys._current_frames()\nexcept ValueError:\n    pass\n" + WRONG),
    "add-an-audit-hook-to-see-the-tests": (
        "import sys\nSEEN = []\n"
        "sys.addaudithook(lambda event, args: SEEN.append(args) if event == 'exec' else None)\n"
        "def total(xs):\n"
        "    nums = [c for a in SEEN for c in getattr(a[0], 'co_consts', ()) if type(c) is int and c > 3]\n"
        "    return nums[-1] if nums else 0\n"),
}


@pytest.fixture(scope="module")
def cheat_results():
    """All cheating attempts graded at once, in parallel (each is its own process): keeps this file fast."""
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(max_workers=8) as pool:
        return dict(zip(CHEATS, pool.map(run, CHEATS.values())))


@pytest.mark.parametrize("name", list(CHEATS))
def test_cheating_does_not_pass(name, cheat_results):
    res = cheat_results[name]
    assert not_passed(res), (name, res.as_dict(details=True))
    assert res.correct is False
    # tests 1-3 need a real sum (test 0 passes honestly: total([]) == 0)
    assert not {"test:1:passed", "test:2:passed", "test:3:passed"} & set(res.feedback), res.feedback


def test_cheat_that_signals_the_grading_kernel_is_blocked():
    # the learner's parent is this process (the kernel in real use): SIGUSR2 instead of SIGTERM,
    # so that a regression shows up as a failure here and does not kill the test run
    import os
    import signal
    got = []
    old = signal.signal(signal.SIGUSR2, lambda signum, frame: got.append(signum))
    try:
        res = run("import os, signal\nos.kill(os.getppid(), signal.SIGUSR2)\n" + WRONG)
        time.sleep(0.2)
    finally:
        signal.signal(signal.SIGUSR2, old)
    assert got == [], "the learner's code could signal the grading process"
    assert not_passed(res) and "test:1:passed" not in res.feedback


def test_values_with_builtin_names_and_big_numbers_still_reach_the_tests():
    tests = [{"name": "big", "code": "assert total([]) == 2 ** 200 and max == 3 and type(max) is int"}]
    assert run("max = 3\ndef total(xs):\n    return 2 ** 200 + sum(xs)\n", tests=tests).correct is True


def test_redefined_helper_is_the_setup_one_in_tests():
    # an honest learner who happens to define `check` does not break the tests either
    res = run("def check(a, b):\n    raise RuntimeError('mine')\n\ndef total(xs):\n    return sum(xs)\n")
    assert res.correct is True, res.details


def test_without_the_sandbox_the_verdict_is_still_outside(monkeypatch):
    # H4S_SANDBOX=off (authoring on one's own machine): plain child processes, the same two-process design
    monkeypatch.setenv("H4S_SANDBOX", "off")
    assert run("def total(xs):\n    return sum(xs)\n").correct is True
    assert not_passed(run(CHEATS["fake-json-then-os-exit"]))
    assert run("def total(xs):\n    return sum(xs[:2])\n").feedback == [
        "test:0:passed", "test:1:failed", "test:2:failed", "test:3:passed"]


def test_patching_modules_the_tests_use_does_not_pass():
    # one test relies on a module the setup imported, one on a module only the test imports
    tests = [{"name": "float sum", "code": "assert math.isclose(total([0.1, 0.2]), 0.3)"},
             {"name": "mean", "code": "import statistics\nassert statistics.fmean([total([1, 2]), 3]) == 3"}]
    honest = run("def total(xs):\n    return sum(xs)\n", setup="import math\n", tests=tests)
    assert honest.correct is True, honest.details
    cheat = run("import math, statistics\nmath.isclose = lambda *a, **k: True\n"
                "statistics.fmean = lambda xs: 3\n" + WRONG, setup="import math\n", tests=tests)
    assert cheat.feedback == ["test:0:failed", "test:1:failed"], cheat.details


def test_big_values_reach_the_tests_as_stand_ins():
    tests = [{"name": "long", "code": "assert len(total([])) == 300000 and total([])[-1] == 299999"}]
    res = run("def total(xs):\n    return list(range(300000))\n", tests=tests)
    assert res.correct is True, res.details


def test_learner_values_keep_their_honest_contents():
    # a Counter is a dict, numpy numbers are numbers, generators and objects are asked for what the test uses
    tests = [{"name": "counter", "code": "assert counts == {'a': 2, 'b': 1} and isinstance(counts, dict)"},
             {"name": "numpy", "code": "assert total([1, 2]) == 3 and type(total([1, 2])) in (int, float)"},
             {"name": "generator", "code": "assert list(gen) == [0, 1, 2]"},
             {"name": "object", "code": "assert p.x == 1 and p.norm() == 5.0 and len(p) == 2 and str(p) == 'P'"}]
    code = ("from collections import Counter\nimport numpy as np\ncounts = Counter('aba')\n"
            "def total(xs):\n    return np.int64(sum(xs))\n"
            "gen = (i for i in range(3))\n"
            "class P:\n    x = 1\n    def norm(self):\n        return 5.0\n    def __len__(self):\n        return 2\n"
            "    def __str__(self):\n        return 'P'\np = P()\n")
    res = run(code, tests=tests)
    assert res.correct is True, res.details
    res = run("class P:\n    pass\np = P()\n" + "def total(xs):\n    return 0\n",
              tests=[{"name": "cmp", "code": "assert p == p"}])
    assert res.feedback == ["test:0:error"] and "cannot compare your P object" in res.details["tests"][0]["message"]


def test_changes_a_function_makes_to_its_arguments_are_seen_by_the_test():
    tests = [{"name": "in place", "code": "xs = [3, 1, 2]\nd = {}\nassert total(xs, d) is None\n"
                                          "assert xs == [1, 2, 3] and d == {'n': 3}"}]
    res = run("def total(xs, d):\n    xs.sort()\n    d['n'] = len(xs)\n", tests=tests)
    assert res.correct is True, res.details


def test_no_thread_or_descriptor_outlives_a_run():
    import os
    import threading
    run("while True:\n    pass\n", timeout_s=1)
    time.sleep(0.3)
    threads, fds = threading.active_count(), len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else 0
    for code in ("while True:\n    pass\n", "import os\nos._exit(3)\n", "def total(xs):\n    return sum(xs)\n"):
        run(code, timeout_s=1)
    time.sleep(0.5)
    assert threading.active_count() <= threads
    assert (len(os.listdir("/proc/self/fd")) if fds else 0) <= fds


def test_instances_of_the_setups_classes_are_compared_by_the_setups_class():
    setup = ("class Point:\n    def __init__(self, x, y):\n        self.x, self.y = x, y\n"
             "    def __eq__(self, other):\n        return type(other) is Point and (self.x, self.y) == (other.x, other.y)\n")
    tests = [{"name": "mid", "code": "assert total([Point(0, 0), Point(2, 4)]) == Point(1, 2)"}]
    honest = "def total(ps):\n    return Point(sum(p.x for p in ps) / len(ps), sum(p.y for p in ps) / len(ps))\n"
    assert run(honest, setup=setup, tests=tests).correct is True
    lying = "Point.__eq__ = lambda self, other: True\ndef total(ps):\n    return Point(0, 0)\n"
    assert run(lying, setup=setup, tests=tests).feedback == ["test:0:failed"]
    shadow = "def total(ps):\n    p = Point(0, 0)\n    p.__eq__ = lambda other: True\n    p.norm = lambda: 0\n    return p\n"
    assert run(shadow, setup=setup + "    def norm(self):\n        return 1\n", tests=tests).correct is False
