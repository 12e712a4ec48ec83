"""Find and load modules (``modules/NN-slug/module.ipynb``) and list the quiz calls in their code.

A *module* is a folder holding ``module.ipynb`` (see docs-dev/CONTRACTS.md).
Paths shown to people are relative to the current folder when possible.
"""
from __future__ import annotations

import ast
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Optional

from h4s_widgets._errors import H4SError

NOTEBOOK_NAME = "module.ipynb"
QUIZ_FUNCS = ("Quiz", "show")


def display_path(path: str | Path) -> str:
    """``path`` relative to the current folder if it lies below it, else as an absolute path."""
    p = Path(path)
    try:
        return Path(os.path.relpath(p.resolve(), Path.cwd())).as_posix() if _below_cwd(p) else p.resolve().as_posix()
    except ValueError:  # other drive (Windows)
        return p.as_posix()


def _below_cwd(p: Path) -> bool:
    try:
        p.resolve().relative_to(Path.cwd().resolve())
        return True
    except ValueError:
        return False


@dataclass
class Module:
    """One module folder and its (possibly unreadable) notebook."""

    folder: Path
    notebook_path: Path
    nb: Any = None                      # nbformat.NotebookNode, None when unreadable
    read_error: Optional[str] = None

    @property
    def id(self) -> str:
        return self.folder.name

    @property
    def meta(self) -> dict:
        """The raw ``metadata["h4s"]`` (``{}`` when missing or not a mapping)."""
        if self.nb is None:
            return {}
        raw = self.nb.metadata.get("h4s")
        return dict(raw) if isinstance(raw, dict) else {}

    @property
    def nb_place(self) -> str:
        return display_path(self.notebook_path)

    def cell_place(self, number: int) -> str:
        """``modules/03-x/module.ipynb:cell 7`` (``number`` counts from 1, every cell)."""
        return f"{self.nb_place}:cell {number}"

    def file_place(self, rel: str | Path) -> str:
        return display_path(self.folder / rel)

    @property
    def cells(self) -> list:
        return list(self.nb.cells) if self.nb is not None else []


def load_module(path: str | Path) -> Module:
    """A module from its folder or its notebook; the notebook is read with nbformat (v4)."""
    p = Path(path)
    if p.is_dir():
        folder, nb_path = p, p / NOTEBOOK_NAME
    else:
        folder, nb_path = p.parent, p
    mod = Module(folder=folder.resolve(), notebook_path=nb_path.resolve())
    read_notebook(mod)
    return mod


def read_notebook(mod: Module) -> None:
    import nbformat
    try:
        mod.nb = nbformat.read(str(mod.notebook_path), as_version=4)
    except FileNotFoundError:
        mod.read_error = f"{mod.nb_place}: file not found; a module folder must contain {NOTEBOOK_NAME}"
    except Exception as e:  # invalid JSON, not a notebook
        text = " ".join(str(e).split())[:200]
        mod.read_error = (f"{mod.nb_place}: cannot be read as a Jupyter notebook ({type(e).__name__}: {text}); "
                          f"open it in JupyterLab and save it again, or restore it from git")


def find_modules(paths: Iterable[str | Path] | None = None) -> list[Module]:
    """Modules named by ``paths``: module folders, notebooks, or folders that contain module folders.

    The default is ``modules/``.  Raises :class:`H4SError` when a path does not exist or holds no module.
    """
    paths = list(paths or ["modules"])
    found: list[Module] = []
    seen: set[Path] = set()
    for raw in paths:
        p = Path(raw)
        if not p.exists():
            raise H4SError(f"{raw}: no such file or folder; give a module folder, a notebook or a folder of modules")
        if p.is_file():
            if p.suffix != ".ipynb":
                raise H4SError(f"{raw}: is not a notebook (.ipynb); give a module folder, a notebook or a folder "
                               f"of modules")
            candidates = [p]
        elif (p / NOTEBOOK_NAME).exists():
            candidates = [p / NOTEBOOK_NAME]
        else:
            candidates = sorted(c / NOTEBOOK_NAME for c in p.iterdir()
                                if c.is_dir() and (c / NOTEBOOK_NAME).exists())
            if not candidates:
                raise H4SError(f"{raw}: holds no module (a module is a folder with {NOTEBOOK_NAME}); "
                               f"create one with: h4s new \"Title\"")
        for nb in candidates:
            key = nb.resolve()
            if key not in seen:
                seen.add(key)
                found.append(load_module(nb))
    return found


# ------------------------------------------------------------------ quiz calls

