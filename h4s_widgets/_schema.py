"""The one versioned schema for questions and question banks.

Each question type is one pydantic class, registered by its ``type`` name in
:data:`REGISTRY`.  A bank is ``{"schema_version": 1, "questions": [...]}``.
Errors are turned into :class:`~h4s_widgets._errors.QuestionError` with one
line naming the file, the question (index and id), the field and the fix.

The type units (``h4s_widgets/types/<type>.py``) are imported when they are
needed, so that a notebook that shows one question built in Python pays for
that type only: a model by its name (``from h4s_widgets import SingleChoice``
imports ``types/single_choice.py``), every unit when :data:`REGISTRY`,
:class:`Bank`, the question union or a bank or question given as data is
used (any type may come).  ``Bank``, ``Question`` and ``_QUESTION`` live in
:mod:`h4s_widgets._bank` and are found here by name (PEP 562).
"""
from __future__ import annotations

import re
import types
import typing
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ._bank_file import bank_data, read_bank_bytes, read_bank_data   # noqa: F401  (the readers of bank files)
from ._errors import BankFileError, QuestionError   # noqa: F401  (BankFileError: re-exported)

if TYPE_CHECKING:
    from ._bank import Bank

SCHEMA_VERSION = 1
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
GAP_RE = re.compile(r"\[\[(.+?)\]\]")

#: type name -> question class of the units imported so far; every unit, in their order, once
#: :func:`_registry` (or the name ``REGISTRY``) was asked for
_REGISTRY: dict[str, type["QuestionBase"]] = {}


class _Model(BaseModel):
    # defer_build: each model builds its validator on first use, so importing h4s_widgets stays quick
    model_config = ConfigDict(extra="forbid", frozen=False, validate_assignment=False, defer_build=True)


class Option(_Model):
    """One answer option."""
    id: Annotated[str, Field(pattern=ID_PATTERN, description="Stable option id, e.g. a, b, c")]
    text: Annotated[str, Field(min_length=1, description="Option text (Markdown)")]
    feedback: Optional[str] = Field(None, description="Feedback shown when this option is chosen")


class QuestionBase(_Model):
    """Fields shared by every question type."""

    type: str
    id: Annotated[str, Field(pattern=ID_PATTERN, description="Stable id, unique in the module; used in learner records")]
    text: Annotated[str, Field(min_length=1, description="The question (Markdown; maths between dollar signs, e.g. $E = mc^2$)")]
    title: Optional[str] = Field(None, description="Short title shown above the question")
    points: Annotated[float, Field(ge=0, description="Points for a fully correct answer")] = 1.0
    hints: list[Annotated[str, Field(min_length=1)]] = Field(default_factory=list, description="Hints, revealed one at a time")
    feedback: Optional[str] = Field(None, description="General feedback shown after every check")
    max_attempts: Optional[Annotated[int, Field(ge=1)]] = Field(None, description="Checks allowed (unlimited if unset)")
    show_solution_after: Optional[Annotated[int, Field(ge=1)]] = Field(
        None, description="Offer 'Show solution' after this many checks (never if unset)")

    #: True when the question has an automatic grader with a right answer.
    auto_graded: ClassVar[bool] = True
    #: Label used in docs and the authoring guide.
    label: ClassVar[str] = ""

    @property
    def graded(self) -> bool:
        return self.auto_graded


def register(cls: type[QuestionBase]) -> type[QuestionBase]:
    name = cls.model_fields["type"].default
    if name in _REGISTRY:
        raise RuntimeError(f"question type {name!r} registered twice")
    _REGISTRY[name] = cls
    return cls


def _unique(ids: list[str], what: str, path: str, attr: str = ".id") -> None:
    """Raise ``path[j]<attr>: repeats ...`` for the first id that occurs twice."""
    first: dict[str, int] = {}
    for j, i in enumerate(ids):
        if i in first:
            raise ValueError(f"{path}[{j}]{attr}: repeats {i!r} (already {path}[{first[i]}]{attr}); "
                             f"every {what} needs its own id")
        first[i] = j


def gaps_in(text: str) -> list[str]:
    return GAP_RE.findall(text)


