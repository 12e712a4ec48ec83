"""Authoring panels for JupyterLab (anywidget, like the quizzes), generated from the schemas.

``QuestionEditor("questions/section-1.yml")``: the bank as a list, a form per question type generated from
the question-bank JSON Schema (descriptions as help, the schema's errors next to the field while typing), a
live preview graded by the real grader, and a round-trip save that keeps comments and order.

``ModulePanel("modules/03-x")``: the module's notebook metadata as a form generated from the metadata
model (h4s_kit.metadata); ``ModulePanel.new()``: the ``h4s new`` form.

``CheckPanel("modules/03-x")``: ``h4s check`` from a button, findings grouped by cell and question with
links; ``PreviewPanel`` / ``preview()``: the module's book page, built alone with h4s build's templates.

The names are loaded on first use, as in :mod:`h4s_widgets`.
"""
from __future__ import annotations

import importlib
from typing import Any

_WHERE = {"QuestionEditor": "_editor", "PreviewQuiz": "_editor", "ModulePanel": "_module", "NewModulePanel": "_module",
          "CheckPanel": "_check",
          "PreviewPanel": "_preview", "preview": "_preview"}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module 'h4s_kit.authoring' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{where}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
