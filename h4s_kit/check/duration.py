"""Step 5: the declared learning time (``h4s.duration_minutes``) is close to an estimate from the content.

The estimate, in minutes (the numbers are also listed in book/reviewers.md):

- **reading**: the words of the markdown cells and of the questions shown in the notebook (question
  text, options, items, pairs, statements, cards) at ``READING_WPM`` = 200 words a minute; link
  targets, image paths and HTML tags are not words;
- **items**, for every question shown in the notebook (each question once, even if shown twice; of a
  bank that draws ``draw`` questions from a larger pool per attempt, only ``draw`` questions' worth):
  ``AUTO_ITEM`` = 1.5 min for an auto-graded item (choice, true/false, cloze, numeric, short text,
  matching, ordering, drag the words), ``CODE_ITEM`` = 6 min for a code exercise,
  ``ESSAY_ITEM`` = 5 min for a reflection or essay, or ``min_words`` / ``WRITING_WPM`` (15 words a minute,
  thinking included) when that is longer, ``LIKERT_STATEMENT`` = 0.25 min per self-assessment
  statement and ``FLASHCARD`` = 0.25 min per flashcard;
- **code activities**: ``CODE_CELL`` = 2 min for every code cell the learner sees and runs (not tagged
  ``remove-input``, ``remove-cell`` or ``hide-input``; a cell that only shows a quiz counts as its items).

A warning when the declared duration differs from the estimate by more than ``TOLERANCE`` = 25 % of the
estimate and by more than ``MIN_GAP`` = 5 minutes (a short module may be a few minutes off); it says the
estimate, how it was reached and what to do: add real learning activities, or declare what the module
takes, never less than ``FLOOR`` = 45 minutes.
"""
from __future__ import annotations

import ast
import math
import re

from h4s_widgets._schema import (
    CodeExercise, Essay, Flashcards, Likert, Matching, MultipleResponse, Ordering, SingleChoice,
)
from h4s_kit.check.notebook_metadata import HOW
from h4s_kit.modules import Module, clean_source, norm_rel, quiz_calls

from . import Context, Finding, Step

READING_WPM = 200
WRITING_WPM = 15
AUTO_ITEM = 1.5
CODE_ITEM = 6.0
ESSAY_ITEM = 5.0
LIKERT_STATEMENT = 0.25
FLASHCARD = 0.25
CODE_CELL = 2.0
TOLERANCE = 0.25
MIN_GAP = 5.0
FLOOR = 45

HIDDEN_TAGS = {"remove-input", "remove-cell", "hide-input"}

_LINK_TARGET = re.compile(r"\]\([^)]*\)")
_TAG = re.compile(r"<[^>]+>")
_URL = re.compile(r"https?://\S+")
_WORD = re.compile(r"[^\W_]+(?:['’.-][^\W_]+)*")


def count_words(text: str) -> int:
    """Words a reader reads: link targets, URLs and HTML tags removed, numbers count as words."""
    text = _LINK_TARGET.sub("]", text or "")
    text = _URL.sub(" ", _TAG.sub(" ", text))
    return len(_WORD.findall(text))


def question_words(q) -> int:
    parts = [q.text, q.title or ""]
    if isinstance(q, (SingleChoice, MultipleResponse)):
        parts += [o.text for o in q.options]
    elif isinstance(q, Matching):
        parts += [p.left for p in q.pairs] + [p.right for p in q.pairs] + list(q.distractors)
    elif isinstance(q, Ordering):
        parts += [i.text for i in q.items]
    elif isinstance(q, Likert):
        parts += [s.text for s in q.statements] + list(q.scale)
    elif isinstance(q, Flashcards):
        parts += [c.front for c in q.cards] + [c.back for c in q.cards]
    return sum(count_words(p) for p in parts)


def item_minutes(q) -> float:
    if isinstance(q, CodeExercise):
        return CODE_ITEM
    if isinstance(q, Essay):
        return max(ESSAY_ITEM, q.min_words / WRITING_WPM)
    if isinstance(q, Likert):
        return LIKERT_STATEMENT * len(q.statements)
    if isinstance(q, Flashcards):
        return FLASHCARD * len(q.cards)
    return AUTO_ITEM if q.auto_graded else 0.0


