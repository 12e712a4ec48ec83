"""``numeric``: a number, exact with a tolerance, a range, or several graded answers.  The response is the
number as typed (``"3,14"``) or a number."""
from __future__ import annotations

import html
from typing import Annotated, Any, ClassVar, Literal, Optional

from pydantic import Field, model_validator

from .._schema import QuestionBase, _Model, _num, register

TYPE = "numeric"


class NumericAnswer(_Model):
    """One accepted number: ``value`` (with ``tolerance``) or a range ``min``..``max``."""
    value: Optional[float] = Field(None, description="The right number (use with tolerance)")
    tolerance: Annotated[float, Field(ge=0, description="How far from value an answer may be and still count")] = 0.0
    min: Optional[float] = Field(None, description="Smallest accepted number (use with max instead of value)")
    max: Optional[float] = Field(None, description="Largest accepted number (use with min instead of value)")
    score: Annotated[float, Field(ge=0, le=1, description="Fraction of the points (1 = full)")] = 1.0
    feedback: Optional[str] = Field(None, description="Feedback when this answer matches")

    @model_validator(mode="after")
    def _check(self) -> "NumericAnswer":
        if self.value is not None and (self.min is not None or self.max is not None):
            raise ValueError("has both 'value' and 'min'/'max'; give either 'value' (with optional 'tolerance') "
                             "or both 'min' and 'max'")
        if self.value is None and (self.min is None or self.max is None):
            raise ValueError("needs either 'value' (with optional 'tolerance') or both 'min' and 'max'")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min: must not be greater than 'max' ({_num(self.min)} > {_num(self.max)})")
        return self


@register
class Numeric(QuestionBase):
    """A number: exact with tolerance, a range, or several graded answers."""
    label: ClassVar[str] = "Numeric"
    type: Literal["numeric"] = "numeric"
    answers: Annotated[list[NumericAnswer], Field(min_length=1, description="Accepted numbers, at least one with score 1")]
    unit: Optional[str] = Field(None, description="Unit shown after the input box, e.g. EUR or kg")

    @model_validator(mode="after")
    def _check(self) -> "Numeric":
        if not any(a.score == 1 for a in self.answers):
            raise ValueError("answers: needs at least one answer with score 1 (full marks)")
        return self


def answer_matches(a: Any, x: float) -> bool:
    from .._grading import _close
    if a.value is not None:
        return _close(x, a.value, a.tolerance)
    lo_eps = 1e-9 * max(1.0, abs(a.min))
    hi_eps = 1e-9 * max(1.0, abs(a.max))
    return a.min - lo_eps <= x <= a.max + hi_eps


def grade(q: Numeric, r: Any) -> Result:
    from .._grading import Result, _empty, _invalid, _is_blank, _result, parse_number
    if _is_blank(r):
        return _empty(q)
    x = parse_number(r)
    if x is None:
        return _invalid(q)
    for i, a in enumerate(q.answers):
        if answer_matches(a, x):
            return _result(q, a.score, a.score == 1, [f"answer:{i}"])
    return _result(q, 0.0, False, ["nomatch"])


def public_spec(q: Numeric, seed: Any = 0) -> dict:
    from .._markdown import md
    return {"text_html": md(q.text), "unit": q.unit}


HASHED = False


def _key(q, d, H) -> None:  # numbers are compared with a tolerance: plaintext
    for a in d["answers"]:
        a.pop("feedback", None)


def static_key(q: Numeric, salt: str) -> dict:
    """Numbers are compared with a tolerance: the key is plaintext."""
    from .._spec import dumped_key
    return dumped_key(q, salt, _key, hashed=False)


def feedback_texts(q: Numeric) -> dict:
    from .._markdown import md_inline
    return {f"answer:{i}": md_inline(a.feedback) for i, a in enumerate(q.answers) if a.feedback}


