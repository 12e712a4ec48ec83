"""Step 7: nbval, with ``pytest --nbval-lax``'s meaning.

Normally the notebooks are not run a second time: the execute step's one nbclient run of each notebook
(errors do not stop it, as under nbval) already holds nbval's lax verdict for every code cell
(:mod:`.nbval_lax`: a cell that raised without NBVAL_RAISES_EXCEPTION, an unrun cell with saved outputs,
a NBVAL_CHECK_OUTPUT cell whose outputs changed).  This step reports them.

nbval itself runs, as a subprocess,

    python -m pytest --nbval-lax -q -p no:cacheprovider -p no:randomly [-n JOBS --dist loadscope] NOTEBOOKS

(``--dist loadscope`` keeps each notebook on one kernel) for the notebooks one run cannot stand in for
(cells marked NBVAL_SKIP or tagged skip-execution, an nbval sanitize file next to the notebook, a notebook
the execute step could not run), for every notebook with ``h4s check --nbval-rerun``, and when this step
runs without the execute step.  This module is also loaded into that pytest as a small plugin
(``-p h4s_kit.check.nbval_step``) that writes each failed cell as one JSON line to the file named by
``H4S_NBVAL_OUT``, so no output text has to be guessed at.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from h4s_kit.modules import Module

from . import Context, Finding, Step

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_EXC = re.compile(r"^([A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt|Warning|Timeout)\b.*)$")


def nbval_command(notebooks: list[str], jobs: int = 1, timeout: float = 120) -> list[str]:
    cmd = [sys.executable, "-m", "pytest", "--nbval-lax", "-q", "-p", "no:cacheprovider", "-p", "no:randomly",
           "-p", "h4s_kit.check.nbval_step", "--nbval-cell-timeout", str(int(max(1, timeout)))]
    if jobs > 1:
        cmd += ["-n", str(jobs), "--dist", "loadscope"]
    return cmd + list(notebooks)


def _exception_line(text: str) -> str:
    lines = [ln.strip() for ln in _ANSI.sub("", text or "").splitlines() if ln.strip()]
    for ln in reversed(lines):
        if _EXC.match(ln):
            return ln[:300]
    for ln in lines:  # nbval's own verdict, e.g. "Cell 4: Unrun reference cell has outputs"
        m = re.match(r"^Cell \d+: (.+)$", ln)
        if m:
            return m.group(1)[:300]
    return (lines[-1] if lines else "the cell failed")[:300]


# ------------------------------------------------------- pytest plugin side

def pytest_runtest_logreport(report) -> None:  # pragma: no cover - runs inside the pytest subprocess
    out = os.environ.get("H4S_NBVAL_OUT")
    if not out or not report.failed or os.environ.get("PYTEST_XDIST_WORKER"):
        return  # xdist workers' reports reach the controller's hook too: record them there only
    path, _, name = report.nodeid.partition("::")
    m = re.match(r"^Cell (\d+)$", name)
    rec = {"file": path, "code_cell": int(m.group(1)) if m else None, "when": report.when,
           "error": _exception_line(getattr(report, "longreprtext", "") or str(report.longrepr))}
    with open(out, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(rec) + "\n")


def pytest_sessionstart(session) -> None:  # pragma: no cover - runs inside the pytest subprocess
    out = os.environ.get("H4S_NBVAL_OUT")
    if out and not hasattr(session.config, "workerinput"):
        with open(out + ".root", "w", encoding="utf-8") as fh:
            fh.write(str(session.config.rootpath))


def pytest_collectreport(report) -> None:  # pragma: no cover - runs inside the pytest subprocess
    out = os.environ.get("H4S_NBVAL_OUT")
    if out and report.failed and not os.environ.get("PYTEST_XDIST_WORKER"):
        rec = {"file": report.nodeid, "code_cell": None, "when": "collect",
               "error": _exception_line(getattr(report, "longreprtext", "") or str(report.longrepr))}
        with open(out, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(rec) + "\n")


# ------------------------------------------------------------- the step

class NbvalStep(Step):
    name = "nbval"
    executes = True

    def prepare(self, modules: list[Module], ctx: Context) -> None:
        todo = [m for m in modules if m.nb is not None]
        if not todo:
            return
        t0 = time.perf_counter()
        rerun: list[Module] = []
        reasons: list[str] = []
        for m in todo:
            ex = ctx.get("execute", m) or {}
            if getattr(ctx, "nbval_rerun", False):
                why = "--nbval-rerun"
            elif ex.get("nbval") is None:
                why = "not run by the execute step"
            elif "nbval_needs" in ex:  # found by the worker, which has nbval imported already
                why = ex["nbval_needs"]
            else:
                from .nbval_lax import needs_real_nbval
                why = needs_real_nbval(m.nb, m.folder)
            if why:
                rerun.append(m)
                reasons.append(f"{m.id}: {why}")
                continue
            ctx.put("nbval", m, {"failures": ex["nbval"]})
            ctx.put("nbval_injected", m, ex.get("injected_index"))
        if rerun:
            k = len(rerun)
            ctx.say(f"[nbval] pytest --nbval-lax runs {k} notebook{'s' if k != 1 else ''} again "
                    f"({'; '.join(reasons) if len(reasons) <= 3 else reasons[0] + '; ...'})")
            self._run_pytest(rerun, ctx)
        failed_ids = [m.id for m in todo if (ctx.get("nbval", m) or {}).get("failures")]
        secs = time.perf_counter() - t0
        state = "ok" if not failed_ids else f"FAILED in {', '.join(failed_ids)}"
        ctx.say(f"[nbval] {len(todo)} notebook{'s' if len(todo) != 1 else ''} ... {state} {secs:.1f} s")

    def _run_pytest(self, todo: list[Module], ctx: Context) -> None:
        """``pytest --nbval-lax`` over the notebooks of ``todo``; their failures go to ``ctx``."""
        with tempfile.TemporaryDirectory(prefix="h4s-nbval-") as tmp:
            out = Path(tmp) / "failures.jsonl"
            env = dict(os.environ, H4S_RECORDS="off", H4S_NBVAL_OUT=str(out), PYTHONDONTWRITEBYTECODE="1")
            env.pop("H4S_LIVE", None)
            env.pop("PYTEST_ADDOPTS", None)
            env.pop("PYTEST_XDIST_WORKER", None)
            run_paths = self._notebooks(todo, ctx)
            cmd = nbval_command([str(run_paths[m.folder]) for m in todo], min(ctx.jobs, len(todo)), ctx.timeout)
            try:
                proc = subprocess.run(cmd, cwd=tmp, env=env, capture_output=True, text=True,
                                      timeout=max(600, ctx.timeout * 50))
                code, tail = proc.returncode, (proc.stdout + proc.stderr)[-2000:]
            except subprocess.TimeoutExpired:
                code, tail = -1, "pytest --nbval-lax took too long and was stopped"
            finally:
                for m in todo:
                    if run_paths[m.folder] != m.notebook_path:
                        run_paths[m.folder].unlink(missing_ok=True)
            root = Path((Path(str(out) + ".root").read_text(encoding="utf-8")
                         if Path(str(out) + ".root").exists() else tmp))
            records = []
            if out.exists():
                records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines() if line]
        by_nb: dict[Path, list[dict]] = {}
        for r in records:
            p = Path(r["file"])
            p = (p if p.is_absolute() else root / p).resolve()
            by_nb.setdefault(p, []).append(r)
        for m in todo:
            ctx.put("nbval", m, {"failures": by_nb.get(run_paths[m.folder].resolve(), [])})
        if not records and code not in (0, 5):
            # pytest itself failed (usage error, nbval missing, crashed): say so on every module
            for m in todo:
                ctx.put("nbval", m, {"failures": [], "broken": f"pytest --nbval-lax could not run (exit code {code}): "
                                                                f"{_exception_line(tail)}"})

    def _notebooks(self, todo: list[Module], ctx: Context) -> dict:
        """module folder -> notebook nbval runs: the module's own, or (with -p) a parameterized copy
        saved next to it (nbval runs a notebook in its folder), removed afterwards."""
        paths = {}
        for m in todo:
            paths[m.folder] = m.notebook_path
            if ctx.params:
                import copy

                import nbformat
                from .execute import parameterized
                nb, injected = parameterized(copy.deepcopy(m.nb), ctx.params)
                tmp = m.folder / f".h4s-check-{os.getpid()}-{m.notebook_path.name}"
                nbformat.write(nb, str(tmp))
                paths[m.folder] = tmp
                ctx.put("nbval_injected", m, injected)
        return paths

    def run(self, module: Module, ctx: Context) -> list[Finding]:
        res = ctx.get("nbval", module)
        if not res:
            return []
        if res.get("broken"):
            return [self.error(module, module.nb_place, res["broken"],
                               "run the command by hand to see why: python -m pytest --nbval-lax "
                               f"{module.nb_place}; is nbval installed (pip install nbval)?")]
        code_cells = [i for i, c in enumerate(module.cells, start=1) if c.cell_type == "code"]
        injected = ctx.get("nbval_injected", module)
        if injected is not None:  # code cells of the parameterized copy: the injected one has no saved number
            before = sum(1 for c in module.cells[:injected] if c.cell_type == "code")
            code_cells = code_cells[:before] + [0] + code_cells[before:]
        out = []
        for r in res["failures"]:
            k = r.get("code_cell")
            if k is not None and k < len(code_cells) and code_cells[k] == 0:
                place = module.nb_place + " (parameters given with -p)"
                fix = "check the -p names and values given to h4s check"
            elif k is not None and k < len(code_cells):
                n = code_cells[k]
                place = module.cell_place(n)
                fix = (f"open module.ipynb in JupyterLab, choose Kernel > Restart Kernel and Run All Cells and "
                       f"correct cell {n}")
                if "Unrun reference cell has outputs" in r["error"]:
                    fix = (f"cell {n} was saved with outputs but never run; in JupyterLab run all cells and save, "
                           f"or choose Edit > Clear Outputs of All Cells and save")
                elif r["error"].startswith("Cell outputs differ"):
                    fix = (f"cell {n} is marked NBVAL_CHECK_OUTPUT and its output changed; if the new output is "
                           f"right, run the notebook in JupyterLab and save it, else correct cell {n}")
            else:
                place = module.nb_place
                fix = f"run python -m pytest --nbval-lax {module.nb_place} to see the whole message"
            out.append(self.error(module, place, f"nbval: {r['error']}", fix))
        return out
