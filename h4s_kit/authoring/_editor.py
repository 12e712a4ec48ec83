"""``QuestionEditor("questions/section-1.yml")``: a question bank as a list with a form per question and a preview.

The bank's questions are plain dicts in the view's ``questions`` trait; the browser edits them and syncs them
back while the author types; Python validates every question with the schema's own models and sends the
problems (``errors``: one ``{field key: message}`` per question) that the view shows next to the fields.  The
selected question, once valid, is shown beside the form as a real :class:`h4s_widgets.Quiz` (graded in
Python by the real grader; no learner record is stored).  ``save()`` writes the bank round-trip
(:mod:`._bankfile`).
"""
from __future__ import annotations

import copy
import os
import re
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import ipywidgets
import traitlets

from h4s_widgets import H4SError, Quiz, parse_question

from ._bankfile import BankFile
from ._common import PanelView, bank_schema, field_key, question_errors, skeleton, type_defs


@contextmanager
def _records_off():
    """A preview answer is no learner's answer: the record store is off while it is graded."""
    old = os.environ.get("H4S_RECORDS")
    os.environ["H4S_RECORDS"] = "off"
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("H4S_RECORDS", None)
        else:
            os.environ["H4S_RECORDS"] = old


class PreviewQuiz(Quiz):
    """The quiz widget as learners get it, for one question being written; answers are not stored."""

    def check(self, qid, response, learner=None):
        with _records_off():
            return super().check(qid, response, learner=learner)

    def reveal_solution(self, qid, learner=None):
        with _records_off():
            return super().reveal_solution(qid, learner=learner)

    def attempts(self, qid, learner=None):
        with _records_off():
            return super().attempts(qid, learner)


class _EditorView(PanelView):
    schema = traitlets.Dict().tag(sync=True)
    path = traitlets.Unicode("").tag(sync=True)
    questions = traitlets.List().tag(sync=True)
    selected = traitlets.Int(0).tag(sync=True)
    errors = traitlets.List().tag(sync=True)
    confirm_delete = traitlets.Bool(True).tag(sync=True)


def _new_id(type_name: str, taken: set[str]) -> str:
    base = type_name.replace("_", "-")
    n = 1
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


