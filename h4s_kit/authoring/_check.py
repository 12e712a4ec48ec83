"""``CheckPanel("modules/03-x")``: ``h4s check`` on one module from a button, findings grouped by place.

The check runs in a thread of the kernel (:func:`h4s_kit.check.run_check`, the function ``h4s check``
calls), so the notebook stays usable; its progress lines are shown while the module's notebook executes.
Findings are grouped by cell and by question, each with its fix and a link: a cell link opens the module's
notebook in its JupyterLab tab (or activates the tab) and selects the cell, also when the panel is in
another notebook; a question link opens that question in a :class:`QuestionEditor` below the panel.
"""
from __future__ import annotations

import os
import re
import threading
from pathlib import Path
from typing import Any

import ipywidgets
import traitlets

from h4s_widgets import H4SError

from ._common import PanelView

_CELL_RE = re.compile(r"^(?P<file>.+\.ipynb):cell (?P<n>\d+)")
_QUESTION_RE = re.compile(r"^(?P<file>.+\.ya?ml):question (?P<n>\d+)(?: \((?P<id>[^)]*)\))?")


class _CheckView(PanelView):
    module = traitlets.Unicode("").tag(sync=True)
    execute = traitlets.Bool(True).tag(sync=True)
    running = traitlets.Bool(False).tag(sync=True)
    done = traitlets.Bool(False).tag(sync=True)
    progress = traitlets.Unicode("").tag(sync=True)
    summary = traitlets.Unicode("").tag(sync=True)
    groups = traitlets.List().tag(sync=True)
    #: the module notebook: ``abs`` (absolute path), ``rel`` (from the kernel's folder); the view makes the
    #: path JupyterLab knows it by from these and the page config's server root
    notebook = traitlets.Dict().tag(sync=True)


def link_for(place: str, cell_ids: list[str]) -> dict | None:
    """The link of a finding's place: a cell (its index and id) or a question of a bank file."""
    m = _CELL_RE.match(place)
    if m:
        n = int(m.group("n"))
        cid = cell_ids[n - 1] if 0 < n <= len(cell_ids) else ""
        return {"kind": "cell", "index": n - 1, "cell_id": cid, "label": f"Go to cell {n}"}
    m = _QUESTION_RE.match(place)
    if m:
        n = int(m.group("n"))
        return {"kind": "question", "bank": m.group("file"), "index": n - 1,
                "label": f"Open question {n} in the editor"}
    if re.search(r"\.ya?ml$", place):
        return {"kind": "question", "bank": place, "index": 0, "label": "Open the bank in the editor"}
    return None


def _short(place: str, module: str | None) -> str:
    """``/long/path/modules/03-x/module.ipynb:cell 2`` -> ``module.ipynb:cell 2`` (inside the module folder)."""
    if module:
        marker = f"/{module}/"
        at = place.find(marker)
        if at >= 0:
            return place[at + len(marker):]
        if place.rstrip("/").endswith(f"/{module}") or place == module:
            return module
    return place


def group_findings(findings: list[Any], cell_ids: list[str], module: str | None = None) -> list[dict]:
    """Findings (h4s_kit.check.Finding) grouped by place (a cell, a question, a file), errors first."""
    groups: dict[str, dict] = {}
    for f in sorted(findings, key=lambda f: (f.severity != "error", f.place)):
        g = groups.setdefault(f.place, {"label": _short(f.place, module), "findings": []})
        g["findings"].append({"severity": f.severity, "step": f.step, "message": f.message, "fix": f.fix,
                              "link": link_for(f.place, cell_ids)})
    return list(groups.values())


class CheckPanel(ipywidgets.VBox):
    """Runs ``h4s check`` on one module and shows what to fix."""

    def __init__(self, module: str | Path = ".", *, execute: bool = True, **kw: Any):
        folder = Path(module)
        if folder.name == "module.ipynb":
            folder = folder.parent
        if not (folder / "module.ipynb").is_file():
            raise H4SError(f"{folder}: no module.ipynb here; give the module folder")
        self.folder = folder
        self.report = None
        nb = folder / "module.ipynb"
        self.view = _CheckView(kind="check", module=folder.name, execute=execute,
                               notebook={"abs": os.path.abspath(nb), "rel": os.path.relpath(nb).replace(os.sep, "/")})
        self.editor_box = ipywidgets.VBox()
        super().__init__([self.view, self.editor_box], **kw)
        self.view.on_msg(self._on_msg)
        self._thread: threading.Thread | None = None

    def _cell_ids(self) -> list[str]:
        import nbformat
        try:
            nb = nbformat.read(str(self.folder / "module.ipynb"), as_version=4)
        except Exception:
            return []
        return [str(c.get("id", "")) for c in nb.cells]

    def run(self, wait: bool = False) -> None:
        """Start the check in a thread (``wait=True``: return when it is done)."""
        if self._thread is not None and self._thread.is_alive():
            return
        v = self.view
        v.running, v.done, v.groups, v.summary = True, False, [], ""
        v.progress = "Checking " + self.folder.name + ("; the notebook runs from top to bottom, this takes a while"
                                                      if v.execute else "")
        self._thread = threading.Thread(target=self._work, name="h4s-check-panel", daemon=True)
        self._thread.start()
        if wait:
            self._thread.join()

    def _work(self) -> None:
        from h4s_kit.check import run_check

        v = self.view
        try:
            report = run_check([self.folder], execute=v.execute, progress=lambda line: setattr(v, "progress", line))
            self.report = report
            findings = list(report.findings)
            v.groups = group_findings(findings, self._cell_ids(), self.folder.resolve().name)
            v.summary = report.summary()
            v.progress = "Done: no errors" if report.ok else "Done: fix the errors below, then check again"
        except H4SError as e:
            v.progress = f"The check could not run: {e}"
        except Exception as e:   # shown as one line; the details are in the kernel's log
            v.progress = f"The check could not run: {type(e).__name__}: {e}"
        finally:
            v.running, v.done = False, True

    def goto(self, link: dict) -> None:
        """Follow a finding's link: open the module notebook at the cell (in JupyterLab: its tab, the cell
        selected), or open a question in the editor below."""
        if link.get("kind") == "cell":
            self.view.send({"action": "open_cell", "cell_id": link.get("cell_id"), "index": link.get("index")})
        elif link.get("kind") == "question":
            from ._editor import QuestionEditor
            bank = Path(str(link.get("bank")))
            if not bank.is_file():
                cand = self.folder / "questions" / bank.name
                bank = cand if cand.is_file() else bank
            ed = QuestionEditor(bank)
            idx = int(link.get("index") or 0)
            if 0 <= idx < len(ed.questions):
                ed.select(idx)
            self.editor_box.children = (ed,)

    def _on_msg(self, _w: Any, content: Any, _b: Any) -> None:
        if not isinstance(content, dict):
            return
        if content.get("action") == "run":
            self.run()
        elif content.get("action") == "goto" and isinstance(content.get("link"), dict):
            try:
                self.goto(content["link"])
            except H4SError as e:
                self.view.progress = str(e)
