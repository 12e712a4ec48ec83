"""bench check: `h4s check --jobs 2` of all modules against papermill running the same notebooks one after another.

    .venv/bin/python bench/check.py [--runs 3]

The modules are copied to bench/_work/check/modules first (a snapshot, so both sides see the same
notebooks in every run while the repo's modules are being edited).  Alternating, per run:

  h4s    ``h4s check <copy> --jobs 2`` (every step: metadata, questions, pedagogy, accessibility,
         credits, execution with nbclient over 2 processes, nbval: nbval's lax verdicts on that one
         execution, ``pytest --nbval-lax -n 2`` only for notebooks that need nbval itself -- none of
         the course modules; ``--nbval-rerun`` given to this script passes it on, nbval then runs every
         notebook again as before);
  peer   one Python process that imports papermill and runs ``papermill.execute_notebook`` on each
         notebook in turn (cwd = the module folder, output to bench/_work/check/out), the way a
         course team checks that its notebooks run without h4s.

Both with ``H4S_RECORDS=off``.  Prints median and range, the ratio h4s/peer, and the phases of the
h4s run (static steps, execution, nbval) from its progress lines, and how many notebooks nbval ran again.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from _util import ROOT, fmt, machine, summary

WORK = ROOT / "bench" / "_work" / "check"
BIN = Path(sys.executable).parent

PEER = r"""
import sys, time
from pathlib import Path
import papermill as pm
out = Path(sys.argv[1])
for nb in sys.argv[2:]:
    nb = Path(nb)
    t = time.perf_counter()
    pm.execute_notebook(str(nb), str(out / (nb.parent.name + ".ipynb")), cwd=str(nb.parent), kernel_name="python3",
                        progress_bar=False, log_output=False)
    print(f"{nb.parent.name} {time.perf_counter() - t:.2f}", flush=True)
"""


def snapshot() -> list[Path]:
    dest = WORK / "modules"
    if WORK.exists():
        shutil.rmtree(WORK)
    WORK.mkdir(parents=True)
    shutil.copytree(ROOT / "modules", dest,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", ".h4s-check-*"))
    (WORK / "out").mkdir()
    return sorted(dest.glob("*/module.ipynb"))


def run_h4s(env: dict, jobs: int, extra: list[str]) -> tuple[float, dict]:
    t0 = time.perf_counter()
    p = subprocess.Popen([str(BIN / "h4s"), "check", str(WORK / "modules"), "--jobs", str(jobs), *extra],
                         cwd=WORK, env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    marks: dict = {"static_done": None, "exec_done": None, "lines": []}
    assert p.stderr is not None
    for line in p.stderr:  # progress lines, one per module and step
        now = time.perf_counter() - t0
        marks["lines"].append((round(now, 2), line.rstrip()))
        if "] checking " in line:
            marks["static_done"] = now
        elif "] executing " in line:
            marks["exec_done"] = now
    out = p.stdout.read() if p.stdout else ""
    rc = p.wait()
    dt = time.perf_counter() - t0
    marks["rc"] = rc
    marks["summary"] = out.strip().splitlines()[-1] if out.strip() else ""
    m = re.search(r"\[nbval\] .*? ([\d.]+) s$", "\n".join(l for _, l in marks["lines"]), re.M)
    marks["nbval_s"] = float(m.group(1)) if m else None
    m = re.search(r"\[nbval\] pytest --nbval-lax runs (\d+) notebook", "\n".join(l for _, l in marks["lines"]))
    marks["nbval_rerun"] = int(m.group(1)) if m else 0
    return dt, marks


def run_peer(env: dict, notebooks: list[Path]) -> tuple[float, list[str]]:
    t0 = time.perf_counter()
    p = subprocess.run([sys.executable, "-c", PEER, str(WORK / "out"), *map(str, notebooks)], env=env,
                       capture_output=True, text=True)
    dt = time.perf_counter() - t0
    if p.returncode != 0:
        print(p.stderr[-2000:])
    return dt, p.stdout.split("\n")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--nbval-rerun", action="store_true", help="pass --nbval-rerun to h4s check (nbval runs "
                                                                  "every notebook again, the old way)")
    a = ap.parse_args()
    notebooks = snapshot()
    env = dict(os.environ, H4S_RECORDS="off", PYDEVD_DISABLE_FILE_VALIDATION="1")
    env.pop("H4S_LIVE", None)
    times: dict[str, list[float]] = {"h4s": [], "peer": []}
    phases: list[dict] = []
    peer_lines: list[str] = []
    for i in range(a.runs):
        dt, marks = run_h4s(env, a.jobs, ["--nbval-rerun"] if a.nbval_rerun else [])
        times["h4s"].append(dt)
        phases.append(marks)
        print(f"  run {i + 1} h4s check --jobs {a.jobs}: {dt:.1f} s (exit {marks['rc']}: {marks['summary']})",
              flush=True)
        dt, peer_lines = run_peer(env, notebooks)
        times["peer"].append(dt)
        print(f"  run {i + 1} papermill serial: {dt:.1f} s", flush=True)

    import importlib.metadata as md
    print(f"machine: {machine()}")
    print("versions: " + ", ".join(f"{p} {md.version(p)}" for p in ("papermill", "nbclient", "nbval", "pytest",
                                                                      "pytest-xdist", "ipykernel")))
    print(f"modules: {len(notebooks)} ({', '.join(n.parent.name[:2] for n in notebooks)}), snapshot of modules/ "
          f"taken at {time.strftime('%H:%M', time.localtime((WORK / 'modules').stat().st_mtime))}; "
          f"{a.runs} runs, alternating")
    label = f"h4s check --jobs {a.jobs}" + (" --nbval-rerun" if a.nbval_rerun else "")
    s = {"h4s": summary(label, times["h4s"]),
         "peer": summary("papermill, one notebook after another", times["peer"])}
    for v in s.values():
        print(fmt(v))
    print(f"ratio {label} / serial papermill: {s['h4s']['median'] / s['peer']['median']:.2f}")
    stat = [p["static_done"] for p in phases if p["static_done"]]
    exe = [p["exec_done"] - p["static_done"] for p in phases if p["exec_done"] and p["static_done"]]
    nbv = [p["nbval_s"] for p in phases if p["nbval_s"] is not None]
    if stat:
        print(fmt(summary("h4s phase: start + static steps (metadata .. credits; the notebooks start before them)",
                          stat)))
    if exe:
        print(fmt(summary(f"h4s phase: execution after the static steps (nbclient, {a.jobs} processes, nbval "
                          f"verdicts in the same run)", exe)))
    if nbv:
        reruns = sorted({p["nbval_rerun"] for p in phases})
        print(fmt(summary(f"h4s phase: nbval (notebooks run again by pytest --nbval-lax -n {a.jobs}: "
                          f"{', '.join(map(str, reruns))} of {len(notebooks)})", nbv)))
    per_nb = [ln for ln in peer_lines if ln.strip()]
    print("papermill seconds per notebook (last run): " + ", ".join(per_nb))
    print("h4s per-module execution (last run): " + "; ".join(
        l.split("executing ", 1)[1] for _, l in phases[-1]["lines"] if "] executing " in l))
    print(json.dumps({"times": times, "h4s_progress_last": phases[-1]["lines"]})[:4000])


if __name__ == "__main__":
    main()
