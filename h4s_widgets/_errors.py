"""One family of errors, each shown to a person as a single line.

Every message names *where* (file, question index and id, field, cell) and
*what is allowed*, so a trainer can fix the input without reading a traceback.
"""
from __future__ import annotations


class H4SError(Exception):
    """Base class of every error h4s raises on purpose."""

    def __str__(self) -> str:  # always one line
        return " ".join(super().__str__().split())


class QuestionError(H4SError, ValueError):
    """A question or question bank is malformed.

    ``where`` is e.g. ``quiz.yml: question 4 (oer-licence)``; ``field`` is the
    dotted path of the offending field; ``problem`` says what is allowed.
    """

    def __init__(self, where: str, field: str | None, problem: str):
        self.where = where
        self.field = field
        self.problem = problem
        if field:
            msg = f"{where}: '{field}' {problem}"
        else:
            msg = f"{where}: {problem}"
        super().__init__(msg)


class BankFileError(H4SError, ValueError):
    """A question bank file cannot be read at all (missing, bad YAML/JSON)."""


class GradingError(H4SError, ValueError):
    """A response cannot be graded (e.g. a type without an automatic grader)."""


class MetadataError(H4SError, ValueError):
    """A module's notebook metadata is malformed."""


class CheckFailed(H4SError):
    """``h4s check`` found errors."""


class BuildError(H4SError):
    """The web book could not be built."""


class ExportError(H4SError):
    """A module or question could not be exported."""


class ImportFormatError(H4SError, ValueError):
    """An external question file (GIFT, Moodle XML, jupyterquiz) is malformed."""


class RecordsError(H4SError):
    """The learner-record store refused an operation."""


class SandboxUnavailable(H4SError):
    """Code exercises cannot run safely here (no working bwrap) and the sandbox is required."""
