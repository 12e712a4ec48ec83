"""``drag_words``: drag the words into the gaps of the text (``[[word]]``), from a bank of the gaps' words and
``distractors``.  The response is one word (or null) per gap, in order."""
from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, model_validator

from .._schema import GAP_RE, QuestionBase, gaps_in, register

TYPE = "drag_words"


@register
class DragWords(QuestionBase):
    """Drag words from a bank into the gaps ``[[word]]`` (select boxes as the keyboard alternative)."""
    label: ClassVar[str] = "Drag the words"
    type: Literal["drag_words"] = "drag_words"
    distractors: list[Annotated[str, Field(min_length=1)]] = Field(
        default_factory=list, description="Extra words in the bank that fit no gap")

    @model_validator(mode="after")
    def _check(self) -> "DragWords":
        gaps = gaps_in(self.text)
        if not gaps:
            raise ValueError("text: must contain at least one word to drag, written as [[word]]")
        for g in gaps:
            if "|" in g or not g.strip():
                raise ValueError(f"text: has the gap [[{g}]]; each gap must hold exactly one word or phrase "
                                 f"(no '|' alternatives)")
        return self


def grade(q: DragWords, r: Any) -> Result:
    from .._grading import Result, _gaps, norm_text
    from .._schema import gaps_in
    words = [w.strip() for w in gaps_in(q.text)]
    return _gaps(q, r, len(words), lambda i, x: norm_text(x, True) == norm_text(words[i], True))


def public_spec(q: DragWords, seed: Any = 0) -> dict:
    from .._spec import _text_with_gaps
    words = [w.strip() for w in GAP_RE.findall(q.text)] + list(q.distractors)
    return {"text_html": _text_with_gaps(q.text), "gaps": len(GAP_RE.findall(q.text)),
            "words": sorted(words, key=str.casefold)}


HASHED = True


def _key(q, d, H) -> None:
    from .._grading import norm_text
    d["text"] = GAP_RE.sub("[[?]]", q.text)
    d["gaps"] = [[H(norm_text(w.strip(), True))] for w in GAP_RE.findall(q.text)]
    d.pop("distractors", None)


def static_key(q: DragWords, salt: str) -> dict:
    from .._spec import dumped_key
    return dumped_key(q, salt, _key)


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
    E, gen, head, problems = w.E, w.gen, w.head, w.problems
    gaps = list(GAP_RE.finditer(q.text))
    if len(gaps) != 1:
        problems += [f"drag the words with {len(gaps)} gaps cannot be written in GIFT "
                     "(export to Moodle XML, which has drag and drop into text)"]
        return None
    g = gaps[0]
    word = g.group(1).strip()
    before, after = q.text[:g.start()], q.text[g.end():]
    problems.append("drag the words exported as a missing-word multiple choice")
    lines = ["=" + E(word)] + ["~" + E(d) for d in q.distractors if d != word]
    if len(lines) < 2:
        problems += ["drag the words with one word and no distractor cannot be a multiple choice"]
        return None
    body = head + E(before) + "{" + " ".join(lines) + gen + "}" + (E(after) if after.strip() else "")
    return body


def to_moodle_xml(q, w) -> tuple[str, str, str] | None:
    head_extra = ""
    body = ""
    mtype = "ddwtos"
    words = [t.strip() for t in GAP_RE.findall(q.text)]
    boxes: list[str] = []
    for t in words + list(q.distractors):
        if t not in boxes:
            boxes.append(t)
    head_extra = GAP_RE.sub(lambda m: f"[[{boxes.index(m.group(1).strip()) + 1}]]", q.text)
    body += "    <shuffleanswers>1</shuffleanswers>\n"
    for b in boxes:
        inf = "      <infinite/>\n" if words.count(b) > 1 else ""
        body += f"    <dragbox>\n      <text>{w.x(b)}</text>\n      <group>1</group>\n{inf}    </dragbox>\n"
    return mtype, body, head_extra


EXAMPLE = """\
- type: drag_words
  id: protective-equipment
  text: Wear [[gloves]] when you handle cleaning chemicals and [[goggles]] when you grind metal.
  distractors: [sandals]
"""

INVALID = [
    ({"text": "No gap here."}, "'text' must contain at least one word to drag, written as [[word]]"),
]
