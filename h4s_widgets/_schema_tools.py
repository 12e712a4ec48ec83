"""Generated files that must stay in step with the code, and the commands that make them.

    python -m h4s_widgets._schema_tools pot        locales/h4s.pot from _i18n.MESSAGES, merged into every .po
    python -m h4s_widgets._schema_tools schema     schema/question-bank.schema.json from _schema.json_schema()
    python -m h4s_widgets._schema_tools reference  book/trainers/question-types.md from _schema.REGISTRY
    python -m h4s_widgets._schema_tools all        all three
    python -m h4s_widgets._schema_tools pot --add ga   start a new language (empty h4s.po to translate)

``--check`` writes nothing and exits with 1 when a file is out of date.
The tests compare the committed files with :func:`h4s_widgets._catalogs.pot_text`,
:func:`schema_text` and :func:`reference_text`.  The translation half (catalogs,
msgids of the code) is :mod:`h4s_widgets._catalogs`.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import types
import typing
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from ._schema import REGISTRY, Bank, QuestionBase, _models_in, json_schema
from .types import UNITS

PACKAGE = Path(__file__).parent
ROOT = PACKAGE.parent
SCHEMA_FILE = PACKAGE / "schema" / "question-bank.schema.json"
REFERENCE_FILE = ROOT / "book" / "trainers" / "question-types.md"

from ._catalogs import (  # noqa: E402,F401  (the translation half lives in _catalogs)
    js_missing, po_path, py_missing, update_catalogs, write_po,
)

# ------------------------------------------------------------------ JSON Schema

def schema_text() -> str:
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


# ------------------------------------------------------------------ reference

#: One example per question type (a list item under ``questions:``); the tests validate each.
EXAMPLES: dict[str, str] = {
}
# a type that is a unit of its own (h4s_widgets/types/<type>.py) carries its example
EXAMPLES.update({name: mod.EXAMPLE for name, mod in UNITS.items()})

BANK_EXAMPLE = """\
schema_version: 1
title: Open educational resources
language: en
pass_mark: 0.8
questions:
  - type: true_false
    id: oer-free
    text: OER may be reused and adapted without asking the author.
    answer: true
