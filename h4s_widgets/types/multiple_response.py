"""``multiple_response``: several options may be correct; partial credit and optional negative marks.
The response is the list of chosen option ids."""
from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, model_validator

from .._schema import Option, QuestionBase, _unique, register

TYPE = "multiple_response"


@register
class MultipleResponse(QuestionBase):
    """Several options may be correct; partial credit and optional negative marks."""
    label: ClassVar[str] = "Multiple response"
    type: Literal["multiple_response"] = "multiple_response"
    options: Annotated[list[Option], Field(min_length=2, description="The options, at least two")]
    answers: Annotated[list[str], Field(min_length=1, description="ids of all correct options")]
    partial_credit: bool = Field(True, description="Give part of the points for a partly right selection")
    negative_marks: bool = Field(False, description="Let wrong choices take the score below zero")
    shuffle: bool = Field(False, description="Show the options in a random order")

    @model_validator(mode="after")
    def _check(self) -> "MultipleResponse":
        _unique([o.id for o in self.options], "option", "options")
        ids = [o.id for o in self.options]
        for j, a in enumerate(self.answers):
            if a not in ids:
                raise ValueError(f"answers[{j}]: must be one of the option ids {', '.join(ids)} (got {a!r})")
        first: dict[str, int] = {}
        for j, a in enumerate(self.answers):
            if a in first:
                raise ValueError(f"answers[{j}]: repeats {a!r} (already answers[{first[a]}]); "
                                 f"list each correct option once")
            first[a] = j
        return self


def grade(q: MultipleResponse, r: Any) -> Result:
    from .._grading import Result, _empty, _invalid, _result
    if r is None or (isinstance(r, list) and not r):
        return _empty(q)
    ids = [o.id for o in q.options]
    if not isinstance(r, list) or not all(isinstance(x, str) and x in ids for x in r):
        return _invalid(q)
    chosen = set(r)
    key = set(q.answers)
    exact = chosen == key
    if q.partial_credit:
        frac = (len(chosen & key) - len(chosen - key)) / len(key)
        frac = max(-1.0 if q.negative_marks else 0.0, min(1.0, frac))
    else:
        frac = 1.0 if exact else 0.0
    return _result(q, frac, exact, [f"option:{i}" for i in ids if i in chosen])


def public_spec(q: MultipleResponse, seed: Any = 0) -> dict:
    from .._spec import options_spec
    return options_spec(q, seed, multiple=True)


HASHED = True


def _key(q, d, H) -> None:
    d["answers"] = sorted(H(a) for a in q.answers)
    d["options"] = [{"id": o.id} for o in q.options]


def static_key(q: MultipleResponse, salt: str) -> dict:
    from .._spec import dumped_key
    return dumped_key(q, salt, _key)


def feedback_texts(q: MultipleResponse) -> dict:
    from .._spec import options_feedback
    return options_feedback(q)


def solution_html(q, lang) -> str:
    from .._markdown import md_inline
    return "<ul>" + "".join(f"<li>{md_inline(o.text)}</li>" for o in q.options if o.id in q.answers) + "</ul>"


XAPI_INTERACTION = "choice"


def xapi_components(spec: dict, lang: str) -> dict:
    from ._xapi import comp, plain
    return {"choices": [comp(o["id"], plain(o["html"]), lang) for o in spec.get("options") or []]}


def xapi_response(response: Any, spec: dict | None = None) -> str:
    from ._xapi import joined
    return joined(response)


def to_gift(q, w) -> str | None:
    E, fb, gen, head, problems, lost = w.E, w.fb, w.gen, w.head, w.problems, w.lost
    shares = iter(w.shares(len(q.answers)))
    minus = w.snap(-1.0 / len(q.answers), "each wrong option")
    lines = []
    for o in q.options:
        wt = next(shares) if o.id in q.answers else minus
        # Moodle reads a GIFT weight with one or two digits before the point: %100% would be taken as part of
        # the answer text.  99.99999 % is within Moodle's tolerance of its grade 100 %.
        pct = "99.99999" if wt == 1.0 else w.percent(wt)
        lines.append(f"~%{pct}%" + E(o.text) + fb(o.feedback))
    if not q.partial_credit:
        problems.append("all-or-nothing marking (partial_credit: false) is not possible in GIFT; "
                        "exported with partial credit")
    if q.negative_marks:
        problems.append("negative_marks not exported (Moodle never goes below 0)")
    if q.shuffle:
        lost.append("shuffle")
    body = head + E(q.text) + " {\n" + "\n".join("\t" + x for x in lines) + ("\n\t" + gen if gen else "") + "\n}"
    return body


def to_moodle_xml(q: MultipleResponse, w) -> tuple[str, str, str]:
    shares = iter(w.shares(len(q.answers)))
    minus = w.snap(-1.0 / len(q.answers), "each wrong option")
    body = ""
    for o in q.options:
        frac = next(shares) if o.id in q.answers else minus
        body += f'    <answer fraction="{w.percent(frac)}" format="markdown">\n      <text>{w.x(o.text)}</text>\n'
        body += w.text_el("feedback", o.feedback or "", indent="      ")
        body += "    </answer>\n"
    body += "    <single>false</single>\n"
    body += f"    <shuffleanswers>{'true' if q.shuffle else 'false'}</shuffleanswers>\n"
    body += "    <answernumbering>abc</answernumbering>\n"
    if not q.partial_credit:
        w.problems.append("all-or-nothing marking (partial_credit: false) is not possible in a Moodle multichoice; "
                          "exported with partial credit")
    if q.negative_marks:
        w.problems.append("negative_marks not exported (Moodle never goes below 0)")
    return "multichoice", body, ""


EXAMPLE = """\
- type: multiple_response
  id: risk-assessment
  text: What belongs in a risk assessment for a workshop? Select all that apply.
  options:
    - {id: a, text: The hazards}
    - {id: b, text: Who might be harmed and how}
    - {id: c, text: The colour of the walls}
    - {id: d, text: The control measures}
  answers: [a, b, d]
  shuffle: true
"""


INVALID = [
    ({"answers": ["a", "z"]}, "'answers[1]' must be one of the option ids a, b, c, d (got 'z')"),
    ({"answers": ["a", "a"]}, "'answers[1]' repeats 'a'"),
    ({"answers": []}, "'answers' needs at least 1 entry"),
]
