"""``likert``: self-assessment, several statements rated on one scale; the mean picks a band with advice
(not graded).  The response maps statement ids to scale points 1..n."""
from __future__ import annotations

import html
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, model_validator

from .._schema import ID_PATTERN, QuestionBase, _Model, _num, _unique, register

TYPE = "likert"


class Statement(_Model):
    """One statement the learner rates on the scale."""
    id: Annotated[str, Field(pattern=ID_PATTERN, description="Stable statement id")]
    text: Annotated[str, Field(min_length=1, description="The statement")]


class Band(_Model):
    """A range of the mean rating with a label and advice."""
    min: float = Field(description="Lowest mean in this band (1 = first scale point)")
    max: float = Field(description="Highest mean in this band (at most the number of scale points)")
    label: Annotated[str, Field(min_length=1, description="Short name of the band")]
    advice: Annotated[str, Field(min_length=1, description="Advice shown for this band")]


@register
class Likert(QuestionBase):
    """Self-assessment: several statements on one scale; the mean picks a band with advice."""
    label: ClassVar[str] = "Likert self-assessment"
    auto_graded: ClassVar[bool] = False
    type: Literal["likert"] = "likert"
    points: Annotated[float, Field(ge=0, description="Points (0: not counted in the score)")] = 0.0
    statements: Annotated[list[Statement], Field(min_length=1, description="Statements to rate")]
    scale: Annotated[list[Annotated[str, Field(min_length=1)]], Field(
        min_length=2, max_length=11, description="Labels of the scale points, lowest first (2 to 11)")]
    bands: list[Band] = Field(default_factory=list, description="Bands over the mean (1 = first scale point)")

    @model_validator(mode="after")
    def _check(self) -> "Likert":
        _unique([s.id for s in self.statements], "statement", "statements")
        n = len(self.scale)
        for i, b in enumerate(self.bands):
            if b.min > b.max:
                raise ValueError(f"bands[{i}].min: must not be greater than 'max' ({_num(b.min)} > {_num(b.max)})")
            if b.min < 1 or b.max > n:
                raise ValueError(f"bands[{i}]: runs from {_num(b.min)} to {_num(b.max)} but must lie between 1 and "
                                 f"{n} (the scale has {n} points)")
        return self


def grade(q: Likert, r: Any) -> Result:
    from .._grading import Result, _is_scale_point
    n = len(q.scale)
    top = float(n * len(q.statements))
    if r is None or (isinstance(r, dict) and not r):
        return Result(0.0, top, None, ["empty"])
    ids = {s.id for s in q.statements}
    if (not isinstance(r, dict) or not set(r) <= ids
            or not all(_is_scale_point(v, n) for v in r.values())):
        return Result(0.0, top, None, ["invalid"])
    total = float(sum(r.values()))
    if len(r) < len(ids):
        return Result(total, top, None, ["incomplete"])
    mean = total / len(ids)
    fb = []
    for i, b in enumerate(q.bands):
        if b.min <= mean <= b.max:
            fb.append(f"band:{i}")
            break
    return Result(total, top, None, fb or ["noband"])


def public_spec(q, seed) -> dict:
    from .._markdown import md, md_inline
    return {"text_html": md(q.text), "statements": [{"id": s.id, "html": md_inline(s.text)} for s in q.statements],
            "scale": list(q.scale), "bands": [{"min": b.min, "max": b.max, "label": b.label} for b in q.bands]}


HASHED = False


def static_key(q: Likert, salt: str) -> dict:
    """No key: the page needs the statements, scale and bands."""
    from .._spec import dumped_key
    return dumped_key(q, salt, hashed=False)


def feedback_texts(q) -> dict:
    from .._markdown import md_inline
    return {f"band:{i}": f"<strong>{html.escape(b.label)}</strong> {md_inline(b.advice)}" for i, b in enumerate(q.bands)}


XAPI_INTERACTION = "matching"         # its statements matched to the points of its scale


def xapi_components(spec: dict, lang: str) -> dict:
    """The statements as sources, the scale points (numbered 1, 2, ...) as targets."""
    from ._xapi import comp, plain
    return {"source": [comp(s["id"], plain(s["html"]), lang) for s in spec.get("statements") or []],
            "target": [comp(str(k + 1), t, lang) for k, t in enumerate(spec.get("scale") or [])]}


def xapi_response(response: Any, spec: dict | None = None) -> str:
    from ._xapi import pairs
    return pairs(response, lambda v: v)


EXAMPLE = """\
- type: likert
  id: oer-confidence
  text: How confident are you?
  statements:
    - {id: find, text: I can find openly licensed images for my lessons.}
    - {id: tell, text: I can tell which licences allow changes.}
  scale: [Not at all, A little, Mostly, Fully]
  bands:
    - {min: 1, max: 2.49, label: Starting out, advice: Work through section 2 again.}
    - {min: 2.5, max: 4, label: Confident, advice: Try the closing quiz.}
"""

INVALID = [
    ({"scale": ["Only one"]}, "'scale' needs at least 2 entries"),
    ({"bands": [{"min": 3, "max": 2, "label": "x", "advice": "y"}]}, "'bands[0].min' must not be greater than 'max' (3 > 2)"),
    ({"bands": [{"min": 1, "max": 5, "label": "x", "advice": "y"}]}, "'bands[0]' runs from 1 to 5 but must lie between 1 and 4"),
]