def _only_quiz(source: str) -> bool:
    """The cell does nothing but import h4s_widgets and show questions."""
    try:
        tree = ast.parse(clean_source(source))
    except SyntaxError:
        return False
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("h4s_widgets"):
            continue
        if isinstance(node, ast.Import) and all(a.name.startswith("h4s_widgets") for a in node.names):
            continue
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            f = node.value.func
            name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
            if name in ("Quiz", "show"):
                continue
        return False
    return True


def estimate(module: Module, banks: dict) -> dict:
    """The estimate and its parts: minutes, words, items, item_minutes, code_cells."""
    words = 0.0
    code_cells = 0
    for cell in module.cells:
        if cell.cell_type == "markdown":
            words += count_words(cell.source)
        elif cell.cell_type == "code":
            tags = set(cell.get("metadata", {}).get("tags", []) or [])
            if not tags & HIDDEN_TAGS and cell.source.strip() and not _only_quiz(cell.source):
                code_cells += 1
    calls, _ = quiz_calls(module.nb) if module.nb is not None else ([], [])
    seen: set[tuple[str, str]] = set()
    items = 0.0
    minutes_items = 0.0
    for c in calls:
        if c.bank is None:
            continue
        rel = norm_rel(c.bank)
        bank = banks.get(rel)
        if bank is None:
            continue
        chosen = [q for q in bank.questions if (c.ids is None or q.id in c.ids) and (rel, q.id) not in seen]
        draw = getattr(bank, "draw", None) if c.ids is None else None  # a pool: `draw` questions per attempt
        share = min(1.0, draw / len(chosen)) if isinstance(draw, int) and draw > 0 and chosen else 1.0
        for q in chosen:
            seen.add((rel, q.id))
            words += share * question_words(q)
            items += share
            minutes_items += share * item_minutes(q)
    reading = words / READING_WPM
    total = reading + minutes_items + CODE_CELL * code_cells
    return {"minutes": total, "reading": reading, "words": words, "items": items,
            "item_minutes": minutes_items, "code_cells": code_cells}


class DurationStep(Step):
    name = "duration"

    def run(self, module: Module, ctx: Context) -> list[Finding]:
        if module.nb is None:
            return []
        declared = module.meta.get("duration_minutes")
        if isinstance(declared, bool) or not isinstance(declared, (int, float)) or declared <= 0:
            return []  # the metadata step reports it
        est = estimate(module, ctx.get("banks", module) or {})
        ctx.put("duration", module, est)
        e = est["minutes"]
        gap = declared - e
        if abs(gap) <= MIN_GAP or (e > 0 and abs(gap) <= TOLERANCE * e):
            return []
        rounded = max(1, round(e))
        pct = f"{abs(gap) / e:.0%}" if e > 0 else "much"
        n_items = round(est["items"])
        how = (f"{est['reading']:.0f} min reading {round(est['words'])} words at {READING_WPM} words/min, "
               f"{est['item_minutes']:.0f} min for {n_items} question{'s' if n_items != 1 else ''}, "
               f"{CODE_CELL * est['code_cells']:.0f} min for {est['code_cells']} code "
               f"activit{'ies' if est['code_cells'] != 1 else 'y'}")
        more = "more" if gap > 0 else "less"
        message = (f"the module declares {declared:g} minutes (h4s.duration_minutes) but its content takes about "
                   f"{rounded} ({how}); that is {pct} {more} than the estimate (more than {TOLERANCE:.0%} off)")
        if gap > 0:
            need = math.ceil(declared / (1 + TOLERANCE) - e)
            target = max(FLOOR, rounded)
            fix = (f"add real learning activities worth about {need} minutes or more (a worked case, a practical "
                   f"task with a template, a reflection on the learner's own context, each with its questions)")
            if declared > FLOOR:
                fix += (f", or {HOW}: set \"duration_minutes\" to about {target}"
                        + (f" (never below {FLOOR}: add activities instead)" if rounded < FLOOR else ""))
            else:
                fix += f" (a module declares at least {FLOOR} minutes)"
        else:
            fix = (f"{HOW}: set \"duration_minutes\" to about {rounded}, or shorten the module "
                   f"(split it in two if it covers two topics)")
        return [self.warning(module, module.nb_place, message, fix)]