def solution_html(q, lang) -> str:
    a = next(a for a in q.answers if a.score == 1)
    unit = f" {html.escape(q.unit)}" if q.unit else ""
    if a.value is not None:
        tol = f" (± {a.tolerance:g})" if a.tolerance else ""
        return f"<p>{a.value:g}{unit}{tol}</p>"
    return f"<p>{a.min:g} – {a.max:g}{unit}</p>"


XAPI_INTERACTION = "numeric"


def xapi_response(response: Any, spec: dict | None = None) -> str:
    """The number (``3,5`` -> ``3.5``); ``""`` when it is no number."""
    from .._grading import parse_number
    from ._xapi import js_number
    x = parse_number(response)
    return "" if x is None else js_number(x)


def to_gift(q, w) -> str | None:
    E, fb, gen, head, problems = w.E, w.fb, w.gen, w.head, w.problems
    def one(a) -> str:
        if a.min is not None and a.min <= -w.catch_all and a.max >= w.catch_all:
            return "~" + fb(a.feedback)
        v = f"{w.num(a.min)}..{w.num(a.max)}" if a.value is None else (
            w.num(a.value) + (f":{w.num(a.tolerance)}" if a.tolerance else ""))
        sc = w.snap(a.score, f"answer {v}")
        wt = "" if sc == 1 else f"%{w.percent(sc)}%"
        return "=" + wt + v + fb(a.feedback)
    if q.unit:
        problems.append(f"unit {q.unit!r} not exported (add it to the question text or use Moodle units)")
    if len(q.answers) == 1 and not q.answers[0].feedback:
        block = "#" + one(q.answers[0])[1:]
    else:
        block = "#\n" + "\n".join("\t" + one(a) for a in q.answers) + "\n"
    body = head + E(q.text) + " {" + block + (("\t" if block.endswith("\n") else "") + gen if gen else "") + (
        "\n" if gen and block.endswith("\n") else "") + "}"
    return body


def to_moodle_xml(q, w) -> tuple[str, str, str] | None:
    problems = w.problems
    head_extra = ""
    body = ""
    mtype = "numerical"
    for a in q.answers:
        if a.value is None and a.min <= -w.catch_all and a.max >= w.catch_all:
            t, tol = "*", 0.0
        elif a.value is None:
            t, tol = w.num((a.min + a.max) / 2), (a.max - a.min) / 2
        else:
            t, tol = w.num(a.value), a.tolerance
        frac = w.snap(a.score, f"answer {t}")
        body += f'    <answer fraction="{w.percent(frac)}" format="moodle_auto_format">\n      <text>{t}</text>\n'
        body += f"      <tolerance>{w.num(tol)}</tolerance>\n"
        body += w.text_el("feedback", a.feedback or "", indent="      ")
        body += "    </answer>\n"
    if q.unit:
        body += ("    <units>\n      <unit>\n        <multiplier>1</multiplier>\n"
                 f"        <unit_name>{w.x(q.unit)}</unit_name>\n      </unit>\n    </units>\n"
                 "    <unitgradingtype>0</unitgradingtype>\n    <unitpenalty>0</unitpenalty>\n"
                 "    <showunits>3</showunits>\n    <unitsleft>0</unitsleft>\n")
    return mtype, body, head_extra


EXAMPLE = """\
- type: numeric
  id: vat
  text: A drill costs 80 EUR before VAT. What does it cost with 20 % VAT?
  unit: EUR
  answers:
    - value: 96
      tolerance: 0.01
    - min: 80.1
      max: 95.99
      score: 0
      feedback: Too low. Multiply the price by 1.2.
"""

INVALID = [
    ({"answers": [{"value": 3, "score": 0.5}]}, "'answers' needs at least one answer with score 1"),
    ({"answers": [{"value": 3, "min": 1, "max": 4}]}, "'answers[0]' has both 'value' and 'min'/'max'"),
    ({"answers": [{"min": 5, "max": 4}]}, "'answers[0].min' must not be greater than 'max' (5 > 4)"),
]
