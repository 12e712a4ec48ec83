"""bench build: `h4s build` against plain `jupyter-book build` (with its cache) on the same book, alternating.

    .venv/bin/python bench/build.py [--runs 3] [--module 10-data-literacy-with-python]

Two copies of the repo's book (``_config.yml``, ``book/``, ``modules/``; ``_toc.yml`` made by
``h4s_kit.toc``) are made in bench/_work/build/{h4s,jb}, so the repo's own _build is not touched and
the two tools do not share a cache.  Each run measures, for each tool, alternating:

  full      h4s: ``h4s build --force``;  peer: remove _build, ``jupyter-book build``
            (both execute every notebook and fill the jupyter-cache);
  one       one code cell of one module changed (a new comment line, different every run,
            so the cache cannot have it), then build again;
  nothing   build again with nothing changed.

Both run with ``H4S_RECORDS=off`` (what h4s build sets for its kernels).  Prints median and range
per case, the ratio h4s/peer per case and the ratio one-module rebuild / full build per tool.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

import _util
from _util import ROOT, fmt, machine, summary, timed

WORK = ROOT / "bench" / "_work" / "build"
BIN = Path(sys.executable).parent
CASES = ("full", "one", "nothing")
TOOLS = ("h4s", "jupyter-book")


def copy_book(dest: Path) -> None:
    """The book copied to ``dest`` (_util.copy_book) with its _toc.yml made by h4s_kit.toc."""
    _util.copy_book(dest)
    sys.path.insert(0, str(ROOT))
    from h4s_kit.toc import write_toc
    write_toc(dest, dest / "modules")


def touch_code_cell(nb_path: Path, n: int) -> None:
    """Change the first code cell of a notebook: a new comment line, unique to this run."""
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    cell = next(c for c in nb["cells"] if c["cell_type"] == "code")
    src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
    lines = [ln for ln in src.split("\n") if not ln.startswith("# bench edit")]
    cell["source"] = "\n".join(lines + [f"# bench edit {n} {time.time_ns()}"])
    nb_path.write_text(json.dumps(nb, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def executed_count(tool: str, log: str) -> int:
    if tool == "h4s":
        return sum(1 for ln in log.splitlines() if ln.strip().startswith("executed "))
    return log.count("Executing notebook using")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--module", default="10-data-literacy-with-python", help="the module whose code cell changes")
    a = ap.parse_args()
    dirs = {"h4s": WORK / "h4s", "jupyter-book": WORK / "jb"}
    for d in dirs.values():
        copy_book(d)
    n_mod = len([p for p in (dirs["h4s"] / "modules").glob("*/module.ipynb")])
    env = dict(os.environ, H4S_RECORDS="off", PYDEVD_DISABLE_FILE_VALIDATION="1")
    env.pop("H4S_LIVE", None)

    def command(tool: str, case: str) -> list[str]:
        if tool == "h4s":
            return [str(BIN / "h4s"), "build", "--root", str(dirs[tool])] + (["--force"] if case == "full" else [])
        return [str(BIN / "jupyter-book"), "build", str(dirs[tool])]

    times = {t: {c: [] for c in CASES} for t in TOOLS}
    execd = {t: {c: [] for c in CASES} for t in TOOLS}
    for i in range(a.runs):
        for case in CASES:
            for tool in TOOLS:
                d = dirs[tool]
                if case == "full" and tool == "jupyter-book" and (d / "_build").exists():
                    shutil.rmtree(d / "_build")  # h4s build --force does this itself (timed)
                if case == "one":
                    touch_code_cell(d / "modules" / a.module / "module.ipynb", i)
                dt, log = timed(command(tool, case), d, env)
                times[tool][case].append(dt)
                execd[tool][case].append(executed_count(tool, log))
                print(f"  run {i + 1} {tool} {case}: {dt:.1f} s, {execd[tool][case][-1]} notebook(s) executed",
                      flush=True)

    import importlib.metadata as md
    print(f"machine: {machine()}")
    print("versions: " + ", ".join(f"{p} {md.version(p)}" for p in ("jupyter-book", "sphinx", "myst-nb",
                                                                      "jupyter-cache", "nbclient")))
    print(f"book: {n_mod} modules + {len(list((dirs['h4s'] / 'book').rglob('*.md')))} book pages; "
          f"changed module: {a.module}; {a.runs} runs, alternating h4s / jupyter-book")
    s = {t: {c: summary(f"{t}: {c}", times[t][c]) for c in CASES} for t in TOOLS}
    for c in CASES:
        for t in TOOLS:
            print(fmt(s[t][c]) + f"; notebooks executed {execd[t][c]}")
        print(f"ratio h4s / jupyter-book ({c}): {s['h4s'][c]['median'] / s['jupyter-book'][c]['median']:.2f}")
    for t in TOOLS:
        print(f"{t}: one-module rebuild / full build: {100 * s[t]['one']['median'] / s[t]['full']['median']:.1f} %; "
              f"no-change rebuild / full build: {100 * s[t]['nothing']['median'] / s[t]['full']['median']:.1f} %")
    print(json.dumps(times))


if __name__ == "__main__":
    main()