def _num(x: float) -> str:
    return f"{x:g}"


# ----------------------------------------------------------- the type units, on demand

#: the models of the type units under their names here (h4s_widgets, h4s_kit, tests and modules import
#: them from this module) -> the unit that defines them
_MODELS = {
    "Cloze": "cloze", "CodeExercise": "code", "CodeTest": "code", "DragWords": "drag_words", "Essay": "essay",
    "Card": "flashcards", "Flashcards": "flashcards", "Band": "likert", "Likert": "likert",
    "Statement": "likert", "Matching": "matching", "Pair": "matching", "MultipleResponse": "multiple_response",
    "Numeric": "numeric", "NumericAnswer": "numeric", "Item": "ordering", "Ordering": "ordering",
    "ShortText": "short_text", "TextAnswer": "short_text", "SingleChoice": "single_choice",
    "TrueFalse": "true_false",
}
#: built from every unit, in h4s_widgets._bank
_FROM_BANK = ("Bank", "Question", "_QUESTION")
_complete = False


def _registry() -> dict[str, type[QuestionBase]]:
    """type name -> question class, for every type unit, in the units' order (imports them the first time)."""
    global _complete
    if not _complete:
        from .types import _place, load_all
        load_all()
        ordered = sorted(_REGISTRY.items(), key=lambda kv: _place(kv[0]))
        _REGISTRY.clear()
        _REGISTRY.update(ordered)
        _complete = True
    return _REGISTRY


def _bank_module():
    from . import _bank   # imports every type unit (a bank may hold any type)
    return _bank


def is_bank(x: Any) -> bool:
    """``isinstance(x, Bank)`` without building the bank model (no bank can exist before it is built)."""
    import sys
    mod = sys.modules.get(f"{__package__}._bank")
    return mod is not None and isinstance(x, mod.Bank)


def __getattr__(name: str) -> Any:
    if name == "REGISTRY":
        value: Any = _registry()
    elif name in _FROM_BANK:
        value = getattr(_bank_module(), name)
    elif name in _MODELS:
        import importlib
        value = getattr(importlib.import_module(f"{__package__}.types.{_MODELS[name]}"), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


# ----------------------------------------------------------------- errors

_QUESTION_RE = re.compile(r"^questions\[(\d+)\](?:\.(.*))?$")
_PREFIX_RE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*(?:\[\d+\])*(?:\.[A-Za-z_][A-Za-z0-9_]*(?:\[\d+\])*)*): (.*)$")


