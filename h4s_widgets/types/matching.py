"""``matching``: match each left-hand item with its right-hand text (``pairs``; ``distractors`` are extra
right-hand texts).  The response maps pair ids to the chosen right-hand text."""
from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal, Optional

from pydantic import Field, model_validator

from .._schema import ID_PATTERN, QuestionBase, _Model, _unique, register

TYPE = "matching"


class Pair(_Model):
    """A left item and the right item that belongs to it."""
    id: Annotated[str, Field(pattern=ID_PATTERN, description="Stable pair id")]
    left: Annotated[str, Field(min_length=1, description="Item on the left")]
    right: Annotated[str, Field(min_length=1, description="The right-hand item that belongs to it")]
    feedback: Optional[str] = Field(None, description="Feedback when this pair is matched wrongly")


@register
class Matching(QuestionBase):
    """Match each item on the left with one on the right (select boxes: keyboard friendly)."""
    label: ClassVar[str] = "Matching"
    type: Literal["matching"] = "matching"
    pairs: Annotated[list[Pair], Field(min_length=2, description="The pairs, at least two")]
    distractors: list[Annotated[str, Field(min_length=1)]] = Field(
        default_factory=list, description="Extra right-hand items that match nothing")

    @model_validator(mode="after")
    def _check(self) -> "Matching":
        _unique([p.id for p in self.pairs], "pair", "pairs")
        seen: dict[str, str] = {}
        places = [(f"pairs[{i}].right", p.right) for i, p in enumerate(self.pairs)]
        places += [(f"distractors[{i}]", d) for i, d in enumerate(self.distractors)]
        for where, r in places:
            if r in seen:
                raise ValueError(f"{where}: repeats {r!r} (already {seen[r]}); every right-hand item "
                                 f"and distractor must be different")
            seen[r] = where
        return self


def grade(q: Matching, r: Any) -> Result:
    from .._grading import Result, _empty, _invalid, _is_blank, _result
    if r is None or (isinstance(r, dict) and all(_is_blank(v) for v in r.values())):
        return _empty(q)
    ids = {p.id for p in q.pairs}
    if not isinstance(r, dict) or not set(r) <= ids or not all(v is None or isinstance(v, str) for v in r.values()):
        return _invalid(q)
    fb, good = [], 0
    for p in q.pairs:
        v = r.get(p.id)
        if _is_blank(v):
            fb.append(f"pair:{p.id}:empty")
        elif v == p.right:
            good += 1
            fb.append(f"pair:{p.id}:correct")
        else:
            fb.append(f"pair:{p.id}:wrong")
    n = len(q.pairs)
    return _result(q, good / n, good == n, fb)


def public_spec(q, seed) -> dict:
    from .._markdown import md, md_inline
    return {"text_html": md(q.text), "lefts": [{"id": p.id, "html": md_inline(p.left)} for p in q.pairs],
            "rights": sorted([p.right for p in q.pairs] + list(q.distractors), key=str.casefold)}


HASHED = True


def _key(q, d, H) -> None:
    d["pairs"] = [{"id": p.id, "right": H(p.right)} for p in q.pairs]
    d.pop("distractors", None)


def static_key(q: Matching, salt: str) -> dict:
    from .._spec import dumped_key
    return dumped_key(q, salt, _key)


def feedback_texts(q) -> dict:
    from .._markdown import md_inline
    return {f"pair:{p.id}:wrong": md_inline(p.feedback) for p in q.pairs if p.feedback}


def solution_html(q, lang) -> str:
    from .._markdown import md_inline
    return "<ul>" + "".join(f"<li>{md_inline(p.left)} → {md_inline(p.right)}</li>" for p in q.pairs) + "</ul>"


XAPI_INTERACTION = "matching"


def xapi_components(spec: dict, lang: str) -> dict:
    """The left-hand items as sources; the right-hand texts, numbered 1, 2, ... in the page's order, as targets."""
    from ._xapi import comp, plain
    return {"source": [comp(p["id"], plain(p["html"]), lang) for p in spec.get("lefts") or []],
            "target": [comp(str(k + 1), t, lang) for k, t in enumerate(spec.get("rights") or [])]}


def xapi_response(response: Any, spec: dict | None = None) -> str:
    from ._xapi import pairs
    rights = (spec or {}).get("rights") or []
    return pairs(response, lambda v: rights.index(v) + 1 if v in rights else 0)


def to_gift(q, w) -> str | None:
    E, gen, head, problems = w.E, w.gen, w.head, w.problems
    lines = []
    for p in q.pairs:
        if "->" in p.left:
            problems.append(f"pair {p.id}: '->' in the left-hand text cannot be written in GIFT")
            return None
        lines.append("=" + E(p.left) + " -> " + E(p.right))
        if p.feedback:
            problems.append(f"pair {p.id}: feedback not exported (GIFT matching has none)")
    lines += ["= -> " + E(d) for d in q.distractors]
    if len(q.pairs) + len(q.distractors) < 3:
        problems.append("Moodle wants at least three right-hand answers in a matching question: add a distractor")
    body = head + E(q.text) + " {\n" + "\n".join("\t" + x for x in lines) + ("\n\t" + gen if gen else "") + "\n}"
    return body


def to_moodle_xml(q, w) -> tuple[str, str, str] | None:
    problems = w.problems
    head_extra = ""
    body = ""
    mtype = "matching"
    body += "    <shuffleanswers>true</shuffleanswers>\n"
    if len(q.pairs) + len(q.distractors) < 3:
        problems.append("Moodle wants at least three right-hand answers in a matching question: add a distractor")
    for p in q.pairs:
        body += (f'    <subquestion format="markdown">\n      <text>{w.x(p.left)}</text>\n'
                 f"      <answer><text>{w.x(p.right)}</text></answer>\n    </subquestion>\n")
        if p.feedback:
            problems.append(f"pair {p.id}: feedback not exported (Moodle matching has none)")
    for dtext in q.distractors:
        body += (f'    <subquestion format="markdown">\n      <text></text>\n'
                 f"      <answer><text>{w.x(dtext)}</text></answer>\n    </subquestion>\n")
    return mtype, body, head_extra


EXAMPLE = """\
- type: matching
  id: cc-elements
  text: Match each licence element with what it asks of users.
  pairs:
    - {id: by, left: BY, right: Credit the author}
    - {id: sa, left: SA, right: Share under the same licence}
    - {id: nc, left: NC, right: No commercial use}
    - {id: nd, left: ND, right: No changed versions}
  distractors: [Pay a fee]
"""

INVALID = [
    ({"pairs": [{"id": "by", "left": "BY", "right": "Credit"}]}, "'pairs' needs at least 2 entries"),
]
