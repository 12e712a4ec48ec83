"""``true_false``: a statement the learner marks as true or false.  The response is ``true`` or ``false``."""
from __future__ import annotations

import html
from typing import Any, ClassVar, Literal, Optional

from pydantic import Field

from .._schema import QuestionBase, register

TYPE = "true_false"


@register
class TrueFalse(QuestionBase):
    """A statement the learner marks as true or false."""
    label: ClassVar[str] = "True / false"
    type: Literal["true_false"] = "true_false"
    answer: bool = Field(description="true if the statement is true, false if it is false")
    feedback_true: Optional[str] = Field(None, description="Feedback when the learner answers True")
    feedback_false: Optional[str] = Field(None, description="Feedback when the learner answers False")


def grade(q: TrueFalse, r: Any):
    from .._grading import _empty, _invalid, _result
    if r is None:
        return _empty(q)
    if not isinstance(r, bool):
        return _invalid(q)
    ok = r == q.answer
    return _result(q, 1.0 if ok else 0.0, ok, ["true" if r else "false"])


def public_spec(q: TrueFalse, seed: Any = 0) -> dict:
    from .._markdown import md
    return {"text_html": md(q.text)}


HASHED = True


def _key(q, d, H) -> None:
    d["answer"] = H("true" if q.answer else "false")
    d.pop("feedback_true", None)
    d.pop("feedback_false", None)


def static_key(q: TrueFalse, salt: str) -> dict:
    from .._spec import dumped_key
    return dumped_key(q, salt, _key)


def feedback_texts(q: TrueFalse) -> dict:
    from .._markdown import md_inline
    fb = {}
    if q.feedback_true:
        fb["true"] = md_inline(q.feedback_true)
    if q.feedback_false:
        fb["false"] = md_inline(q.feedback_false)
    return fb


def solution_html(q: TrueFalse, lang: str | None = None) -> str:
    from .._i18n import gettext
    return f"<p>{html.escape(gettext('True', lang) if q.answer else gettext('False', lang))}</p>"


XAPI_INTERACTION = "true-false"


def xapi_response(response: Any, spec: dict | None = None) -> str:
    from ._xapi import s
    return "true" if response is True else "false" if response is False else s(response)


def to_gift(q: TrueFalse, w) -> str:
    E, gen, head = w.E, w.gen, w.head
    right, wrong = (q.feedback_true, q.feedback_false) if q.answer else (q.feedback_false, q.feedback_true)
    tf = "TRUE" if q.answer else "FALSE"
    if right or wrong:
        tf += f"#{E(wrong or '')}#{E(right or '')}"
    return head + E(q.text) + " {" + tf + gen + "}"


def to_moodle_xml(q: TrueFalse, w) -> tuple[str, str, str]:
    body = ""
    for val in (True, False):
        frac = 100 if q.answer == val else 0
        fb = q.feedback_true if val else q.feedback_false
        body += f'    <answer fraction="{frac}" format="moodle_auto_format">\n      <text>{"true" if val else "false"}</text>\n'
        body += w.text_el("feedback", fb or "", indent="      ")
        body += "    </answer>\n"
    return "truefalse", body, ""


EXAMPLE = """\
- type: true_false
  id: search-images
  text: An image found with a search engine may be used in an OER without checking its licence.
  answer: false
  feedback_false: Right. Check the licence of every image before you reuse it.
  feedback_true: Not quite. Being easy to find does not make an image free to reuse.
"""

INVALID = [
    ({"answer": "maybe"}, "'answer' must be true or false"),
    ({"feedback_maybe": "x"}, "'feedback_maybe' is not a known field of a true_false question"),
]
