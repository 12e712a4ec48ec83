"""``essay``: a reflection or essay, free text that is not graded automatically (words counted, keywords
shown as used or missing, an example answer).  The response is the text."""
from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal, Optional

from pydantic import Field

from .._schema import QuestionBase, register

TYPE = "essay"


@register
class Essay(QuestionBase):
    """Reflection / essay: free text, not auto-graded."""
    label: ClassVar[str] = "Reflection / essay"
    auto_graded: ClassVar[bool] = False
    type: Literal["essay"] = "essay"
    points: Annotated[float, Field(ge=0, description="Points (0: not counted in the score)")] = 0.0
    min_words: Annotated[int, Field(ge=0, description="Words the answer needs at least")] = 0
    keywords: list[Annotated[str, Field(min_length=1)]] = Field(
        default_factory=list, description="Words the learner is shown as used or missing after saving")
    model_answer: Optional[str] = Field(None, description="Example answer shown after saving")


def grade(q: Essay, r: Any) -> Result:
    from .._grading import Result, _is_blank, count_words, norm_text
    if _is_blank(r):
        return Result(0.0, 0.0, None, ["empty"])
    if not isinstance(r, str):
        return Result(0.0, 0.0, None, ["invalid"])
    fb = ["too_short" if count_words(r) < q.min_words else "submitted"]
    low = norm_text(r)
    for i, k in enumerate(q.keywords):
        fb.append(f"keyword:{i}:{'found' if norm_text(k) in low else 'missing'}")
    return Result(0.0, 0.0, None, fb)


def public_spec(q: Essay, seed: Any = 0) -> dict:
    from .._markdown import md
    return {"text_html": md(q.text), "min_words": q.min_words, "keywords": list(q.keywords)}


HASHED = False


def _key(q, d, H) -> None:    # the model answer is the solution: only obfuscated, in `sol`
    d.pop("model_answer", None)


def static_key(q: Essay, salt: str) -> dict:
    """The model answer is the solution: it leaves only obfuscated (``sol``)."""
    from .._spec import dumped_key
    return dumped_key(q, salt, _key, hashed=False)


def solution_html(q, lang) -> str:
    from .._markdown import md
    return md(q.model_answer) if q.model_answer else ""


XAPI_INTERACTION = "long-fill-in"


def xapi_response(response: Any, spec: dict | None = None) -> str:
    from ._xapi import other
    return other(response)


def to_gift(q, w) -> str | None:
    E, gen, head, problems = w.E, w.gen, w.head, w.problems
    for f in w.lost_fields(q, ("min_words", "keywords", "model_answer")):
        problems.append(f"{f} not exported (GIFT essays have no such field; Moodle XML keeps model_answer "
                        "and min_words)")
    body = head + E(q.text) + " {" + gen + "}"
    return body


def to_moodle_xml(q, w) -> tuple[str, str, str] | None:
    problems = w.problems
    head_extra = ""
    body = ""
    mtype = "essay"
    body += ("    <responseformat>editor</responseformat>\n    <responserequired>1</responserequired>\n"
             "    <responsefieldlines>10</responsefieldlines>\n"
             f"    <minwordlimit>{q.min_words or ''}</minwordlimit>\n    <attachments>0</attachments>\n")
    body += w.text_el("graderinfo", q.model_answer or "")
    body += w.text_el("responsetemplate", "", fmt="html")
    if q.keywords:
        problems.append("keywords not exported (Moodle essays have none; they are in the grader information "
                        "only if you add them to model_answer)")
    return mtype, body, head_extra


EXAMPLE = """\
- type: essay
  id: reuse-reflection
  text: Describe a teaching material you would like to share openly. What would you need to check first?
  min_words: 40
  keywords: [licence, images, credit]
  model_answer: I would share my welding safety checklist. First I would check who owns the photos ...
"""

INVALID = [
    ({"min_words": -1}, "'min_words' must be at least 0"),
    ({"keywords": [""]}, "'keywords[0]' must not be empty"),
]
