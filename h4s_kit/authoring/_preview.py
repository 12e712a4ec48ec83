"""``preview("modules/03-x")``: the module's page as learners get it in the book, without building the book.

A throw-away book root holds the project's ``_config.yml`` and only this module (copied); ``h4s build``'s own
function (:func:`h4s_kit.build.build`: the same templates, extension, static runtime and third-party check)
builds it.  :class:`PreviewPanel` does this from a button in a thread and links the page through the
Jupyter server's ``files/`` route (the page lies under the module's project, in ``_build/preview/``).
"""
from __future__ import annotations

import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any, Callable

import traitlets

from h4s_widgets import H4SError

from ._common import PanelView


def _project_root(folder: Path) -> Path | None:
    for p in [folder, *folder.parents]:
        if (p / "_config.yml").is_file():
            return p
    return None


def preview(module: str | Path, out: str | Path | None = None, echo: Callable[[str], None] = lambda _l: None) -> Path:
    """Build the book page of one module; returns the HTML file of its page."""
    from h4s_kit.build import build

    folder = Path(module).resolve()
    if folder.name == "module.ipynb":
        folder = folder.parent
    if not (folder / "module.ipynb").is_file():
        raise H4SError(f"{folder}: no module.ipynb here; give the module folder")
    project = _project_root(folder)
    config = (project / "_config.yml") if project else Path(__file__).resolve().parents[2] / "_config.yml"
    if not config.is_file():
        raise H4SError(f"{folder}: no _config.yml above the module (the book's configuration); "
                       f"open the module inside its course folder")
    base = Path(out) if out else ((project / "_build" / "preview") if project else Path(tempfile.mkdtemp(prefix="h4s-preview-")))
    root = base / folder.name
    src = root / "src"
    if src.exists():
        shutil.rmtree(src)
    (src / "modules").mkdir(parents=True)
    shutil.copy(config, src / "_config.yml")
    (src / "book").mkdir()
    (src / "book" / "index.md").write_text(f"# Preview of {folder.name}\n\nThis page is a preview of one module.\n",
                                           encoding="utf-8")
    shutil.copytree(folder, src / "modules" / folder.name,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", ".h4s-*"))
    build(root=src, modules=src / "modules", out=root / "_build", echo=echo, langs=[], preview=True)  # drafts too
    html = root / "_build" / "html" / "modules" / folder.name / "module.html"
    if not html.is_file():
        found = sorted((root / "_build" / "html").rglob("module.html"))
        if not found:
            raise H4SError(f"{folder.name}: the preview was built but has no module page; run h4s build to see why")
        html = found[0]
    return html


class PreviewPanel(PanelView):
    """A button that builds :func:`preview` and links the page (opened in a new browser tab)."""

    module = traitlets.Unicode("").tag(sync=True)
    running = traitlets.Bool(False).tag(sync=True)
    page = traitlets.Unicode("").tag(sync=True)
    progress = traitlets.Unicode("").tag(sync=True)

    def __init__(self, module: str | Path = ".", **kw: Any):
        self.folder = Path(module)
        super().__init__(kind="preview", module=self.folder.resolve().name, **kw)
        self.on_msg(self._on_msg)
        self._thread: threading.Thread | None = None
        self.html: Path | None = None

    def run(self, wait: bool = False) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self.running, self.page = True, ""
        self.progress = "Building the page (the notebook runs once; this takes a while)"
        self._thread = threading.Thread(target=self._work, daemon=True, name="h4s-preview")
        self._thread.start()
        if wait:
            self._thread.join()

    def _work(self) -> None:
        try:
            self.html = preview(self.folder, echo=lambda line: setattr(self, "progress", line[:300]))
            self.page = str(self.html)
            self.progress = "Ready: open the page"
        except H4SError as e:
            self.progress = f"No preview: {e}"
        except Exception as e:
            self.progress = f"No preview: {type(e).__name__}: {e}"
        finally:
            self.running = False

    def _on_msg(self, _w: Any, content: Any, _b: Any) -> None:
        if isinstance(content, dict) and content.get("action") == "run":
            self.run()
