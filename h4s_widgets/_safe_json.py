"""Answers from a browser, checked before anything grades them.

A graded answer must be storable as a learner record (SQLite text is UTF-8, xAPI
is strict JSON).  So an answer is refused, with one clear line, when it holds

* a number that is not finite (``NaN``, ``Infinity``; Python's ``json`` accepts
  them by default, and ``1e999`` becomes infinity),
* a string with an unpaired UTF-16 surrogate (``"\\ud800"``: valid JSON, but
  not encodable as UTF-8),
* more than :data:`MAX_DEPTH` nested lists/objects (Python's parser would
  overflow its recursion limit).

:func:`loads` parses a request body with these rules; :func:`check` checks a
value that was parsed elsewhere (a widget message).
"""
from __future__ import annotations

import json
import math
from typing import Any

from ._errors import H4SError

MAX_DEPTH = 32


class UnsafeInput(H4SError, ValueError):
    """The input cannot be graded and stored as it is."""


def _depth(text: str, limit: int) -> None:
    if text.count("[") + text.count("{") <= limit:    # the usual case, counted in C
        return
    depth, in_str, esc = 0, False, False
    for ch in text:
        if in_str:
            if esc:
                esc = False
            elif ch == "\\":
                esc = True
            elif ch == '"':
                in_str = False
        elif ch == '"':
            in_str = True
        elif ch in "[{":
            depth += 1
            if depth > limit:
                raise UnsafeInput(f"the JSON is nested more than {limit} levels deep")
        elif ch in "]}":
            depth -= 1


def _no_constant(name: str) -> Any:
    raise UnsafeInput(f"{name} is not a number h4s can store: send finite numbers only")


def _finite(text: str) -> float:
    v = float(text)
    if not math.isfinite(v):
        raise UnsafeInput(f"{text} is too large a number: send finite numbers only")
    return v


def check(value: Any, limit: int = MAX_DEPTH, _level: int = 0) -> Any:
    """``value`` itself when every number in it is finite and every string is valid Unicode; else UnsafeInput."""
    if _level > limit:
        raise UnsafeInput(f"the answer is nested more than {limit} levels deep")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise UnsafeInput(f"{value!r} is not a number h4s can store: send finite numbers only")
    elif isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise UnsafeInput("the text holds an unpaired surrogate (an invalid Unicode character such as "
                              "\\ud800): send valid Unicode text") from None
    elif isinstance(value, dict):
        for k, v in value.items():
            check(k, limit, _level + 1)
            check(v, limit, _level + 1)
    elif isinstance(value, (list, tuple)):
        for v in value:
            check(v, limit, _level + 1)
    return value


def loads(data: bytes | str, limit: int = MAX_DEPTH) -> Any:
    """Parse JSON with the rules above (UnsafeInput, or ValueError for text that is not JSON at all)."""
    text = data.decode("utf-8") if isinstance(data, (bytes, bytearray)) else data   # UnicodeDecodeError is a ValueError
    _depth(text, limit)
    value = json.loads(text, parse_constant=_no_constant, parse_float=_finite)
    return check(value, limit)