"""

_SCALARS = {str: "text", bool: "true/false", float: "number", int: "whole number"}


def _type_name(ann: Any) -> str:
    origin = typing.get_origin(ann)
    args = typing.get_args(ann)
    if origin is typing.Annotated:
        return _type_name(args[0])
    if origin is Literal:
        return " or ".join(f"`{json.dumps(a)}`" for a in args)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        if len(inner) == len(REGISTRY) or len(inner) > 3:
            return "question"
        return " or ".join(_type_name(a) for a in inner)
    if origin is list:
        return f"list of {_type_name(args[0])}" if args else "list"
    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return ann.__name__.lower() if ann is not Bank else "bank"
    return _SCALARS.get(ann, getattr(ann, "__name__", str(ann)))


def _default(field: Any) -> str:
    if field.is_required():
        return "required"
    if field.default_factory is not None:
        value = field.default_factory()
    else:
        value = field.default
    if value is None or value is PydanticUndefined:
        return ""
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, float):
        return f"`{value:g}`"
    return f"`{json.dumps(value, ensure_ascii=False)}`"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|").replace("$", "\\$")


def _table(fields: dict[str, Any]) -> list[str]:
    rows = ["| Field | Type | Default | Description |", "| --- | --- | --- | --- |"]
    for name, f in fields.items():
        rows.append(f"| `{name}` | {_cell(_type_name(f.annotation))} | {_cell(_default(f))} | "
                    f"{_cell(f.description or '')} |")
    return rows


def _parts(cls: type[BaseModel]) -> list[type[BaseModel]]:
    """Sub-models (Option, Pair, ...) used by the fields of ``cls``, in field order."""
    found: list[type[BaseModel]] = []
    for f in cls.model_fields.values():
        for m in _models_in(f.annotation):
            if m not in found and m not in REGISTRY.values():
                found.append(m)
    return found


def _own_fields(cls: type[QuestionBase]) -> dict[str, Any]:
    base = QuestionBase.model_fields
    own = {}
    for name, f in cls.model_fields.items():
        if name == "type":
            continue
        b = base.get(name)
        if b is None or f.default != b.default or f.is_required() != b.is_required() \
                or f.description != b.description:
            own[name] = f
    return own


def _doc(cls: type) -> str:
    return " ".join((cls.__doc__ or "").split())


def reference_text() -> str:
    out = [
        "# Question types reference",
        "",
        "<!-- Generated by `python -m h4s_widgets._schema_tools reference` from h4s_widgets/_schema.py;",
        "     do not edit by hand. -->",
        "",
        "A question bank is a YAML (or JSON) file in the `questions/` folder of a module. "
        "Every question has a `type`, an `id` that stays the same when you edit the question "
        "(learner records use it) and a `text` in Markdown. This page lists every type with its fields "
        "and a short example you can copy. Editors that understand JSON Schema (VS Code, JupyterLab) "
        "can check a bank while you type with `h4s_widgets/schema/question-bank.schema.json`: in VS Code "
        "with the YAML extension, put this line at the top of a bank in `modules/NN-slug/questions/`:",
        "",
        "```text",
        "# yaml-language-server: $schema=../../../h4s_widgets/schema/question-bank.schema.json",
        "```",
        "",
        "`h4s check` reports every problem as one line that names the file, the question "
        "(number and id), the field and what is allowed, for example "
        "`quiz.yml: question 4 (oer-licence): 'answer' must be one of the option ids a, b, c`.",
        "",
        "## The bank file",
        "",
        _doc(Bank),
        "",
        *_table(Bank.model_fields),
        "",
        "```yaml",
        BANK_EXAMPLE.rstrip("\n"),
        "```",
        "",
        "## Fields every question has",
        "",
        "These fields work in every question type; a type may change a default (see its table).",
        "",
        *_table({k: v for k, v in QuestionBase.model_fields.items() if k != "type"}),
        "",
        "## Overview",
        "",
        "| Type | Name | Graded automatically |",
        "| --- | --- | --- |",
    ]
    for name, cls in REGISTRY.items():
        out.append(f"| `{name}` | {cls.label} | {'yes' if cls.auto_graded else 'no'} |")
    out.append("")
    for name, cls in REGISTRY.items():
        out += [f"## {cls.label}", "", f"`type: {name}`. {_doc(cls)}", ""]
        if not cls.auto_graded:
            out += ["This type is not graded automatically: it gives no right or wrong answer.", ""]
        out += ["Fields of this type besides the common ones:", "", *_table(_own_fields(cls)), ""]
        for part in _parts(cls):
            users = ", ".join(f"`{n}`" for n, f in cls.model_fields.items() if part in _models_in(f.annotation))
            out += [f"Each entry of {users}: {_doc(part)}", "", *_table(part.model_fields), ""]
        out += ["Example:", "", "```yaml", EXAMPLES[name].rstrip("\n"), "```", ""]
    return "\n".join(out).rstrip("\n") + "\n"


def yaml_blocks(markdown: str) -> list[str]:
    """The contents of the ```yaml blocks of a Markdown text."""
    return re.findall(r"^```yaml\n(.*?)^```$", markdown, flags=re.S | re.M)


# ------------------------------------------------------------------ command line

def _sync(path: Path, text: str, check: bool) -> bool:
    """True if ``path`` was (or, with check, would be) changed."""
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    if not check:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return True


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m h4s_widgets._schema_tools", description=__doc__.split("\n")[0])
    ap.add_argument("what", choices=["pot", "schema", "reference", "all"])
    ap.add_argument("--check", action="store_true", help="write nothing; exit 1 if a file is out of date")
    ap.add_argument("--add", metavar="LL", action="append", default=[],
                    help="with pot: start a catalog for language LL (e.g. ga), to be translated")
    args = ap.parse_args(argv)
    changed: list[Path] = []
    for lang in args.add:
        if not re.fullmatch(r"[a-z]{2,3}", lang):
            ap.error(f"--add {lang}: give a two- or three-letter language code such as ga or mt")
        if not po_path(lang).exists() and not args.check:
            changed.append(write_po(lang, {}))
    if args.what in ("pot", "all"):
        changed += update_catalogs(check=args.check)
        missing = js_missing() + py_missing()
        if missing:
            print("translated strings that are not in _i18n.MESSAGES (add them there): " + "; ".join(missing),
                  file=sys.stderr)
    if args.what in ("schema", "all") and _sync(SCHEMA_FILE, schema_text(), args.check):
        changed.append(SCHEMA_FILE)
    if args.what in ("reference", "all") and _sync(REFERENCE_FILE, reference_text(), args.check):
        changed.append(REFERENCE_FILE)
    verb = "out of date" if args.check else "written"
    for path in changed:
        print(f"{verb}: {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    if not changed:
        print("up to date")
    return 1 if (args.check and changed) else 0


if __name__ == "__main__":
    sys.exit(main())
