"""The one versioned schema for questions and question banks.

Each question type is one pydantic class, registered by its ``type`` name in
:data:`REGISTRY`.  A bank is ``{"schema_version": 1, "questions": [...]}``.
Errors are turned into :class:`~h4s_widgets._errors.QuestionError` with one
line naming the file, the question (index and id), the field and the fix.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal, Optional, Union

import yaml
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator, model_validator

from ._errors import BankFileError, QuestionError

SCHEMA_VERSION = 1
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
GAP_RE = re.compile(r"\[\[(.+?)\]\]")

#: type name -> question class
REGISTRY: dict[str, type["QuestionBase"]] = {}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False, validate_assignment=False)


class Option(_Model):
    id: Annotated[str, Field(pattern=ID_PATTERN, description="Stable option id, e.g. a, b, c")]
    text: Annotated[str, Field(min_length=1, description="Option text (Markdown)")]
    feedback: Optional[str] = Field(None, description="Feedback shown when this option is chosen")


class QuestionBase(_Model):
    """Fields shared by every question type."""

    type: str
    id: Annotated[str, Field(pattern=ID_PATTERN, description="Stable id, unique in the module; used in learner records")]
    text: Annotated[str, Field(min_length=1, description="The question (Markdown; $...$ for maths)")]
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
    if name in REGISTRY:
        raise RuntimeError(f"question type {name!r} registered twice")
    REGISTRY[name] = cls
    return cls


def _unique(ids: list[str], what: str) -> None:
    seen = set()
    for i in ids:
        if i in seen:
            raise ValueError(f"{what} id {i!r} is used twice; every {what} needs its own id")
        seen.add(i)


@register
class SingleChoice(QuestionBase):
    """One correct option among several."""
    label: ClassVar[str] = "Single choice"
    type: Literal["single_choice"] = "single_choice"
    options: Annotated[list[Option], Field(min_length=2)]
    answer: str = Field(description="id of the correct option")
    shuffle: bool = False

    @model_validator(mode="after")
    def _check(self) -> "SingleChoice":
        _unique([o.id for o in self.options], "option")
        ids = [o.id for o in self.options]
        if self.answer not in ids:
            raise ValueError(f"answer: must be one of the option ids {', '.join(ids)}")
        return self


@register
class MultipleResponse(QuestionBase):
    """Several options may be correct; partial credit and optional negative marks."""
    label: ClassVar[str] = "Multiple response"
    type: Literal["multiple_response"] = "multiple_response"
    options: Annotated[list[Option], Field(min_length=2)]
    answers: Annotated[list[str], Field(min_length=1, description="ids of all correct options")]
    partial_credit: bool = True
    negative_marks: bool = Field(False, description="Let wrong choices take the score below zero")
    shuffle: bool = False

    @model_validator(mode="after")
    def _check(self) -> "MultipleResponse":
        _unique([o.id for o in self.options], "option")
        ids = [o.id for o in self.options]
        for a in self.answers:
            if a not in ids:
                raise ValueError(f"answers: {a!r} must be one of the option ids {', '.join(ids)}")
        _unique(self.answers, "answer")
        return self


@register
class TrueFalse(QuestionBase):
    label: ClassVar[str] = "True / false"
    type: Literal["true_false"] = "true_false"
    answer: bool
    feedback_true: Optional[str] = Field(None, description="Feedback when the learner answers True")
    feedback_false: Optional[str] = Field(None, description="Feedback when the learner answers False")


def gaps_in(text: str) -> list[str]:
    return GAP_RE.findall(text)


@register
class Cloze(QuestionBase):
    """Fill in the blanks: ``[[answer|alternative]]`` marks each gap in the text."""
    label: ClassVar[str] = "Cloze (fill in the blanks)"
    type: Literal["cloze"] = "cloze"
    case_sensitive: bool = False
    ignore_whitespace: bool = Field(True, description="Ignore spaces at the ends and runs of spaces")
    gap_feedback: list[Optional[str]] = Field(default_factory=list, description="Feedback per gap, in order")

    @model_validator(mode="after")
    def _check(self) -> "Cloze":
        gaps = gaps_in(self.text)
        if not gaps:
            raise ValueError("text: must contain at least one gap written as [[answer]] or [[answer|alternative]]")
        for g in gaps:
            if not all(a.strip() for a in g.split("|")):
                raise ValueError(f"text: gap [[{g}]] has an empty alternative; write [[answer|alternative]]")
        if len(self.gap_feedback) > len(gaps):
            raise ValueError(f"gap_feedback: has {len(self.gap_feedback)} entries but the text has {len(gaps)} gaps")
        return self

    def gap_answers(self) -> list[list[str]]:
        return [[a.strip() for a in g.split("|")] for g in gaps_in(self.text)]


class NumericAnswer(_Model):
    value: Optional[float] = None
    tolerance: Annotated[float, Field(ge=0)] = 0.0
    min: Optional[float] = None
    max: Optional[float] = None
    score: Annotated[float, Field(ge=0, le=1, description="Fraction of the points (1 = full)")] = 1.0
    feedback: Optional[str] = None

    @model_validator(mode="after")
    def _check(self) -> "NumericAnswer":
        if self.value is None and (self.min is None or self.max is None):
            raise ValueError("give either 'value' (with optional 'tolerance') or both 'min' and 'max'")
        if self.value is not None and (self.min is not None or self.max is not None):
            raise ValueError("give either 'value' or 'min'/'max', not both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"'min' ({self.min}) must not be greater than 'max' ({self.max})")
        return self


@register
class Numeric(QuestionBase):
    """A number: exact with tolerance, a range, or several graded answers."""
    label: ClassVar[str] = "Numeric"
    type: Literal["numeric"] = "numeric"
    answers: Annotated[list[NumericAnswer], Field(min_length=1)]
    unit: Optional[str] = Field(None, description="Unit shown after the input box, e.g. EUR or kg")

    @model_validator(mode="after")
    def _check(self) -> "Numeric":
        if not any(a.score == 1 for a in self.answers):
            raise ValueError("answers: at least one answer must have score 1 (full marks)")
        return self


class TextAnswer(_Model):
    text: Optional[str] = None
    regex: Optional[str] = Field(None, description="Regular expression that must match the whole answer")
    score: Annotated[float, Field(ge=0, le=1)] = 1.0
    feedback: Optional[str] = None

    @model_validator(mode="after")
    def _check(self) -> "TextAnswer":
        if (self.text is None) == (self.regex is None):
            raise ValueError("give exactly one of 'text' or 'regex'")
        if self.regex is not None:
            try:
                re.compile(self.regex)
            except re.error as e:
                raise ValueError(f"regex {self.regex!r} is not a valid regular expression ({e})") from None
            if "(?P" in self.regex or "(?<" in self.regex and "(?<=" not in self.regex and "(?<!" not in self.regex:
                raise ValueError("regex: named groups are not supported (they differ between Python and JavaScript)")
        return self


@register
class ShortText(QuestionBase):
    label: ClassVar[str] = "Short text"
    type: Literal["short_text"] = "short_text"
    answers: Annotated[list[TextAnswer], Field(min_length=1)]
    case_sensitive: bool = False

    @model_validator(mode="after")
    def _check(self) -> "ShortText":
        if not any(a.score == 1 for a in self.answers):
            raise ValueError("answers: at least one answer must have score 1 (full marks)")
        return self


class Pair(_Model):
    id: Annotated[str, Field(pattern=ID_PATTERN)]
    left: Annotated[str, Field(min_length=1)]
    right: Annotated[str, Field(min_length=1)]
    feedback: Optional[str] = None


@register
class Matching(QuestionBase):
    """Match each item on the left with one on the right (select boxes: keyboard friendly)."""
    label: ClassVar[str] = "Matching"
    type: Literal["matching"] = "matching"
    pairs: Annotated[list[Pair], Field(min_length=2)]
    distractors: list[Annotated[str, Field(min_length=1)]] = Field(
        default_factory=list, description="Extra right-hand items that match nothing")

    @model_validator(mode="after")
    def _check(self) -> "Matching":
        _unique([p.id for p in self.pairs], "pair")
        rights = [p.right for p in self.pairs] + list(self.distractors)
        if len(set(rights)) != len(rights):
            raise ValueError("pairs: every right-hand item (and distractor) must be different")
        return self


class Item(_Model):
    id: Annotated[str, Field(pattern=ID_PATTERN)]
    text: Annotated[str, Field(min_length=1)]


@register
class Ordering(QuestionBase):
    """Put items in order; with ``code: true`` it is a Parsons problem (lines of code)."""
    label: ClassVar[str] = "Ordering / Parsons"
    type: Literal["ordering"] = "ordering"
    items: Annotated[list[Item], Field(min_length=2, description="Items in the CORRECT order")]
    code: bool = Field(False, description="Show items as code lines (Parsons problem)")
    partial_credit: bool = True

    @model_validator(mode="after")
    def _check(self) -> "Ordering":
        _unique([i.id for i in self.items], "item")
        return self


@register
class DragWords(QuestionBase):
    """Drag words from a bank into the gaps ``[[word]]`` (select boxes as the keyboard alternative)."""
    label: ClassVar[str] = "Drag the words"
    type: Literal["drag_words"] = "drag_words"
    distractors: list[Annotated[str, Field(min_length=1)]] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check(self) -> "DragWords":
        gaps = gaps_in(self.text)
        if not gaps:
            raise ValueError("text: must contain at least one word to drag, written as [[word]]")
        for g in gaps:
            if "|" in g or not g.strip():
                raise ValueError(f"text: gap [[{g}]] must hold exactly one word or phrase (no '|')")
        return self


class CodeTest(_Model):
    name: Annotated[str, Field(min_length=1, description="Shown to the learner, e.g. 'total of an empty list is 0'")]
    code: Annotated[str, Field(min_length=1, description="Hidden Python run after the learner's code; fails by raising")]
    feedback: Optional[str] = Field(None, description="Shown when this test fails")


@register
class CodeExercise(QuestionBase):
    """The learner edits Python; hidden tests run in the kernel with a time limit."""
    label: ClassVar[str] = "Code exercise"
    type: Literal["code"] = "code"
    starter: str = ""
    tests: Annotated[list[CodeTest], Field(min_length=1)]
    solution: Annotated[str, Field(min_length=1)]
    timeout_s: Annotated[float, Field(gt=0, le=60)] = 5.0
    setup: str = Field("", description="Hidden code run before the learner's code (data, imports)")


@register
class Essay(QuestionBase):
    """Reflection / essay: free text, not auto-graded."""
    label: ClassVar[str] = "Reflection / essay"
    auto_graded: ClassVar[bool] = False
    type: Literal["essay"] = "essay"
    points: Annotated[float, Field(ge=0)] = 0.0
    min_words: Annotated[int, Field(ge=0)] = 0
    keywords: list[Annotated[str, Field(min_length=1)]] = Field(default_factory=list)
    model_answer: Optional[str] = None


class Statement(_Model):
    id: Annotated[str, Field(pattern=ID_PATTERN)]
    text: Annotated[str, Field(min_length=1)]


class Band(_Model):
    min: float
    max: float
    label: Annotated[str, Field(min_length=1)]
    advice: Annotated[str, Field(min_length=1)]


@register
class Likert(QuestionBase):
    """Self-assessment: several statements on one scale; the mean picks a band with advice."""
    label: ClassVar[str] = "Likert self-assessment"
    auto_graded: ClassVar[bool] = False
    type: Literal["likert"] = "likert"
    points: Annotated[float, Field(ge=0)] = 0.0
    statements: Annotated[list[Statement], Field(min_length=1)]
    scale: Annotated[list[Annotated[str, Field(min_length=1)]], Field(min_length=2, max_length=11)]
    bands: list[Band] = Field(default_factory=list, description="Bands over the mean (1 = first scale point)")

    @model_validator(mode="after")
    def _check(self) -> "Likert":
        _unique([s.id for s in self.statements], "statement")
        n = len(self.scale)
        for i, b in enumerate(self.bands):
            if b.min > b.max:
                raise ValueError(f"bands[{i}]: 'min' ({b.min}) must not be greater than 'max' ({b.max})")
            if b.min < 1 or b.max > n:
                raise ValueError(f"bands[{i}]: must lie between 1 and {n} (the scale has {n} points)")
        return self


class Card(_Model):
    id: Annotated[str, Field(pattern=ID_PATTERN)]
    front: Annotated[str, Field(min_length=1)]
    back: Annotated[str, Field(min_length=1)]


@register
class Flashcards(QuestionBase):
    label: ClassVar[str] = "Flashcards"
    auto_graded: ClassVar[bool] = False
    type: Literal["flashcards"] = "flashcards"
    points: Annotated[float, Field(ge=0)] = 0.0
    text: Annotated[str, Field(min_length=1)] = "Turn each card and say whether you knew it."
    cards: Annotated[list[Card], Field(min_length=1)]

    @model_validator(mode="after")
    def _check(self) -> "Flashcards":
        _unique([c.id for c in self.cards], "card")
        return self


Question = Annotated[
    Union[tuple(REGISTRY.values())],  # type: ignore[valid-type]
    Field(discriminator="type"),
]
_QUESTION = TypeAdapter(Question)


class Bank(_Model):
    """A question bank file."""
    schema_version: Literal[1] = Field(1, description="Version of this schema; 1 today")
    title: Optional[str] = None
    language: Optional[str] = Field(None, description="BCP 47 code, e.g. en, de, el")
    pass_mark: Optional[Annotated[float, Field(ge=0, le=1)]] = Field(
        None, description="Fraction of points needed to pass when the bank is a closing quiz")
    questions: Annotated[list[Question], Field(min_length=1)]

    @model_validator(mode="after")
    def _ids(self) -> "Bank":
        _unique([q.id for q in self.questions], "question")
        return self


# ----------------------------------------------------------------- errors

def _field_path(loc: tuple) -> str:
    parts: list[str] = []
    for p in loc:
        if isinstance(p, int):
            parts.append(f"[{p}]")
        else:
            parts.append(("." if parts else "") + str(p))
    return "".join(parts)


def _explain(err: dict) -> tuple[str, str]:
    """(field, problem) for one pydantic error dict, in plain words."""
    loc = [p for p in err["loc"] if p not in tuple(REGISTRY) and p not in ("function-after",)]
    typ = err["type"]
    msg = err.get("msg", "")
    ctx = err.get("ctx", {}) or {}
    field = _field_path(tuple(loc))
    if typ == "value_error":
        text = str(ctx.get("error", msg)).removeprefix("Value error, ")
        # our validators say "field: problem"
        m = re.match(r"^([A-Za-z_\[\]0-9.]+): (.*)$", text)
        if m:
            sub = m.group(1)
            return (f"{field}.{sub}" if field else sub), m.group(2)
        return field, text
    if typ == "missing":
        return field, "is required but missing"
    if typ == "extra_forbidden":
        return field, "is not a known field (check the spelling; see the JSON Schema for allowed fields)"
    if typ == "union_tag_invalid":
        allowed = ", ".join(sorted(REGISTRY))
        return (field + ".type" if field else "type"), f"must be one of {allowed} (got {ctx.get('tag')!r})"
    if typ == "union_tag_not_found":
        allowed = ", ".join(sorted(REGISTRY))
        return (field + ".type" if field else "type"), f"is required; one of {allowed}"
    if typ == "string_pattern_mismatch":
        return field, ("must start with a letter or digit and use only letters, digits, '-', '_' or '.' "
                       "(at most 64 characters)")
    if typ == "literal_error":
        return field, f"must be {ctx.get('expected')}"
    if typ in ("too_short",):
        return field, f"needs at least {ctx.get('min_length')} entries"
    if typ == "string_too_short":
        return field, "must not be empty"
    if typ.startswith("greater_than") or typ.startswith("less_than"):
        return field, msg.lower()
    return field, msg[0].lower() + msg[1:] if msg else typ


def _question_where(source: str, data: Any, index: int) -> str:
    qid = None
    try:
        qid = data["questions"][index].get("id")
    except Exception:
        pass
    return f"{source}: question {index + 1}" + (f" ({qid})" if qid else "")


def _raise_from(e: ValidationError, source: str, data: Any) -> None:
    err = e.errors(include_url=False)[0]
    loc = tuple(err["loc"])
    if len(loc) >= 2 and loc[0] == "questions" and isinstance(loc[1], int):
        where = _question_where(source, data, loc[1])
        err = dict(err, loc=loc[2:])
    else:
        where = source
    field, problem = _explain(err)
    extra = len(e.errors()) - 1
    if extra > 0:
        problem += f" (and {extra} more problem{'s' if extra > 1 else ''})"
    raise QuestionError(where, field or None, problem) from None


def parse_question(data: Any, source: str = "<question>") -> QuestionBase:
    """Validate one question dict."""
    if not isinstance(data, dict):
        raise QuestionError(source, None, f"a question must be a mapping of fields, not {type(data).__name__}")
    try:
        return _QUESTION.validate_python(data)
    except ValidationError as e:
        err = e.errors(include_url=False)[0]
        where = source + (f" ({data.get('id')})" if isinstance(data.get("id"), str) else "")
        field, problem = _explain(err)
        raise QuestionError(where, field or None, problem) from None


def parse_bank(data: Any, source: str = "<bank>") -> Bank:
    if isinstance(data, list):
        raise QuestionError(source, None, "the file must be a mapping with 'schema_version: 1' and 'questions:' "
                                          "(found a bare list)")
    if not isinstance(data, dict):
        raise QuestionError(source, None, "the file must be a mapping with 'schema_version: 1' and 'questions:'")
    if "schema_version" not in data:
        raise QuestionError(source, "schema_version", "is required; add 'schema_version: 1' at the top")
    if data.get("schema_version") != SCHEMA_VERSION:
        raise QuestionError(source, "schema_version",
                            f"must be {SCHEMA_VERSION} (this h4s understands version {SCHEMA_VERSION}; "
                            f"got {data.get('schema_version')!r})")
    try:
        return Bank.model_validate(data)
    except ValidationError as e:
        _raise_from(e, source, data)
        raise  # pragma: no cover


def read_bank_data(path: str | Path) -> Any:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BankFileError(f"{path}: file not found; check the path (relative to {Path.cwd()})") from None
    except UnicodeDecodeError as e:
        raise BankFileError(f"{path}: is not UTF-8 text (byte {e.start}); save it as UTF-8") from None
    if path.suffix.lower() == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as e:
            raise BankFileError(f"{path}:{e.lineno}: invalid JSON: {e.msg}") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        problem = getattr(e, "problem", None) or str(e)
        raise BankFileError(f"{path}{line}: invalid YAML: {problem}; check indentation and quote text "
                            f"containing ':' or '#'") from None


def load_bank(path: str | Path) -> Bank:
    """Read and validate a YAML or JSON question bank."""
    return parse_bank(read_bank_data(path), source=str(path))


def json_schema() -> dict:
    """JSON Schema of a question bank, for editors (VS Code, JupyterLab)."""
    schema = Bank.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "h4s-question-bank.schema.json"
    schema["title"] = "h4s question bank"
    return schema
