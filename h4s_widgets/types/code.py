"""``code``: the learner edits Python; hidden tests run with a time limit (``h4s_widgets._code_runner``).
The response is the source."""
from __future__ import annotations

import html
from typing import Annotated, Any, ClassVar, Literal, Optional

from pydantic import Field

from .._schema import QuestionBase, _Model, register

TYPE = "code"


class CodeTest(_Model):
    """One hidden test of a code exercise."""
    name: Annotated[str, Field(min_length=1, description="Shown to the learner, e.g. 'total of an empty list is 0'")]
    code: Annotated[str, Field(min_length=1, description="Hidden Python run after the learner's code; fails by raising")]
    feedback: Optional[str] = Field(None, description="Shown when this test fails")


@register
class CodeExercise(QuestionBase):
    """The learner edits Python; hidden tests run in the kernel with a time limit."""
    label: ClassVar[str] = "Code exercise"
    type: Literal["code"] = "code"
    starter: str = Field("", description="Code the learner starts from")
    tests: Annotated[list[CodeTest], Field(min_length=1, description="Hidden tests, at least one")]
    solution: Annotated[str, Field(min_length=1, description="A model solution that passes every test")]
    timeout_s: Annotated[float, Field(gt=0, le=60, description="Seconds the code may run (at most 60)")] = 5.0
    setup: str = Field("", description="Hidden code run before the learner's code (data, imports)")
    memory_mb: Optional[Annotated[int, Field(ge=64, le=4096, description=(
        "Memory the code may use, in MB (default 512; 64 to 4096)"))]] = None


def grade(q: CodeExercise, r: Any) -> Result:
    from .._grading import Result, _empty, _invalid, _is_blank
    from .._code_runner import run_code_exercise
    if _is_blank(r):
        return _empty(q)
    if not isinstance(r, str):
        return _invalid(q)
    return run_code_exercise(q, r)


def public_spec(q, seed) -> dict:
    from .._markdown import md
    return {"text_html": md(q.text), "starter": q.starter, "test_names": [t.name for t in q.tests],
            "timeout_s": q.timeout_s}


HASHED = False


def _key(q, d, H) -> None:     # hidden tests and solution never leave the kernel
    for k in ("tests", "solution", "setup"):
        d.pop(k, None)


def static_key(q: CodeExercise, salt: str) -> dict:
    """Hidden tests, setup and solution never leave the kernel."""
    from .._spec import dumped_key
    return dumped_key(q, salt, _key, hashed=False)


def feedback_texts(q) -> dict:
    from .._markdown import md_inline
    return {f"test:{i}:failed": md_inline(t.feedback) for i, t in enumerate(q.tests) if t.feedback}


def solution_html(q, lang) -> str:
    return "<pre><code>" + html.escape(q.solution) + "</code></pre>"


XAPI_INTERACTION = "other"


def xapi_response(response: Any, spec: dict | None = None) -> str:
    from ._xapi import other
    return other(response)


EXAMPLE = """\
- type: code
  id: gross-price
  text: Write a function `gross(net)` that returns the price with 20 % VAT added.
  starter: |
    def gross(net):
        ...
  tests:
    - name: gross(100) is 120
      code: assert abs(gross(100) - 120) < 1e-9
    - name: gross(0) is 0
      code: assert gross(0) == 0
      feedback: A price of 0 stays 0.
  solution: |
    def gross(net):
        return net * 1.2
  show_solution_after: 2
"""

INVALID = [
    ({"tests": []}, "'tests' needs at least 1 entry"),
    ({"timeout_s": 61}, "'timeout_s' must be at most 60"),
    ({"memory_mb": 32}, "'memory_mb' must be at least 64"),
]
