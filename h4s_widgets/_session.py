"""The quiz-session rule: one pure function, used by the live widget
(:mod:`h4s_widgets._widget`), the quiz API (:class:`h4s_kit.quiz_api.QuizService`)
and the static runtime (``_static/session.js``, the same rule in JavaScript).
``tests/cases/session_cases.json`` is run against both.

The rule:

* ``rule`` is what a question says about its session (:func:`rule_of`):
  ``max_attempts`` (checks allowed; ``None``: unlimited), ``show_solution_after``
  (offer 'Show solution' after this many checks; ``None``: never),
  ``example_answer`` (an essay with a model answer: shown once the learner has
  submitted their own) and ``solution_always`` (the solution may be shown at any
  time: a code exercise on a page that cannot run it).
* ``attempts`` is the count of counted checks so far (the caller's source:
  stored records, or memory).
* A ``check`` is refused when ``max_attempts`` is set and ``attempts >=
  max_attempts``: nothing is graded, counted or stored.
* A graded check is *counted* (costs an attempt and is stored as one record,
  attempt number ``attempts + 1``) unless the grader's feedback says ``empty``
  or ``invalid`` (nothing answered, or not an answer): such a check costs no
  attempt, makes no record and shows no feedback messages.
* ``solution_available`` ('Show solution' is offered) is ``solution_always``,
  or ``show_solution_after`` is set and the attempts (after this check) reach it.
* ``send_solution``: on a counted check, an essay's example answer comes with the
  result (``example_answer``); on a ``solution`` request, the solution is sent when
  it is available or, for an essay with an example answer, after one counted check.
  A refused ``solution`` request has ``refused`` true.
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence

#: grader feedback ids that make a check cost nothing
NOT_COUNTED = ("empty", "invalid")
ACTIONS = ("check", "solution")
RULE_FIELDS = ("max_attempts", "show_solution_after", "example_answer", "solution_always")
OUTCOME_FIELDS = ("refused", "counted", "attempts", "solution_available", "send_solution")


def rule_of(question: Any, *, can_run_code: bool = True) -> dict:
    """The session rule of a question (a question object), as :func:`session_step` takes it."""
    return {
        "max_attempts": question.max_attempts,
        "show_solution_after": question.show_solution_after,
        "example_answer": question.type == "essay" and bool(getattr(question, "model_answer", None)),
        "solution_always": question.type == "code" and not can_run_code,
    }


def _available(rule: Mapping[str, Any], attempts: int) -> bool:
    after = rule.get("show_solution_after")
    return bool(rule.get("solution_always")) or (after is not None and attempts >= after)


def session_step(rule: Mapping[str, Any], attempts: int, action: str,
                 feedback: Sequence[str] | None = None) -> dict:
    """What happens when the learner does ``action`` (``"check"`` or ``"solution"``) after ``attempts``
    counted checks.

    For ``"check"``, ``feedback`` is the grader's feedback ids; ``None`` means "not graded yet" (a caller
    may ask first, grade only when not ``refused``, and ask again with the feedback).  Returns
    ``{"refused", "counted", "attempts", "solution_available", "send_solution"}``, where ``attempts`` is
    the count after the action.
    """
    if action not in ACTIONS:
        raise ValueError(f"session_step: action must be one of {', '.join(ACTIONS)} (got {action!r})")
    if action == "solution":
        allowed = _available(rule, attempts) or (bool(rule.get("example_answer")) and attempts >= 1)
        return {"refused": not allowed, "counted": False, "attempts": attempts,
                "solution_available": _available(rule, attempts), "send_solution": allowed}
    limit = rule.get("max_attempts")
    if limit is not None and attempts >= limit:
        return {"refused": True, "counted": False, "attempts": attempts,
                "solution_available": _available(rule, attempts), "send_solution": False}
    counted = feedback is not None and not any(f in NOT_COUNTED for f in feedback)
    after = attempts + 1 if counted else attempts
    return {"refused": False, "counted": counted, "attempts": after,
            "solution_available": _available(rule, after),
            "send_solution": counted and bool(rule.get("example_answer"))}
