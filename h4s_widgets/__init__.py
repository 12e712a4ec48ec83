"""h4s_widgets: quiz and exercise widgets for interactive VET modules.

One question definition (YAML/JSON or Python) renders live in JupyterLab and
Voilà (graded in Python), as a self-contained static page, and in SCORM.

The public names are loaded on first use (PEP 562), so that ``import
h4s_widgets`` and ``h4s --help`` stay quick; ``from h4s_widgets import Quiz``
works as usual.
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._version import __version__

_WHERE = {
    "H4SError": "_errors", "QuestionError": "_errors",
    "Result": "_grading", "grade": "_grading",
    "set_language": "_i18n",
    "Quiz": "_widget", "show": "_widget",
    "question_problems": "_problems",
    **{name: "_schema" for name in (
        "Bank", "Cloze", "CodeExercise", "DragWords", "Essay", "Flashcards", "Likert", "Matching",
        "MultipleResponse", "Numeric", "Ordering", "ShortText", "SingleChoice", "TrueFalse", "load_bank",
        "parse_bank", "parse_question")},
}

__all__ = sorted([*_WHERE, "__version__"])


def __getattr__(name: str) -> Any:
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module 'h4s_widgets' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{where}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:  # for editors and type checkers
    from ._errors import H4SError, QuestionError  # noqa: F401
    from ._grading import Result, grade  # noqa: F401
    from ._i18n import set_language  # noqa: F401
    from ._problems import question_problems  # noqa: F401
    from ._schema import (  # noqa: F401
        Bank, Cloze, CodeExercise, DragWords, Essay, Flashcards, Likert, Matching, MultipleResponse, Numeric,
        Ordering, ShortText, SingleChoice, TrueFalse, load_bank, parse_bank, parse_question,
    )
    from ._widget import Quiz, show  # noqa: F401
