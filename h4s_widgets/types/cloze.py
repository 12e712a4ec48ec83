"""``cloze``: fill in the blanks; ``[[answer|alternative]]`` marks each gap in the text.  The response is one
text (or null) per gap, in order."""
from __future__ import annotations

import re
from typing import Annotated, Any, ClassVar, Literal, Optional

from pydantic import Field, model_validator

from .._schema import GAP_RE, QuestionBase, gaps_in, register

TYPE = "cloze"


@register
class Cloze(QuestionBase):
    """Fill in the blanks: ``[[answer|alternative]]`` marks each gap in the text."""
    label: ClassVar[str] = "Cloze (fill in the blanks)"
    type: Literal["cloze"] = "cloze"
    case_sensitive: bool = Field(False, description="Count upper and lower case as different")
    ignore_whitespace: bool = Field(True, description="Ignore spaces at the ends and runs of spaces")
    gap_feedback: list[Optional[str]] = Field(default_factory=list, description="Feedback per gap, in order")
    tolerance: Annotated[float, Field(ge=0)] = Field(
        0, description="For a gap whose answer is a number: how far a learner's number may be from it and still "
                       "count, e.g. 0.05 (0: the same number; 4.5, 4,5 and 4.50 always are)")

    @model_validator(mode="after")
    def _check(self) -> "Cloze":
        gaps = gaps_in(self.text)
        if not gaps:
            raise ValueError("text: must contain at least one gap written as [[answer]] or [[answer|alternative]]")
        for g in gaps:
            if not all(a.strip() for a in g.split("|")):
                raise ValueError(f"text: has the gap [[{g}]] with an empty answer; write [[answer]] or "
                                 f"[[answer|alternative]]")
        if len(self.gap_feedback) > len(gaps):
            raise ValueError(f"gap_feedback: has {len(self.gap_feedback)} entries but the text has only "
                             f"{len(gaps)} gap{'s' if len(gaps) > 1 else ''}; give at most one per gap")
        return self

    def gap_answers(self) -> list[list[str]]:
        return [[a.strip() for a in g.split("|")] for g in gaps_in(self.text)]


def grade(q: Cloze, r: Any) -> Result:
    from .._grading import Result, _close, _gaps, gap_numbers, norm_text, parse_number
    alts = q.gap_answers()
    nums = [gap_numbers(a) for a in alts]

    def match(i: int, x: str) -> bool:
        want = {norm_text(a, q.case_sensitive, q.ignore_whitespace) for a in alts[i]}
        if norm_text(x, q.case_sensitive, q.ignore_whitespace) in want:
            return True
        if nums[i]:  # a number: 4.5, 4,5 and 4.50 are the same answer
            v = parse_number(x)
            return v is not None and any(_close(v, n, q.tolerance) for n in nums[i])
        return False

    return _gaps(q, r, len(alts), match)


def public_spec(q: Cloze, seed: Any = 0) -> dict:
    from .._spec import _text_with_gaps
    return {"text_html": _text_with_gaps(q.text), "gaps": len(GAP_RE.findall(q.text))}


HASHED = True


def _key(q, d, H) -> None:
    from .._grading import gap_numbers, norm_text
    d["text"] = GAP_RE.sub("[[?]]", q.text)
    d["gaps"] = [sorted({H(norm_text(a, q.case_sensitive, q.ignore_whitespace)) for a in alts})
                 for alts in q.gap_answers()]
    nums = [gap_numbers(alts) for alts in q.gap_answers()]
    if any(nums):  # numbers are compared as numbers: plaintext, as in numeric questions
        d["gap_numbers"] = nums
    d.pop("gap_feedback", None)


def static_key(q: Cloze, salt: str) -> dict:
    """Text answers become salted hashes; gaps that are numbers keep them plaintext (compared as numbers)."""
    from .._spec import dumped_key
    return dumped_key(q, salt, _key)


def feedback_texts(q) -> dict:
    from .._markdown import md_inline
    return {f"gap:{i + 1}:wrong": md_inline(f) for i, f in enumerate(q.gap_feedback) if f}


def solution_html(q, lang: str | None = None) -> str:
    from .._spec import gaps_solution
    return gaps_solution(q, lang)


XAPI_INTERACTION = "fill-in"


def public_text(text: str) -> str:
    """The question text as a stored record may show it: the gaps (which hold the answers) as ``_____``."""
    return GAP_RE.sub("_____", text)


def xapi_response(response: Any, spec: dict | None = None) -> str:
    from ._xapi import joined
    return joined(response)


def to_gift(q, w) -> str | None:
    E, fb, gen, head, problems = w.E, w.fb, w.gen, w.head, w.problems
    gaps = list(GAP_RE.finditer(q.text))
    if len(gaps) != 1:
        problems += [f"cloze with {len(gaps)} gaps: GIFT has one answer block per question "
                     "(export to Moodle XML, which keeps every gap)"]
        return None
    g = gaps[0]
    before, after = q.text[:g.start()], q.text[g.end():]
    if not after.strip():
        problems += ["cloze gap at the very end: GIFT would read it as a short-answer question "
                     "(add text after the gap, or export to Moodle XML)"]
        return None
    alts = [a.replace("*", "\\*") for a in q.gap_answers()[0]]
    lines = ["=" + E(a) for a in alts]
    if q.gap_feedback and q.gap_feedback[0]:
        lines.append("=%0%*" + fb(q.gap_feedback[0]))
    if q.case_sensitive:
        problems.append("case_sensitive not exported (GIFT short answers ignore case)")
    if not q.ignore_whitespace:
        problems.append("ignore_whitespace: false not exported")
    block = " ".join(lines) + gen
    body = head + E(before) + "{" + block + "}" + E(after)
    return body


def to_moodle_xml(q, w) -> tuple[str, str, str] | None:
    problems = w.problems
    head_extra = ""
    body = ""
    mtype = "cloze"
    fb = list(q.gap_feedback) + [None] * 100
    kind = "SHORTANSWER_C" if q.case_sensitive else "SHORTANSWER"
    counter = iter(range(len(q.gap_answers())))

    def gap(m: re.Match) -> str:
        i = next(counter)
        alts = [a.strip() for a in m.group(1).split("|")]
        parts = ["=" + w.cloze_answer(a) for a in alts]
        if fb[i]:
            parts.append("*#" + w.cloze_feedback(fb[i]))
        return "{1:" + kind + ":" + "~".join(parts) + "}"

    head_extra = GAP_RE.sub(gap, q.text)
    if not q.ignore_whitespace:
        problems.append("ignore_whitespace: false not exported")
    return mtype, body, head_extra


EXAMPLE = """\
- type: cloze
  id: oer-definition
  text: Open educational resources are published under an [[open]] licence, for example [[CC BY|CC-BY]].
  gap_feedback:
    - Think of what makes a resource free to reuse.
"""

INVALID = [
    ({"text": "No gap here."}, "'text' must contain at least one gap"),
    ({"text": "An [[open|]] licence."}, "'text' has the gap [[open|]] with an empty answer"),
    ({"gap_feedback": ["a", "b", "c"]}, "'gap_feedback' has 3 entries but the text has only 2 gaps"),
]
