"""h4s_widgets: quiz and exercise widgets for interactive VET modules.

One question definition (YAML/JSON or Python) renders live in JupyterLab and
Voilà (graded in Python), as a self-contained static page, and in SCORM.
"""
from ._errors import H4SError, QuestionError
from ._grading import Result, grade
from ._i18n import set_language
from ._schema import (
    Bank, Cloze, CodeExercise, DragWords, Essay, Flashcards, Likert, Matching, MultipleResponse, Numeric,
    Ordering, ShortText, SingleChoice, TrueFalse, load_bank, parse_question,
)
from ._version import __version__
from ._widget import Quiz, show

__all__ = [
    "Bank", "Cloze", "CodeExercise", "DragWords", "Essay", "Flashcards", "H4SError", "Likert", "Matching",
    "MultipleResponse", "Numeric", "Ordering", "Quiz", "QuestionError", "Result", "ShortText", "SingleChoice",
    "TrueFalse", "__version__", "grade", "load_bank", "parse_question", "set_language", "show",
]
