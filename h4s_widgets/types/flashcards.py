"""``flashcards``: cards to turn; the learner says for each whether they knew it (practice, not graded).
The response maps card ids to ``known`` or ``unknown``."""
from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, model_validator

from .._schema import ID_PATTERN, QuestionBase, _Model, _unique, register

TYPE = "flashcards"


class Card(_Model):
    """One flashcard."""
    id: Annotated[str, Field(pattern=ID_PATTERN, description="Stable card id")]
    front: Annotated[str, Field(min_length=1, description="What the learner sees first")]
    back: Annotated[str, Field(min_length=1, description="What the learner sees after turning the card")]


@register
class Flashcards(QuestionBase):
    """Cards to turn; the learner says for each whether they knew it (practice, not graded)."""
    label: ClassVar[str] = "Flashcards"
    auto_graded: ClassVar[bool] = False
    type: Literal["flashcards"] = "flashcards"
    points: Annotated[float, Field(ge=0, description="Points (0: not counted in the score)")] = 0.0
    text: Annotated[str, Field(min_length=1, description="Instruction shown above the cards")] = \
        "Turn each card and say whether you knew it."
    cards: Annotated[list[Card], Field(min_length=1, description="The cards")]

    @model_validator(mode="after")
    def _check(self) -> "Flashcards":
        _unique([c.id for c in self.cards], "card", "cards")
        return self


def grade(q: Flashcards, r: Any) -> Result:
    from .._grading import Result
    n = float(len(q.cards))
    if r is None or (isinstance(r, dict) and not r):
        return Result(0.0, n, None, ["empty"])
    ids = {c.id for c in q.cards}
    if not isinstance(r, dict) or not set(r) <= ids or not all(v in ("known", "unknown") for v in r.values()):
        return Result(0.0, n, None, ["invalid"])
    fb = [f"card:{c.id}:{r.get(c.id, 'unseen')}" for c in q.cards]
    return Result(float(sum(1 for v in r.values() if v == "known")), n, None, fb)


def public_spec(q, seed) -> dict:
    from .._markdown import md
    return {"text_html": md(q.text),
            "cards": [{"id": c.id, "front_html": md(c.front), "back_html": md(c.back)} for c in q.cards]}


HASHED = False


def static_key(q: Flashcards, salt: str) -> dict:
    """No key: the page needs the cards."""
    from .._spec import dumped_key
    return dumped_key(q, salt, hashed=False)


XAPI_INTERACTION = "other"


def xapi_response(response: Any, spec: dict | None = None) -> str:
    from ._xapi import other
    return other(response)


EXAMPLE = """\
- type: flashcards
  id: cc-cards
  cards:
    - {id: by, front: BY, back: Credit the author}
    - {id: sa, front: SA, back: Share under the same licence}
    - {id: nc, front: NC, back: No commercial use}
"""

INVALID = [
    ({"cards": []}, "'cards' needs at least 1 entry"),
    ({"cards": [{"id": "by", "front": "BY", "back": "x"}, {"id": "by", "front": "SA", "back": "y"}]}, "'cards[1].id' repeats 'by'"),
]
