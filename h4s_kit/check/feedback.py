"""Step 4: every auto-graded question has feedback for a wrong answer.

A learner who answers wrongly must be told more than "Not quite".  What counts, per type (the fields
are those of ``h4s_widgets/_schema.py``; ``feedback`` is the question's general feedback, shown after
every check, so it also reaches a learner whose answer matched nothing):

- ``single_choice``, ``multiple_response``: every wrong option has its own ``feedback`` (checked by the
  pedagogy step, not repeated here);
- ``true_false``: the feedback for the wrong choice (``feedback_false`` when the answer is true,
  ``feedback_true`` when it is false) or the general ``feedback``;
- ``cloze``: a ``gap_feedback`` entry for every gap, or the general ``feedback``;
- ``matching``: a ``feedback`` on every pair, or the general ``feedback``;
- ``ordering``, ``drag_words``: the general ``feedback`` (the types have no other place for it);
- ``numeric``, ``short_text``: a catch-all, i.e. the general ``feedback`` (or, for short text, a last answer
  whose ``regex`` matches anything, such as ``.*``, with its ``feedback``): the ``feedback`` of an accepted
  answer is shown only when that answer matches, so a learner with any other answer would get nothing;
- ``code``: a ``feedback`` on every hidden test, or the general ``feedback``.

Essays, Likert scales and flashcards are not auto-graded and need none.  A missing feedback is an
error naming ``file:question k (id)`` and the line to add.
"""
from __future__ import annotations

import re

from h4s_widgets._schema import (
    Cloze, CodeExercise, DragWords, Matching, Numeric, Ordering, ShortText, TrueFalse, gaps_in,
)
from h4s_kit.modules import Module

from . import Context, Finding, Step


def _has(text) -> bool:
    return isinstance(text, str) and bool(text.strip())


_PROBES = ("x", "Something else entirely 42", "ÄÖÜ ß é")


def _catch_all(a) -> bool:
    """A short-text answer that matches anything (e.g. ``regex: ".*"``, score 0) and has feedback."""
    if a.regex is None or not _has(a.feedback):
        return False
    try:
        return all(re.fullmatch(a.regex, p, re.IGNORECASE | re.DOTALL) for p in _PROBES)
    except re.error:
        return False


def missing_feedback(q) -> str | None:
    """What wrong-answer feedback ``q`` lacks (a phrase for the message), or None when it has enough."""
    if _has(q.feedback):
        return None
    if isinstance(q, TrueFalse):
        wrong, field = ("False", "feedback_false") if q.answer else ("True", "feedback_true")
        return None if _has(getattr(q, field)) else f"no feedback for the wrong answer {wrong} ({field})"
    if isinstance(q, Cloze):
        n = len(gaps_in(q.text))
        fb = list(q.gap_feedback) + [None] * (n - len(q.gap_feedback))
        bare = [str(i) for i, f in enumerate(fb, start=1) if not _has(f)]
        if not bare:
            return None
        return f"no feedback for a wrong answer in gap{'s' if len(bare) > 1 else ''} {', '.join(bare)}"
    if isinstance(q, Matching):
        bare = [p.id for p in q.pairs if not _has(p.feedback)]
        return None if not bare else f"no feedback for a wrong match of pair{'s' if len(bare) > 1 else ''} " \
                                     f"{', '.join(repr(b) for b in bare)}"
    if isinstance(q, CodeExercise):
        bare = [t.name for t in q.tests if not _has(t.feedback)]
        return None if not bare else f"no feedback when the test{'s' if len(bare) > 1 else ''} " \
                                     f"{', '.join(repr(b) for b in bare)} fail{'' if len(bare) > 1 else 's'}"
    if isinstance(q, (Ordering, DragWords)):
        return "no feedback for a wrong answer (this type shows only the general feedback)"
    if isinstance(q, ShortText) and any(_catch_all(a) for a in q.answers):
        return None
    if isinstance(q, (Numeric, ShortText)):
        return "no catch-all feedback for an answer that matches none of the accepted answers"
    return None


def _fix(q, rel: str, k: int) -> str:
    where = f"in {rel}, question {k}"
    general = ("add a line 'feedback: ...' to the question (shown after every check, right or wrong: explain how "
               "to get to the right answer and the usual mistake rather than just giving the result away)")
    if isinstance(q, TrueFalse):
        field = "feedback_false" if q.answer else "feedback_true"
        return f"{where}: add a line '{field}: ...' saying why the statement is {str(q.answer).lower()}, or {general}"
    if isinstance(q, Cloze):
        return f"{where}: add 'gap_feedback:' with one entry per gap (a hint for a wrong answer), or {general}"
    if isinstance(q, Matching):
        return f"{where}: add 'feedback: ...' under each pair (why it belongs where it does), or {general}"
    if isinstance(q, CodeExercise):
        return f"{where}: add 'feedback: ...' under each test (what to look at when it fails), or {general}"
    if isinstance(q, Ordering):
        return f"{where}: {general}, e.g. why the first step comes first"
    if isinstance(q, DragWords):
        return f"{where}: {general}, e.g. which clue in the text points to each word"
    return (f"{where}: {general}, e.g. how to get to the right answer; answers that match keep their own "
            f"feedback")


class FeedbackStep(Step):
    name = "feedback"

    def run(self, module: Module, ctx: Context) -> list[Finding]:
        out: list[Finding] = []
        banks = ctx.get("banks", module) or {}
        for rel, bank in banks.items():
            if bank is None:
                continue
            for k, q in enumerate(bank.questions, start=1):
                if not q.auto_graded:
                    continue
                lack = missing_feedback(q)
                if lack:
                    out.append(self.error(
                        module, f"{module.file_place(rel)}:question {k} ({q.id})",
                        f"the {q.type} question has {lack}; a learner who answers wrongly is told only "
                        f"\"Not quite\"", _fix(q, rel, k)))
        return out
