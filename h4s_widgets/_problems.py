"""Every problem of one question, in h4s's words (for forms that show each problem next to its field).

:func:`h4s_widgets.parse_question` raises the first problem as one line; an editor needs all of them, each
with the field it belongs to.  Both come from the same validation and the same explanations (_schema)."""
from __future__ import annotations

from typing import Any


def question_problems(data: Any) -> list[tuple[str, str]]:
    """``[(field, problem), ...]`` for one question dict (``[]`` when it is valid), in the order and the
    words of :func:`h4s_widgets.parse_question`'s error: its first pair is that error's field and problem.

    ``field`` is written as h4s's errors write it (``options[0].text``; ``""`` for the question as a whole)."""
    from pydantic import ValidationError

    from ._schema import _bank_module, _explain, _first_errors, _kind

    if not isinstance(data, dict):
        return [("", "a question must be a mapping of fields such as 'type:', 'id:' and 'text:' "
                     f"(got {_kind(data)})")]
    try:
        _bank_module()._QUESTION.validate_python(data)
    except ValidationError as e:
        return [_explain(err) for err in _first_errors(e)]
    return []
