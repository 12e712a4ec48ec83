"""bench import: `import h4s_widgets` vs `import ipywidgets`, in fresh processes, alternating.

    .venv/bin/python bench/import_time.py [--runs 21] [--before DIR]

Also measures what a notebook really pays: import plus building and
rendering one quiz, against importing ipywidgets and building one widget.
Two first quizzes: one built in Python (``SingleChoice(...)``), and the
modules' own (``Quiz('questions/tour.yml', ids=[...])``, module 01's first),
once from the bank kept by an earlier run (a throw-away cache folder, filled
before the rounds start) and once with the cache off (what a bank's first
ever showing costs).  ``--before DIR`` adds the quiz cases once more with
an older h4s_widgets first on the path (e.g. ``git archive <commit>
h4s_widgets | tar -x -C DIR``), measured in the same run, its kept banks in
a cache folder of its own.

One more case is no h4s at all: the ipywidgets widget and then the smallest pydantic model (three string
fields) built and validated once.  It is the floor of any first quiz whose questions are pydantic models,
as ``SingleChoice(...)`` is: pydantic's import, its plugin lookup and one model's validator.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import tempfile

from _util import ROOT, fmt, machine, python, summary, time_cmd

BANK = "modules/01-learning-with-interactive-modules/questions/tour.yml"
IPY = "ipywidgets: import + RadioButtons + render"
PY_QUIZ = "h4s: import + Quiz + render"
BANK_QUIZ = "h4s: import + Quiz(bank file) + render, kept bank"
BANK_COLD = "h4s: import + Quiz(bank file) + render, cache off"
FLOOR = "no h4s: ipywidgets widget + one 3-field pydantic model validated"
BANK_CODE = (
    "from h4s_widgets import Quiz\n"
    f"Quiz({BANK!r}, ids=['work-steps', 'hint-penalty', 'attempts'], module='01-learning-with-interactive-modules',"
    " title='Check yourself: checking, hints and attempts')._repr_mimebundle_()")
CASES = {
    "import h4s_widgets": ("import h4s_widgets", {}),
    "import ipywidgets": ("import ipywidgets", {}),
    PY_QUIZ: (
        "from h4s_widgets import Quiz, SingleChoice\n"
        "q = SingleChoice(id='q', text='Pick one', options=[{'id':'a','text':'A'},{'id':'b','text':'B'}], answer='a')\n"
        "Quiz([q])._repr_mimebundle_()", {}),
    BANK_QUIZ: (BANK_CODE, {"H4S_CACHE_DIR": "{cache}"}),
    BANK_COLD: (BANK_CODE, {"H4S_CACHE_DIR": "off"}),
    IPY: ("import ipywidgets as w\nw.RadioButtons(options=['A','B'], description='Pick one')._repr_mimebundle_()", {}),
    FLOOR: ("import ipywidgets as w\nw.RadioButtons(options=['A','B'], description='Pick one')._repr_mimebundle_()\n"
            "from pydantic import BaseModel\n"
            "class Q(BaseModel):\n    id: str\n    text: str\n    answer: str\n"
            "Q(id='q', text='Pick one', answer='a')", {}),
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=21)
    ap.add_argument("--before", help="a folder holding an older h4s_widgets, measured in the same run")
    a = ap.parse_args()
    cache = tempfile.mkdtemp(prefix="h4s-bench-cache-")
    before_cache = tempfile.mkdtemp(prefix="h4s-bench-cache-before-")
    os.chmod(cache, 0o700)
    os.chmod(before_cache, 0o700)
    try:
        cmds = {}
        for k, (code, env) in CASES.items():
            env = {**os.environ, "H4S_RECORDS": "off", **{e: v.format(cache=cache) for e, v in env.items()}}
            cmds[k] = ([python(), "-c", code], env)
            if a.before and k in (PY_QUIZ, BANK_QUIZ, BANK_COLD):
                first = f"import sys; sys.path.insert(0, {str(a.before)!r})\n"
                # the older code keeps its banks in a folder of its own (another entry format)
                benv = {**env, "H4S_CACHE_DIR": before_cache} if k == BANK_QUIZ else env
                cmds[f"before: {k}"] = ([python(), "-c", first + code], benv)
        for k in (BANK_QUIZ, f"before: {BANK_QUIZ}"):   # keeps the bank (an older h4s may keep none)
            if k in cmds:
                subprocess.run(cmds[k][0], check=True, cwd=ROOT, env=cmds[k][1])
        res: dict[str, list[float]] = {k: [] for k in cmds}
        for _ in range(a.runs):
            for k, (cmd, env) in cmds.items():
                res[k].append(_timed(cmd, env))
    finally:
        shutil.rmtree(cache, ignore_errors=True)
        shutil.rmtree(before_cache, ignore_errors=True)
    print(f"machine: {machine()}")
    s = {k: summary(k, v) for k, v in res.items()}
    for v in s.values():
        print(fmt(v))
    med = {k: v["median"] for k, v in s.items()}
    low = {k: v["min"] for k, v in s.items()}
    print(f"ratio import h4s_widgets / import ipywidgets: {med['import h4s_widgets'] / med['import ipywidgets']:.2f}")
    # the ratio of medians and of minimums, and the median of each round's ratio (the round's runs follow one
    # another within a second, so it holds up better when other work on the machine comes and goes)
    for k in [PY_QUIZ, BANK_QUIZ, BANK_COLD, FLOOR] + ([f"before: {k}" for k in (PY_QUIZ, BANK_QUIZ, BANK_COLD)] if a.before else []):
        rounds = statistics.median(x / y for x, y in zip(res[k], res[IPY]))
        print(f"ratio {k} / {IPY.split(':')[0]}: medians {med[k] / med[IPY]:.2f}, minimums {low[k] / low[IPY]:.2f}, "
              f"rounds {rounds:.2f}")


def _timed(cmd: list[str], env: dict) -> float:
    cwd = os.getcwd()
    os.chdir(ROOT)   # the bank's path is relative to the repository, as in a module's notebook folder
    try:
        return time_cmd(cmd, env=env)
    finally:
        os.chdir(cwd)


if __name__ == "__main__":
    main()
