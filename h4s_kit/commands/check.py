"""`h4s check [PATHS...]`: metadata, questions, pedagogy, feedback, duration, accessibility, credits, execution, nbval."""
from __future__ import annotations

import sys


def add_parser(sub):
    p = sub.add_parser("check", help="check modules (metadata, questions, pedagogy, feedback, duration, accessibility, credits, running)",
                       description="Check modules and report every problem with its place and how to fix it. "
                                   "Exit code 1 when there is an error, 0 otherwise.")
    p.add_argument("paths", nargs="*", metavar="PATH",
                   help="module folders, notebooks, or a folder of modules (default: modules/)")
    p.add_argument("--no-exec", action="store_true", help="do not run the notebooks (skips execution and nbval)")
    p.add_argument("--jobs", "-j", type=int, default=1, help="notebooks run in parallel (default 1)")
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format (json for CI)")
    p.add_argument("-p", "--parameter", nargs=2, action="append", metavar=("NAME", "VALUE"), default=[],
                   help="papermill parameter for the notebooks' cell tagged 'parameters' (repeatable)")
    p.add_argument("--timeout", type=float, default=120, metavar="SECONDS",
                   help="time limit per cell in seconds (default 120)")
    p.add_argument("--nbval-rerun", action="store_true",
                   help="run pytest --nbval-lax on every notebook again instead of judging the execution step's "
                        "run with nbval's rules (slower)")
    p.set_defaults(func=run)


def run(args) -> int:
    from h4s_kit.check import run_check
    from h4s_kit.check.execute import parse_param_value
    from h4s_widgets._errors import H4SError

    if args.jobs < 1:
        raise H4SError(f"--jobs must be 1 or more (got {args.jobs})")
    if args.timeout <= 0:
        raise H4SError(f"--timeout must be a positive number of seconds (got {args.timeout:g})")
    params = {name: parse_param_value(value) for name, value in args.parameter}
    show_progress = args.format == "text" or sys.stderr.isatty()

    def progress(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    report = run_check(args.paths or None, jobs=args.jobs, execute=not args.no_exec, params=params,
                       timeout=args.timeout, progress=progress if show_progress else None,
                       nbval_rerun=args.nbval_rerun)
    if args.format == "json":
        print(report.to_json())
    else:
        print(report.text())
    return report.exit_code
