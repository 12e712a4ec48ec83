"""``ordering``: put the items in the right order (``code: true`` shows them as lines of code).  The response
is the list of item ids in the learner's order."""
from __future__ import annotations

import html
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, model_validator

from .._schema import ID_PATTERN, QuestionBase, _Model, _unique, register

TYPE = "ordering"


class Item(_Model):
    """One item to put in order."""
    id: Annotated[str, Field(pattern=ID_PATTERN, description="Stable item id")]
    text: Annotated[str, Field(min_length=1, description="Item text (a line of code when code is true)")]


@register
class Ordering(QuestionBase):
    """Put items in order; with ``code: true`` it is a Parsons problem (lines of code)."""
    label: ClassVar[str] = "Ordering / Parsons"
    type: Literal["ordering"] = "ordering"
    items: Annotated[list[Item], Field(min_length=2, description="Items in the CORRECT order")]
    code: bool = Field(False, description="Show items as code lines (Parsons problem)")
    partial_credit: bool = Field(True, description="Give points for each item in its right place")

    @model_validator(mode="after")
    def _check(self) -> "Ordering":
        _unique([i.id for i in self.items], "item", "items")
        return self


def grade(q: Ordering, r: Any) -> Result:
    from .._grading import Result, _empty, _invalid, _result
    if r is None or r == []:
        return _empty(q)
    ids = [i.id for i in q.items]
    if not isinstance(r, list) or not all(isinstance(x, str) for x in r) or sorted(r) != sorted(ids):
        return _invalid(q)
    fb, good = [], 0
    for pos, (want, got) in enumerate(zip(ids, r)):
        if want == got:
            good += 1
            fb.append(f"position:{pos + 1}:correct")
        else:
            fb.append(f"position:{pos + 1}:wrong")
    n = len(ids)
    exact = good == n
    frac = good / n if q.partial_credit else (1.0 if exact else 0.0)
    return _result(q, frac, exact, fb)


def public_spec(q, seed) -> dict:
    from .._markdown import md, md_inline
    from .._spec import _rng
    items = list(q.items)
    rng = _rng(q, seed)
    for _ in range(10):
        rng.shuffle(items)
        if [i.id for i in items] != [i.id for i in q.items]:
            break
    if [i.id for i in items] == [i.id for i in q.items]:
        items = items[1:] + items[:1]
    return {"text_html": md(q.text),
            "items": [{"id": i.id, "html": (html.escape(i.text) if q.code else md_inline(i.text))} for i in items],
            "code": q.code}


HASHED = True


def _key(q, d, H) -> None:
    d["items"] = [{"id": H(f"{pos}:{i.id}")} for pos, i in enumerate(q.items)]
    d["ids"] = sorted(i.id for i in q.items)


def static_key(q: Ordering, salt: str) -> dict:
    from .._spec import dumped_key
    return dumped_key(q, salt, _key)


def solution_html(q, lang) -> str:
    from .._markdown import md_inline
    if q.code:
        return "<pre><code>" + html.escape("\n".join(i.text for i in q.items)) + "</code></pre>"
    return "<ol>" + "".join(f"<li>{md_inline(i.text)}</li>" for i in q.items) + "</ol>"


XAPI_INTERACTION = "sequencing"


def xapi_components(spec: dict, lang: str) -> dict:
    from ._xapi import comp, plain
    return {"choices": [comp(i["id"], plain(i["html"]), lang) for i in spec.get("items") or []]}


def xapi_response(response: Any, spec: dict | None = None) -> str:
    from ._xapi import joined
    return joined(response)


EXAMPLE = """\
- type: ordering
  id: sum-prices
  text: Put the lines in order so that the program prints the total of all prices.
  code: true
  items:
    - {id: l1, text: "total = 0"}
    - {id: l2, text: "for price in prices:"}
    - {id: l3, text: "    total += price"}
    - {id: l4, text: "print(total)"}
"""

INVALID = [
    ({"items": [{"id": "l1", "text": "x"}]}, "'items' needs at least 2 entries"),
]
