"""The bank model and the question union: every question type unit, as one schema.

Imported on first use through :mod:`h4s_widgets._schema` (``Bank``, ``Question``,
``_QUESTION`` there): building them imports every type unit, which a notebook that
shows a question built in Python does not need.
"""
from __future__ import annotations

from typing import Annotated, Literal, Optional, Union

from pydantic import ConfigDict, Field, TypeAdapter, model_validator

from ._schema import _Model, _registry

Question = Annotated[
    Union[tuple(_registry().values())],  # type: ignore[valid-type]
    Field(discriminator="type"),
]
_QUESTION = TypeAdapter(Question, config=ConfigDict(defer_build=True))


class Bank(_Model):
    """A question bank file."""
    schema_version: Literal[1] = Field(1, description="Version of this schema; 1 today")
    title: Optional[str] = Field(None, description="Title of the quiz")
    language: Optional[str] = Field(None, description="BCP 47 code, e.g. en, de, el")
    pass_mark: Optional[Annotated[float, Field(ge=0, le=1)]] = Field(
        None, description="Fraction of points needed to pass when the bank is a closing quiz")
    draw: Optional[Annotated[int, Field(ge=1, strict=True)]] = Field(
        None, description="Show this many questions per attempt, drawn at random from the bank's questions (the "
                          "pool); a new attempt (Reset) draws again.  At most the number of questions; a pool of at "
                          "least twice the draw is advised")
    questions: Annotated[list[Question], Field(min_length=1, description="The questions, at least one")]

    @model_validator(mode="after")
    def _ids(self) -> "Bank":
        if self.draw is not None and self.draw > len(self.questions):
            raise ValueError(f"draw: draws {self.draw} questions but the bank has {len(self.questions)}; "
                             f"lower draw or add questions to the pool")
        first: dict[str, int] = {}
        for j, q in enumerate(self.questions):
            if q.id in first:
                raise ValueError(f"questions[{j}].id: repeats {q.id!r}, the id of question {first[q.id] + 1}; "
                                 f"every question needs its own id")
            first[q.id] = j
        return self

