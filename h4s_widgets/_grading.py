"""Pure graders: ``grade(question, response) -> Result``.

No IPython, no DOM, no I/O (except the code-exercise runner, which starts a
separate process).  ``_static/grader.js`` implements the same rules for pages
without a kernel; ``tests/cases/grading_cases.json`` is run against both.

Rules shared with the JS grader (keep them in step):

* text is NFC-normalised; with whitespace folding, runs of the characters in
  ``WS`` become one space and the ends are trimmed; without case sensitivity
  both sides are lower-cased (``str.lower`` / ``toLowerCase``);
* numbers accept ``3.14``, ``3,14``, ``-2``, ``−2`` (U+2212), ``1e3`` and spaces
  between digits; a comma is always a decimal separator;
* a cloze gap alternative that is such a number (``[[4.5]]``, ``[[4,5]]``) is also
  matched as a number: an answer that is a number within ``1e-9 * max(1, |n|)`` of
  it counts (so ``4,5``, ``4.50`` and ``4.5`` are all right); text alternatives
  are matched as text;
* scores are ``fraction * points`` rounded half up to 4 decimals.
"""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from ._errors import GradingError
from .types import hook

if TYPE_CHECKING:
    from ._schema import QuestionBase

WS = "\t\n\u000b\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_WS_RUN = re.compile(f"[{WS}]+")
_NUMBER = re.compile(r"^[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)(?:[eE][+-]?[0-9]+)?$")


@dataclass
class Result:
    score: float
    max_score: float
    correct: bool | None
    feedback: list[str] = field(default_factory=list)
    #: extra information for people (e.g. a failing test's message); not compared with the JS grader
    details: dict = field(default_factory=dict)

    def as_dict(self, details: bool = False) -> dict:
        d = asdict(self)
        if not details:
            d.pop("details")
        return d


def round_score(x: float) -> float:
    return math.floor(x * 10000 + 0.5) / 10000


def norm_text(s: str, case_sensitive: bool = False, fold_ws: bool = True) -> str:
    s = unicodedata.normalize("NFC", s)
    if fold_ws:
        s = _WS_RUN.sub(" ", s).strip(" ")
    if not case_sensitive:
        s = s.lower()
    return s


def parse_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        try:
            x = float(value)
        except OverflowError:  # an int beyond float range (JSON 1000...0); JS sees Infinity
            return None
        return x if math.isfinite(x) else None
    if not isinstance(value, str):
        return None
    s = _WS_RUN.sub("", unicodedata.normalize("NFC", value)).replace("\u2212", "-")
    if not _NUMBER.match(s):
        return None
    x = float(s.replace(",", "."))
    return x if math.isfinite(x) else None  # "1e400" is no finite number, as 1e400 typed as a JSON number


def _is_blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and norm_text(v) == "")


def _result(q: QuestionBase, fraction: float, correct: bool | None, feedback: list[str]) -> Result:
    return Result(round_score(fraction * q.points), round_score(q.points), correct, feedback)


def _empty(q: QuestionBase) -> Result:
    return _result(q, 0.0, False, ["empty"])


def _invalid(q: QuestionBase) -> Result:
    return _result(q, 0.0, False, ["invalid"])


def _gaps(q: QuestionBase, r: Any, n: int, match: Callable[[int, str], bool]) -> Result:
    if r is None:
        return _empty(q)
    if not isinstance(r, list) or len(r) > n or not all(x is None or isinstance(x, str) for x in r):
        return _invalid(q)
    r = list(r) + [None] * (n - len(r))
    if all(_is_blank(x) for x in r):
        return _empty(q)
    fb, good = [], 0
    for i, x in enumerate(r):
        if _is_blank(x):
            fb.append(f"gap:{i + 1}:empty")
        elif match(i, x):
            good += 1
            fb.append(f"gap:{i + 1}:correct")
        else:
            fb.append(f"gap:{i + 1}:wrong")
    return _result(q, good / n, good == n, fb)


def gap_numbers(alternatives: list[str]) -> list[float]:
    """The alternatives of a cloze gap that are numbers (graded as numbers, not as text)."""
    return [x for x in (parse_number(a) for a in alternatives) if x is not None]


def _close(x: float, target: float, tol: float) -> bool:
    return abs(x - target) <= tol + 1e-9 * max(1.0, abs(target))


def _regex_flags(case_sensitive: bool) -> int:
    return 0 if case_sensitive else re.IGNORECASE


def count_words(s: str) -> int:
    s = norm_text(s, True)
    return len(s.split(" ")) if s else 0


def _is_scale_point(v: Any, n: int) -> bool:
    """1..n as an int; an integral float (4.0) counts too, as JSON and JS cannot tell 4.0 from 4."""
    if isinstance(v, bool) or not (isinstance(v, int) or (isinstance(v, float) and v.is_integer())):
        return False
    return 1 <= v <= n


def grade(question: QuestionBase | dict, response: Any) -> Result:
    """Grade ``response`` to ``question`` (a question object or its dict)."""
    if isinstance(question, dict):
        from ._schema import parse_question   # (here: a question given as a model needs no schema import)
        question = parse_question(question)
    fn = hook(question.type, "grade")
    if fn is None:
        raise GradingError(f"question {question.id}: type {question.type!r} has no grader")
    return fn(question, response)
