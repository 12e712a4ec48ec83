"""``single_choice``: one correct option among several (other options may carry part marks, ``scores``).
The response is the chosen option's id."""
from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, model_validator

from .._schema import Option, QuestionBase, _unique, register

TYPE = "single_choice"


@register
class SingleChoice(QuestionBase):
    """One correct option among several."""
    label: ClassVar[str] = "Single choice"
    type: Literal["single_choice"] = "single_choice"
    options: Annotated[list[Option], Field(min_length=2, description="The options, at least two")]
    answer: str = Field(description="id of the correct option")
    scores: dict[str, Annotated[float, Field(ge=0, le=1)]] = Field(
        default_factory=dict,
        description="Marks of other options, from 0 to 1 (1: also right), e.g. {c: 0.5}; the others score 0. "
                    "Moodle's one-answer questions with partly right options")
    shuffle: bool = Field(False, description="Show the options in a random order")

    @model_validator(mode="after")
    def _check(self) -> "SingleChoice":
        _unique([o.id for o in self.options], "option", "options")
        ids = [o.id for o in self.options]
        if self.answer not in ids:
            raise ValueError(f"answer: must be one of the option ids {', '.join(ids)}")
        for k in self.scores:
            if k not in ids:
                raise ValueError(f"scores: {k!r} is not an option id ({', '.join(ids)})")
            if k == self.answer:
                raise ValueError(f"scores: {k!r} is the answer, which always scores 1; give marks of the other "
                                 "options only")
        return self

    def option_score(self, oid: str) -> float:
        """The mark (0 to 1) of choosing option ``oid``."""
        return 1.0 if oid == self.answer else float(self.scores.get(oid, 0.0))


def grade(q: SingleChoice, r: Any) -> Result:
    from .._grading import Result, _empty, _invalid, _is_blank, _result
    if _is_blank(r):
        return _empty(q)
    if not isinstance(r, str) or r not in {o.id for o in q.options}:
        return _invalid(q)
    frac = q.option_score(r)       # 1 for the answer; a partly (or also fully) right option's mark in `scores`
    return _result(q, frac, frac == 1, [f"option:{r}"])


def public_spec(q: SingleChoice, seed: Any = 0) -> dict:
    from .._spec import options_spec
    return options_spec(q, seed, multiple=False)


HASHED = True


def _key(q, d, H) -> None:
    d["answer"] = H(q.answer)
    d["options"] = [{"id": o.id} for o in q.options]
    if q.scores:
        d["scores"] = {H(k): v for k, v in sorted(q.scores.items())}
    else:
        d.pop("scores", None)


def static_key(q: SingleChoice, salt: str) -> dict:
    from .._spec import dumped_key
    return dumped_key(q, salt, _key)


def feedback_texts(q: SingleChoice) -> dict:
    from .._spec import options_feedback
    return options_feedback(q)


def solution_html(q, lang) -> str:
    from .._markdown import md_inline
    o = next(o for o in q.options if o.id == q.answer)
    return f"<p>{md_inline(o.text)}</p>"


XAPI_INTERACTION = "choice"


def xapi_components(spec: dict, lang: str) -> dict:
    from ._xapi import comp, plain
    return {"choices": [comp(o["id"], plain(o["html"]), lang) for o in spec.get("options") or []]}


def xapi_response(response: Any, spec: dict | None = None) -> str:
    from ._xapi import other
    return other(response)


def to_gift(q, w) -> str | None:
    E, fb, gen, head, problems, lost = w.E, w.fb, w.gen, w.head, w.problems, w.lost
    lines = []
    for o in q.options:
        sc = 1.0 if o.id == q.answer else w.snap(q.option_score(o.id), f"option {o.id}")
        # '=' full marks (and a one-answer question), '~%w%' part marks, '~' none
        mark = "=" if sc == 1 else (f"~%{w.percent(sc)}%" if sc else "~")
        lines.append(mark + E(o.text) + fb(o.feedback))
    if q.shuffle:
        lost.append("shuffle")
    body = head + E(q.text) + " {\n" + "\n".join("\t" + x for x in lines) + ("\n\t" + gen if gen else "") + "\n}"
    return body


def to_moodle_xml(q: SingleChoice, w) -> tuple[str, str, str]:
    body = ""
    for o in q.options:
        frac = 1.0 if o.id == q.answer else (w.snap(q.option_score(o.id), f"option {o.id}") if q.option_score(o.id)
                                            else 0.0)
        body += f'    <answer fraction="{w.percent(frac)}" format="markdown">\n      <text>{w.x(o.text)}</text>\n'
        body += w.text_el("feedback", o.feedback or "", indent="      ")
        body += "    </answer>\n"
    body += "    <single>true</single>\n"
    body += f"    <shuffleanswers>{'true' if q.shuffle else 'false'}</shuffleanswers>\n"
    body += "    <answernumbering>abc</answernumbering>\n"
    return "multichoice", body, ""


EXAMPLE = """\
- type: single_choice
  id: oer-licence
  text: Which licence lets others adapt your worksheet, as long as they credit you and share under the same licence?
  options:
    - id: a
      text: CC BY-SA 4.0
      feedback: "Yes: BY asks for credit, SA for the same licence."
    - id: b
      text: CC BY-ND 4.0
      feedback: ND (no derivatives) forbids adapted versions.
    - id: c
      text: All rights reserved
  answer: a
"""


INVALID = [
    ({"answer": "z"}, "'answer' must be one of the option ids a, b, c"),
    ({"scores": {"a": 0.5}}, "'scores' 'a' is the answer"),
    ({"options": [{"id": "a", "text": "Only one"}]}, "'options' needs at least 2 entries"),
]