@dataclass
class QuizCall:
    """One ``Quiz("...")`` / ``show("...")`` call found in a code cell."""

    cell: int                       # 1-based, every cell counted
    func: str                       # "Quiz" or "show"
    bank: Optional[str]             # the literal path, None when not a plain string
    ids: Optional[list[str]] = None  # literal ids=[...] or None
    module: Optional[str] = None    # literal module="..." or None
    line: int = 1
    dynamic: bool = False           # first argument is not a string literal
    ids_dynamic: bool = False


_MAGIC = re.compile(r"^\s*[%!]")


def clean_source(source: str) -> str:
    """Cell source with IPython magics and shell lines blanked, so that ``ast`` can parse it."""
    lines = source.splitlines()
    if lines and lines[0].startswith("%%"):
        return ""
    return "\n".join("" if _MAGIC.match(line) else line for line in lines)


def parse_cell(source: str) -> ast.Module:
    """Parse a code cell; raises SyntaxError."""
    return ast.parse(clean_source(source))


class _Names:
    """Which names mean h4s_widgets' Quiz/show in a notebook (collected from its imports)."""

    def __init__(self) -> None:
        self.funcs: dict[str, str] = {"Quiz": "Quiz"}   # local name -> Quiz|show; a bare Quiz(...) always counts
        self.modules: set[str] = {"h4s_widgets"}        # local names of the h4s_widgets module

    def learn(self, tree: ast.AST) -> None:
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "h4s_widgets":
                for a in node.names:
                    if a.name in QUIZ_FUNCS:
                        self.funcs[a.asname or a.name] = a.name
            elif isinstance(node, ast.Import):
                for a in node.names:
                    if a.name == "h4s_widgets":
                        self.modules.add(a.asname or a.name)

    def func(self, node: ast.AST) -> Optional[str]:
        """``Quiz``/``show`` when ``node`` (the called thing) is one of them, else None (e.g. ``plt.show``)."""
        if isinstance(node, ast.Name):
            return self.funcs.get(node.id)
        if (isinstance(node, ast.Attribute) and node.attr in QUIZ_FUNCS and isinstance(node.value, ast.Name)
                and node.value.id in self.modules):
            return node.attr
        return None


def _str_list(node: ast.AST) -> Optional[list[str]]:
    if isinstance(node, (ast.List, ast.Tuple)) and all(
            isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts):
        return [e.value for e in node.elts]
    return None


def calls_in_tree(tree: ast.AST, cell: int, names: Optional[_Names] = None) -> list[QuizCall]:
    if names is None:
        names = _Names()
        names.learn(tree)
    out = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = names.func(node.func)
        if name is None:
            continue
        call = QuizCall(cell=cell, func=name, bank=None, line=node.lineno)
        first = node.args[0] if node.args else None
        for kw in node.keywords:
            if kw.arg == "questions" and first is None:
                first = kw.value
            elif kw.arg == "ids":
                call.ids = _str_list(kw.value)
                call.ids_dynamic = call.ids is None and not (
                    isinstance(kw.value, ast.Constant) and kw.value.value is None)
            elif kw.arg == "module" and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str):
                call.module = kw.value.value
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            call.bank = first.value
        else:
            call.dynamic = True
        out.append(call)
    out.sort(key=lambda c: c.line)
    return out


def quiz_calls(nb: Any) -> tuple[list[QuizCall], list[tuple[int, SyntaxError]]]:
    """All quiz calls in the code cells of ``nb``, and the cells that could not be parsed.

    Cell numbers count every cell from 1, as a person counts them.
    """
    calls: list[QuizCall] = []
    bad: list[tuple[int, SyntaxError]] = []
    trees: list[tuple[int, ast.AST]] = []
    names = _Names()
    for i, cell in enumerate(nb.cells, start=1):
        if cell.cell_type != "code":
            continue
        try:
            tree = parse_cell(cell.source)
        except SyntaxError as e:
            bad.append((i, e))
            continue
        names.learn(tree)  # imports anywhere in the notebook count (cells may be run out of order)
        trees.append((i, tree))
    for i, tree in trees:
        calls.extend(calls_in_tree(tree, i, names))
    return calls, bad


def bank_files(folder: Path) -> list[Path]:
    """Question banks of a module: ``questions/*.yml|*.yaml|*.json``, sorted."""
    q = folder / "questions"
    if not q.is_dir():
        return []
    return sorted(p for p in q.iterdir() if p.is_file() and p.suffix.lower() in (".yml", ".yaml", ".json"))


def norm_rel(path: str) -> str:
    """``./questions/x.yml`` -> ``questions/x.yml`` (for comparing paths written by people)."""
    return Path(os.path.normpath(path)).as_posix()