def _field_path(loc: tuple) -> str:
    parts: list[str] = []
    for p in loc:
        if isinstance(p, int):
            parts.append(f"[{p}]")
        else:
            parts.append(("." if parts else "") + str(p))
    return "".join(parts)


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """The pydantic models inside a field annotation (through Optional, list, Annotated, Union)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    for arg in typing.get_args(annotation):
        found += _models_in(arg)
    return found


def _model_at(root: type[BaseModel] | None, loc: tuple) -> type[BaseModel] | None:
    """The model that owns the fields at ``loc`` (a path below ``root``), if it can be told."""
    cls = root
    for p in loc:
        if cls is None:
            return None
        if isinstance(p, int):
            continue
        field = cls.model_fields.get(str(p))
        if field is None:
            return None
        models = _models_in(field.annotation)
        cls = models[0] if len(models) == 1 else None
    return cls


def _suggest(word: str, choices: list[str]) -> str:
    import difflib
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _explain(err: dict, root: type[BaseModel] | None = None) -> tuple[str, str]:
    """(field, problem) for one pydantic error dict, in plain words.

    ``err["loc"]`` is relative to ``root`` (a question class or :class:`Bank`),
    except that a leading question-type tag (from the tagged union) is dropped.
    """
    REGISTRY = _registry()
    Bank = _bank_module().Bank
    loc = list(err["loc"])
    if loc and loc[0] in REGISTRY and root is None:
        root = REGISTRY[loc[0]]
        loc = loc[1:]
    elif loc and loc[0] in REGISTRY and root is not None and str(loc[0]) not in root.model_fields:
        root = REGISTRY[loc[0]]
        loc = loc[1:]
    typ = err["type"]
    msg = err.get("msg", "")
    ctx = err.get("ctx", {}) or {}
    value = err.get("input")
    field = _field_path(tuple(loc))
    if typ == "value_error":
        text = str(ctx.get("error", msg)).removeprefix("Value error, ")
        # our validators say "sub.field: problem"
        m = _PREFIX_RE.match(text)
        if m:
            sub = m.group(1)
            return (f"{field}.{sub}" if field else sub), m.group(2)
        return field, text
    if typ == "missing":
        return field, "is required but missing"
    if typ == "extra_forbidden":
        owner = _model_at(root, tuple(loc[:-1]))
        if owner is None:
            return field, "is not a known field (check the spelling; see the JSON Schema for allowed fields)"
        allowed = [n for n in owner.model_fields if not (n == "type" and owner in REGISTRY.values())]
        if owner in REGISTRY.values():
            what = f"of a {owner.model_fields['type'].default} question"
        elif owner is Bank:
            what = "of a question bank"
        else:
            what = "here"
        return field, f"is not a known field {what}{_suggest(str(loc[-1]), allowed)}; allowed: {', '.join(allowed)}"
    if typ in ("union_tag_invalid", "union_tag_not_found"):
        field = field + ".type" if field else "type"
        allowed = ", ".join(sorted(REGISTRY))
        if typ == "union_tag_not_found":
            return field, f"is required; use one of {allowed}"
        tag = str(ctx.get("tag"))
        return field, f"must be one of {allowed} (got {tag!r}){_suggest(tag, sorted(REGISTRY))}"
    if typ == "string_pattern_mismatch":
        return field, ("must start with a letter or digit and use only letters, digits, '-', '_' or '.' "
                       f"(at most 64 characters; got {value!r})")
    if typ == "literal_error":
        return field, f"must be {ctx.get('expected')} (got {value!r})"
    if typ == "too_short":
        n, got = ctx.get("min_length"), ctx.get("actual_length")
        if field == "questions" and n == 1:
            return field, "must list at least one question"
        return field, f"needs at least {n} {'entry' if n == 1 else 'entries'} (got {got or 'none'})"
    if typ == "too_long":
        n, got = ctx.get("max_length"), ctx.get("actual_length")
        return field, f"allows at most {n} entries (got {got})"
    if typ == "string_too_short":
        return field, "must not be empty"
    if typ in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        word = {"greater_than_equal": "at least", "greater_than": "greater than",
                "less_than_equal": "at most", "less_than": "less than"}[typ]
        bound = next(iter(ctx.values()))
        if field.endswith("pass_mark") and isinstance(value, (int, float)) and value > 1:
            return field, f"must be a fraction from 0 to 1, e.g. 0.8 for 80% (got {value!r})"
        return field, f"must be {word} {_num(bound) if isinstance(bound, (int, float)) else bound} (got {value!r})"
    if typ in ("float_parsing", "float_type", "int_parsing", "int_type", "int_from_float"):
        what = "a whole number" if typ.startswith("int") else "a number"
        return field, f"must be {what} (got {value!r})"
    if typ in ("bool_parsing", "bool_type"):
        return field, f"must be true or false (got {value!r})"
    if typ == "string_type":
        if isinstance(value, bool):
            return field, (f"must be text (got {str(value).lower()}: YAML reads yes, no, on, off, true and false "
                           f"as true/false; put the text in quotes)")
        if isinstance(value, (int, float)):
            return field, f"must be text (got the number {value!r}; put it in quotes: '{value}')"
        return field, f"must be text (got {_kind(value)})"
    if typ == "list_type":
        return field, f"must be a list, one '- ' entry per line (got {_kind(value)})"
    if typ in ("dict_type", "model_type", "model_attributes_type"):
        return field, f"must be a mapping of fields such as 'id: ...' (got {_kind(value)})"
    return field, (msg[0].lower() + msg[1:]) if msg else typ


def _question_where(source: str, data: Any, index: int) -> str:
    qid = None
    try:
        qid = data["questions"][index].get("id")
    except Exception:
        pass
    return f"{source}: question {index + 1}" + (f" ({qid})" if isinstance(qid, (str, int)) and qid != "" else "")


def _first_errors(e: ValidationError) -> list[dict]:
    """Pydantic's errors, an unknown field first: it is usually a typo that also explains a missing field."""
    errors = e.errors(include_url=False)
    return sorted(errors, key=lambda err: err["type"] != "extra_forbidden")


