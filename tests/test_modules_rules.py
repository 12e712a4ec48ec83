"""Every course module passes the content rules of `h4s check`: feedback for every wrong answer
(step feedback) and a declared duration within 25 % of the estimate, never below 45 minutes (step duration)."""
from __future__ import annotations

from pathlib import Path

import pytest

from h4s_kit.check import Context
from h4s_kit.check.duration import FLOOR, DurationStep
from h4s_kit.check.feedback import FeedbackStep
from h4s_kit.check.questions import QuestionsStep
from h4s_kit.modules import load_module

MODULES = sorted(p for p in (Path(__file__).resolve().parents[1] / "modules").iterdir()
                 if (p / "module.ipynb").is_file())


def _run(folder: Path, step_cls):
    mod = load_module(folder)
    ctx = Context(execute=False)
    QuestionsStep().run(mod, ctx)
    return mod, ctx, step_cls().run(mod, ctx)


def test_the_fifteen_modules_are_found():
    assert len(MODULES) == 15


@pytest.mark.parametrize("folder", MODULES, ids=[p.name[:2] for p in MODULES])
def test_every_auto_graded_question_has_feedback_for_a_wrong_answer(folder: Path):
    _, _, findings = _run(folder, FeedbackStep)
    assert not findings, "\n".join(f.line() for f in findings)


@pytest.mark.parametrize("folder", MODULES, ids=[p.name[:2] for p in MODULES])
def test_declared_duration_is_honest(folder: Path):
    mod, ctx, findings = _run(folder, DurationStep)
    assert not findings, "\n".join(f.line() for f in findings)
    assert mod.meta["duration_minutes"] >= FLOOR
    assert ctx.get("duration", mod)["minutes"] > 0
