"""The ``h4s`` command.  Thin: each verb parses its arguments and calls a library function.

Verbs live in ``h4s_kit/commands/<verb>.py``; each defines ``add_parser(subparsers)``
(which sets ``func``) so that ``h4s --help`` imports nothing heavy.
"""
from __future__ import annotations

import argparse
import importlib
import sys

from h4s_widgets._errors import H4SError
from h4s_widgets._version import __version__

VERBS = ["propose", "new", "check", "review", "build", "serve", "lab", "export", "import_", "report", "records", "translate", "credentials"]

EPILOG = """examples:
  h4s propose -o proposals/digital-safety.yml
  h4s new --from proposals/digital-safety.yml
  h4s new "Digital safety at work" --lang en
  h4s check modules/ --jobs 2
  h4s build
  h4s serve --port 8000
  h4s lab
  h4s export scorm modules/04-open-educational-resources -o oer.zip
  h4s import gift questions.gift.txt -o questions/imported.yml
  h4s report -o report/
  h4s translate update modules/13-data-protection-and-online-safety --lang de
  h4s credentials verify badge.svg
"""


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="h4s", description="Author, check, publish and deliver interactive VET modules.",
                                epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", action="version", version=f"h4s {__version__}")
    sub = p.add_subparsers(dest="verb", metavar="COMMAND")
    for verb in VERBS:
        importlib.import_module(f"h4s_kit.commands.{verb}").add_parser(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except H4SError as e:
        print(f"h4s {args.verb.rstrip('_')}: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("h4s: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