def _raise_from(e: ValidationError, source: str, data: Any) -> None:
    errors = _first_errors(e)
    err = errors[0]
    loc = tuple(err["loc"])
    root: type[BaseModel] | None = _bank_module().Bank
    if len(loc) >= 2 and loc[0] == "questions" and isinstance(loc[1], int):
        index: int | None = loc[1]
        err = dict(err, loc=loc[2:])
        root = None
    else:
        index = None
    field, problem = _explain(err, root)
    if index is None:
        m = _QUESTION_RE.match(field)  # a bank-level check about one question (duplicate ids)
        if m:
            index, field = int(m.group(1)), m.group(2) or ""
    where = _question_where(source, data, index) if index is not None else source
    extra = len(errors) - 1
    if extra > 0:
        problem += f" (and {extra} more problem{'s' if extra > 1 else ''})"
    raise QuestionError(where, field or None, problem) from None


def parse_question(data: Any, source: str = "<question>") -> QuestionBase:
    """Validate one question dict."""
    if not isinstance(data, dict):
        raise QuestionError(source, None, "a question must be a mapping of fields such as 'type:', 'id:' "
                                          f"and 'text:' (got {_kind(data)})")
    try:
        return _bank_module()._QUESTION.validate_python(data)
    except ValidationError as e:
        errors = _first_errors(e)
        qid = data.get("id")
        where = source + (f" ({qid})" if isinstance(qid, (str, int)) and qid != "" else "")
        field, problem = _explain(errors[0])
        if len(errors) > 1:
            problem += f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
        raise QuestionError(where, field or None, problem) from None


def parse_bank(data: Any, source: str = "<bank>") -> Bank:
    """Validate a question bank given as Python data (what YAML/JSON loading gives)."""
    if data is None:
        raise QuestionError(source, None, "the file is empty; start it with 'schema_version: 1' and 'questions:'")
    if isinstance(data, list):
        raise QuestionError(source, None, "the file must be a mapping with 'schema_version: 1' and 'questions:' "
                                          "(found a bare list; put the list under 'questions:')")
    if not isinstance(data, dict):
        raise QuestionError(source, None, "the file must be a mapping with 'schema_version: 1' and 'questions:' "
                                          f"(found {_kind(data)})")
    if "schema_version" not in data:
        raise QuestionError(source, "schema_version", "is required; add 'schema_version: 1' at the top")
    if data.get("schema_version") != SCHEMA_VERSION or isinstance(data.get("schema_version"), bool):
        raise QuestionError(source, "schema_version",
                            f"must be {SCHEMA_VERSION} (this h4s understands version {SCHEMA_VERSION}; "
                            f"got {data.get('schema_version')!r})")
    questions = data.get("questions")
    if isinstance(questions, list):
        for i, q in enumerate(questions):
            if not isinstance(q, dict):
                raise QuestionError(f"{source}: question {i + 1}", None,
                                    "must be a mapping of fields such as 'type:', 'id:' and 'text:' "
                                    f"(got {_kind(q)})")
    try:
        return _bank_module().Bank.model_validate(data)
    except ValidationError as e:
        _raise_from(e, source, data)
        raise  # pragma: no cover


def load_bank(path: str | Path) -> Bank:
    """Read and validate a YAML or JSON question bank."""
    return parse_bank(read_bank_data(path), source=str(path))


def json_schema() -> dict:
    """JSON Schema of a question bank, for editors (VS Code, JupyterLab)."""
    schema = _bank_module().Bank.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "h4s-question-bank.schema.json"
    schema["title"] = "h4s question bank"
    # load_bank insists on an explicit version, so editors should too
    schema["required"] = ["schema_version"] + [r for r in schema.get("required", []) if r != "schema_version"]
    return schema
