"""``h4s check``: every check of a module, in order, with findings a trainer can act on.

Steps (one file each, small classes in the manner of nbgrader's preprocessors):

1. ``metadata``      notebook metadata ``h4s`` against the schema
2. ``questions``     question banks valid; every ``Quiz("...")``/``show("...")`` names a bank and ids that exist
3. ``pedagogy``      distractor feedback, outcomes, closing quiz, questions in the notebook
4. ``feedback``      every auto-graded question has feedback for a wrong answer (all types)
5. ``duration``      the declared duration is within 25 % of an estimate from text, items and code activities
6. ``accessibility`` alt text, heading order, link texts, figures without alt text
7. ``credits``       every media file credited in ``media/credits.yml`` and no credit for a missing file
7b. ``translations`` per language: a published language is complete, translated banks keep gaps, ids and keys
8. ``execute``       the notebook runs top to bottom (nbclient, in parallel over ``jobs`` processes)
9. ``nbval``         ``pytest --nbval-lax``'s verdicts, from the execution of step 8 (nbval itself runs only
                     the notebooks that need it, or all with ``nbval_rerun=True`` / ``--nbval-rerun``)

Each step has a ``name`` and ``run(module, ctx) -> list[Finding]``; steps that work on all modules
at once (8, 9) also have ``prepare(modules, ctx)``, called before their ``run``; a step with
``start(modules, ctx)`` (8) gets it called before the static steps run, to begin its work in the background.

Library use::

    from h4s_kit.check import run_check
    report = run_check(["modules"], jobs=2)
    print(report.text()); report.ok
"""
from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Optional

from h4s_kit.modules import Module, display_path, find_modules

ERROR = "error"
WARNING = "warning"


@dataclass
class Finding:
    """One problem: where it is and how to fix it."""

    severity: str          # "error" | "warning"
    step: str              # metadata, questions, pedagogy, feedback, duration, accessibility, credits, execute, nbval
    place: str             # "modules/03-x/module.ipynb:cell 7" or "modules/03-x/questions/a.yml:question 2 (q-id)"
    message: str
    fix: str
    module: str = ""       # module id (folder name)

    def line(self) -> str:
        fix = f" Fix: {self.fix}" if self.fix else ""
        return f"{self.severity.upper():<7} [{self.step}] {self.place}: {self.message}.{fix}"

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class ModuleResult:
    """What happened to one module."""

    id: str
    path: str
    notebook: str
    executed: bool = False            # ran top to bottom without an error
    exec_seconds: Optional[float] = None
    errors: int = 0
    warnings: int = 0

    @property
    def ok(self) -> bool:
        return self.errors == 0


@dataclass
class Report:
    findings: list[Finding]
    modules: list[ModuleResult]
    seconds: float

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == WARNING]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1

    def summary(self) -> str:
        n = len(self.modules)
        e, w = len(self.errors), len(self.warnings)
        verdict = "passed" if self.ok else "FAILED"
        return (f"h4s check {verdict}: {n} module{'s' if n != 1 else ''}, {e} error{'s' if e != 1 else ''}, "
                f"{w} warning{'s' if w != 1 else ''} in {self.seconds:.1f} s")

    def text(self) -> str:
        lines: list[str] = []
        for m in self.modules:
            mine = [f for f in self.findings if f.module == m.id]
            if not mine:
                lines.append(f"{m.id}: ok")
                continue
            lines.append(f"{m.id} ({m.path}): {m.errors} error{'s' if m.errors != 1 else ''}, "
                         f"{m.warnings} warning{'s' if m.warnings != 1 else ''}")
            lines.extend("  " + f.line() for f in mine)
        lines.append(self.summary())
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return {
            "tool": "h4s check",
            "format_version": 1,
            "ok": self.ok,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "seconds": round(self.seconds, 3),
            "modules": [dict(asdict(m), ok=m.ok) for m in self.modules],
            "findings": [f.as_dict() for f in self.findings],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)


@dataclass
class Context:
    """Options and data shared by the steps of one run."""

    jobs: int = 1
    execute: bool = True
    params: dict = field(default_factory=dict)
    timeout: float = 120
    #: run ``pytest --nbval-lax`` on every notebook instead of using the execute step's run
    nbval_rerun: bool = False
    progress: Optional[Callable[[str], None]] = None
    #: per step, per module folder: whatever a step wants to hand to a later step
    data: dict = field(default_factory=dict)

    def say(self, text: str) -> None:
        if self.progress:
            self.progress(text)

    def put(self, key: str, module: Module, value: Any) -> None:
        self.data.setdefault(key, {})[module.folder] = value

    def get(self, key: str, module: Module, default: Any = None) -> Any:
        return self.data.get(key, {}).get(module.folder, default)


