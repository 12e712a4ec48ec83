"""Helpers of the type units' xAPI mapping (``xapi_components``, ``xapi_response``), shared with
:mod:`h4s_kit.records.xapi`; ``_static/records.js`` does the same in the browser."""
from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")


def plain(html_text: str | None) -> str:
    """Text of an option's (or statement's) HTML as records.js makes it: tags dropped, spaces collapsed
    (entities such as ``&amp;`` stay as they are)."""
    return _SPACE.sub(" ", _TAG.sub("", html_text or "")).strip()


def comp(cid: str, text: str, lang: str) -> dict:
    """One interaction component (a choice, source or target)."""
    return {"id": cid, "description": {lang: text}}


def s(v: Any) -> str:
    return "" if v is None else str(v)


def joined(response: Any) -> str:
    """A list response as ``a[,]b``; else the text of the response (JSON for a mapping)."""
    if isinstance(response, list):
        return "[,]".join(s(x) for x in response)
    return other(response)


def other(response: Any) -> str:
    """A response of no xAPI form: JSON for lists and mappings, else its text."""
    if isinstance(response, (dict, list)):
        return canonical_json(response)
    return s(response)


def canonical_json(v: Any) -> str:
    """Compact JSON with sorted keys (records.js writes the same bytes)."""
    import json
    return json.dumps(v, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def js_number(x: float) -> str:
    """``String(x)`` of JavaScript (records.js sends numbers so): ``3``, ``3.5``, ``1e-7``, ``1e+21``."""
    if x != x or x in (float("inf"), float("-inf")):
        return str(x)
    if x == 0:
        return "0"
    if 1e-6 <= abs(x) < 1e21:       # the shortest digits that read back as x, written out
        out = format(Decimal(repr(x)), "f")
        return out.rstrip("0").rstrip(".") if "." in out else out
    mant, _, exp = repr(x).partition("e")
    e = int(exp)
    return f"{mant.removesuffix('.0')}e{'+' if e > 0 else '-'}{abs(e)}"


def pairs(response: Any, target) -> str:
    """A mapping response as ``source[.]target`` pairs (``target(value)``: the target's number, 0 = none)."""
    if not isinstance(response, dict):
        return other(response)
    out = [(k, target(v)) for k, v in response.items()]
    return "[,]".join(f"{k}[.]{v}" for k, v in out if isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0)