class QuestionEditor(ipywidgets.HBox):
    """Edit a YAML question bank: list, form per type (from the schema), errors while typing, live preview."""

    def __init__(self, path: str | Path, *, confirm_delete: bool = True, **kw: Any):
        self.file = BankFile(path)
        self._origins: list[Any] = list(range(len(self.file.questions())))
        self._preview_key: Any = None
        self.view = _EditorView(kind="editor", schema=bank_schema(), path=str(path),
                                questions=self.file.questions(), selected=0, confirm_delete=confirm_delete,
                                status="" if self.file.text is not None else f"{path} is new; Save creates it")
        self.preview_box = ipywidgets.VBox(layout=ipywidgets.Layout(flex="1 1 40%", min_width="260px"))
        self.preview_box.add_class("h4s-a-preview")
        self.view.layout = ipywidgets.Layout(flex="1 1 60%", min_width="320px")
        super().__init__([self.view, self.preview_box], layout=ipywidgets.Layout(align_items="flex-start"), **kw)
        self.view.observe(self._changed, names=["questions", "selected"])
        self.view.on_msg(self._on_msg)
        self._validate()

    # ------------------------------------------------------------- state
    @property
    def path(self) -> Path:
        return self.file.path

    @property
    def questions(self) -> list[dict]:
        """The questions as the editor holds them now (plain dicts; copies)."""
        return copy.deepcopy(list(self.view.questions))

    @property
    def errors(self) -> list[dict[str, str]]:
        """Per question: {field key: problem} ({} for a valid question)."""
        return [dict(e) for e in self.view.errors]

    @property
    def selected(self) -> int:
        return self.view.selected

    def _set(self, questions: list[dict], selected: int, origins: list[Any]) -> None:
        self._origins = origins
        with self.view.hold_sync():
            self.view.questions = questions
            self.view.selected = max(0, min(selected, len(questions) - 1))
            self.view.revision += 1
        self._validate()

    # ------------------------------------------------------------- actions (buttons and Python alike)
    def add(self, type_name: str, after: int | None = None) -> int:
        """Add a new question of ``type_name`` after ``after`` (default: at the end); returns its index."""
        if type_name not in type_defs():
            raise H4SError(f"unknown question type {type_name!r}; known: {', '.join(type_defs())}")
        qs = self.questions
        at = len(qs) if after is None or not 0 <= after < len(qs) else after + 1
        qs.insert(at, skeleton(type_name, _new_id(type_name, {str(q.get("id")) for q in qs})))
        origins = list(self._origins)
        origins.insert(at, None)
        self._set(qs, at, origins)
        self.view.status = f"Question {at + 1} added ({type_name.replace('_', ' ')}); fill in the form, then Save"
        return at

    def duplicate(self, index: int) -> int:
        qs = self.questions
        q = copy.deepcopy(qs[index])
        taken = {str(x.get("id")) for x in qs}
        base = re.sub(r"-copy(-\d+)?$", "", str(q.get("id") or "question"))
        n, new = 1, f"{base}-copy"
        while new in taken:
            n += 1
            new = f"{base}-copy-{n}"
        q["id"] = new
        qs.insert(index + 1, q)
        origins = list(self._origins)
        o = origins[index]
        origins.insert(index + 1, ("copy", o if isinstance(o, int) else o[1]) if o is not None else None)
        self._set(qs, index + 1, origins)
        self.view.status = f"Question {index + 1} duplicated as question {index + 2} ({new})"
        return index + 1

    def move(self, index: int, to: int) -> None:
        qs = self.questions
        if not (0 <= index < len(qs) and 0 <= to < len(qs)) or index == to:
            return
        origins = list(self._origins)
        qs.insert(to, qs.pop(index))
        origins.insert(to, origins.pop(index))
        self._set(qs, to, origins)
        self.view.status = f"Question moved to position {to + 1}"

    def delete(self, index: int) -> None:
        qs = self.questions
        if not 0 <= index < len(qs):
            return
        gone = qs.pop(index)
        origins = list(self._origins)
        origins.pop(index)
        self._set(qs, min(index, len(qs) - 1), origins)
        self.view.status = f"Question {gone.get('id') or index + 1} deleted (the file changes when you Save)"

    def select(self, index: int) -> None:
        self.view.selected = index

    def set_question(self, index: int, data: dict) -> dict[str, str]:
        """Replace question ``index`` (as typing in its form does); returns its problems."""
        qs = self.questions
        qs[index] = copy.deepcopy(data)
        self._set(qs, index, self._origins)
        return self.errors[index]

    def save(self) -> bool:
        """Write the bank (True), or nothing when nothing changed (False); refuses an invalid bank."""
        bad = [(i, e) for i, e in enumerate(self.errors) if e]
        if bad:
            i, e = bad[0]
            key, msg = next(iter(e.items()))
            where = f"question {i + 1} ({self.view.questions[i].get('id', '?')})"
            self.view.status = f"Not saved: {where}: {key + ' ' if key else ''}{msg}"
            raise H4SError(f"{self.path}: not saved: {where}: {key + ' ' if key else ''}{msg}")
        try:
            written = self.file.save(self.questions, self._origins)
        except H4SError as err:
            self.view.status = f"Not saved: {err}"
            raise
        self._origins = list(range(len(self.view.questions)))
        self.view.status = f"Saved {self.path.name}" if written else f"No changes to save in {self.path.name}"
        return written

    # ------------------------------------------------------------- view events
    def _on_msg(self, _w: Any, content: Any, _b: Any) -> None:
        if not isinstance(content, dict):
            return
        action = content.get("action")
        try:
            if action == "add":
                self.add(str(content.get("type")), content.get("after"))
            elif action == "duplicate":
                self.duplicate(int(content["index"]))
            elif action == "move":
                self.move(int(content["index"]), int(content["to"]))
            elif action == "delete":
                self.delete(int(content["index"]))
            elif action == "save":
                self.save()
        except H4SError:
            pass   # the status line says what is wrong
        except (KeyError, TypeError, ValueError, IndexError):
            self.view.status = "That action could not be done; reload the editor"

    def _changed(self, _change: Any) -> None:
        if len(self._origins) != len(self.view.questions):   # the browser cannot add or remove questions itself
            self._origins = (self._origins + [None] * len(self.view.questions))[:len(self.view.questions)]
        self._validate()

    def _validate(self) -> None:
        qs = list(self.view.questions)
        errors = [question_errors(q) for q in qs]
        # the bank's own rule: ids unique in the bank
        seen: dict[str, int] = {}
        for i, q in enumerate(qs):
            qid = q.get("id") if isinstance(q, dict) else None
            if isinstance(qid, str) and qid:
                if qid in seen and "id" not in errors[i]:
                    errors[i]["id"] = f"repeats {qid!r} (already question {seen[qid] + 1}); every question needs its own id"
                seen.setdefault(qid, i)
        self.view.errors = errors
        self._update_preview(qs, errors)

    def _update_preview(self, qs: list[dict], errors: list[dict]) -> None:
        i = self.view.selected
        if not 0 <= i < len(qs):
            self.preview_box.children = (ipywidgets.HTML("<p>No question to preview.</p>"),)
            self._preview_key = None
            return
        key = repr(qs[i])
        if key == self._preview_key:
            return
        self._preview_key = key
        if errors[i]:
            self.preview_box.children = (ipywidgets.HTML(
                "<p class='h4s-a-help'>The preview appears when the question has no problems left.</p>"),)
            return
        try:
            q = parse_question(qs[i], "question")
            self.preview = PreviewQuiz([q], title="Preview", module="authoring-preview")
        except Exception as e:   # a question the grader cannot show: say so beside the form
            self.preview_box.children = (ipywidgets.HTML(f"<p>No preview: {type(e).__name__}</p>"),)
            return
        self.preview_box.children = (self.preview,)