class Step:
    """Base of the check steps."""

    name = ""
    #: True for steps that execute code (skipped with --no-exec)
    executes = False

    def prepare(self, modules: list[Module], ctx: Context) -> None:
        """Work on all modules at once (parallel execution); optional."""

    def run(self, module: Module, ctx: Context) -> list[Finding]:  # pragma: no cover - abstract
        raise NotImplementedError

    def finding(self, module: Module, severity: str, place: str, message: str, fix: str) -> Finding:
        return Finding(severity=severity, step=self.name, place=place, message=message.rstrip("."),
                       fix=fix, module=module.id)

    def error(self, module: Module, place: str, message: str, fix: str) -> Finding:
        return self.finding(module, ERROR, place, message, fix)

    def warning(self, module: Module, place: str, message: str, fix: str) -> Finding:
        return self.finding(module, WARNING, place, message, fix)


def steps() -> list[Step]:
    """The steps, in order."""
    from .accessibility import AccessibilityStep
    from .credits import CreditsStep
    from .duration import DurationStep
    from .execute import ExecuteStep
    from .feedback import FeedbackStep
    from .notebook_metadata import MetadataStep
    from .nbval_step import NbvalStep
    from .pedagogy import PedagogyStep
    from .questions import QuestionsStep
    from .translations import TranslationsStep
    return [MetadataStep(), QuestionsStep(), PedagogyStep(), FeedbackStep(), DurationStep(), AccessibilityStep(),
            CreditsStep(), TranslationsStep(), ExecuteStep(), NbvalStep()]


def _count(findings: list[Finding]) -> str:
    e = sum(f.severity == ERROR for f in findings)
    w = len(findings) - e
    if not findings:
        return "ok"
    parts = []
    if e:
        parts.append(f"{e} error{'s' if e != 1 else ''}")
    if w:
        parts.append(f"{w} warning{'s' if w != 1 else ''}")
    return ", ".join(parts)


def run_check(paths: Iterable[str | Path] | None = None, jobs: int = 1, execute: bool = True,
              params: dict | None = None, timeout: float = 120,
              progress: Optional[Callable[[str], None]] = None, nbval_rerun: bool = False) -> Report:
    """Check modules; ``paths`` are module folders, notebooks or folders of modules (default ``modules/``).

    ``jobs``: processes for execution; ``execute=False`` skips execution and nbval; ``params``:
    papermill parameters for every notebook; ``timeout``: seconds per cell; ``progress``: called with
    one line per module and step (e.g. ``print`` to stderr); ``nbval_rerun``: nbval runs every notebook
    again itself instead of judging the execution of the execute step.
    """
    t0 = time.perf_counter()
    modules = find_modules(paths)
    ctx = Context(jobs=max(1, int(jobs)), execute=execute, params=dict(params or {}), timeout=timeout,
                  progress=progress, nbval_rerun=nbval_rerun)
    all_steps = [s for s in steps() if execute or not s.executes]
    order = {s.name: i for i, s in enumerate(all_steps)}
    static = [s for s in all_steps if not s.executes]
    batch = [s for s in all_steps if s.executes]
    findings: list[Finding] = []
    n = len(modules)
    for s in batch:  # steps that can begin at once (the notebooks start running while the static steps work)
        if hasattr(s, "start"):
            s.start(modules, ctx)
    try:
        for i, m in enumerate(modules, start=1):
            t = time.perf_counter()
            mine: list[Finding] = []
            for s in static:
                mine.extend(s.run(m, ctx))
            findings.extend(mine)
            ctx.say(f"[{i}/{n}] checking {m.id} ... {_count(mine)} {time.perf_counter() - t:.1f} s")
    except BaseException:
        for s in batch:
            if hasattr(s, "stop"):
                s.stop()
        raise
    for s in batch:
        s.prepare(modules, ctx)
        for m in modules:
            findings.extend(s.run(m, ctx))
    index = {m.id: i for i, m in enumerate(modules)}
    findings.sort(key=lambda f: (index.get(f.module, 0), order.get(f.step, 99)))
    results = []
    for m in modules:
        mine = [f for f in findings if f.module == m.id]
        ex = ctx.get("execute", m) or {}
        results.append(ModuleResult(
            id=m.id, path=display_path(m.folder), notebook=m.nb_place,
            executed=bool(ex.get("ok")), exec_seconds=ex.get("seconds"),
            errors=sum(f.severity == ERROR for f in mine), warnings=sum(f.severity == WARNING for f in mine)))
    return Report(findings=findings, modules=results, seconds=time.perf_counter() - t0)


__all__ = ["ERROR", "WARNING", "Context", "Finding", "ModuleResult", "Report", "Step", "run_check", "steps"]
