"""Translating modules with gettext catalogues (issue 15).

Per module: ``locales/module.pot`` (template) and ``locales/LL/LC_MESSAGES/module.po`` per language,
read and written with Babel.  What is a message and its context: :mod:`._extract`; catalogues, merging
and status: :mod:`._catalog`; the translated copy of a module: :mod:`._apply`; the books per language:
:mod:`._book`; the checks of ``h4s check``: :mod:`._verify`.

In a module's code cells, ``from h4s_kit.translate import _`` and ``_("text")`` mark a string learners
see; at run time ``_`` returns its argument (the translated copy of the notebook already holds the
translation).
"""
from __future__ import annotations

from pathlib import Path

from contextlib import contextmanager

from ._apply import translate_module
from ._book import build_languages

from ._catalog import (
    Status, TranslationError, extract, is_draft, languages, po_path, pot_path, status, translations, update,
)


def _(text: str) -> str:
    """Marks a learner-visible string of a code cell for translation; returns it unchanged."""
    return text


def module_folders(paths=None) -> list[Path]:
    """Module folders (holding module.ipynb) named by ``paths``: module folders or folders of modules
    (default ``modules/``)."""
    from h4s_widgets._errors import H4SError
    out: list[Path] = []
    for p in [Path(x) for x in (paths or ["modules"])]:
        if (p / "module.ipynb").is_file():
            out.append(p)
        elif p.is_dir():
            out += sorted(d for d in p.iterdir() if (d / "module.ipynb").is_file() and not d.name.startswith((".", "_")))
        else:
            raise H4SError(f"{p}: not a module folder (with module.ipynb) or a folder of modules")
    return out


@contextmanager
def translated_copy(folder: Path, lang: str):
    """A temporary translated copy of the module ``folder`` (same folder name), e.g. for ``h4s export --lang``."""
    import tempfile
    folder = Path(folder)
    if not (folder / "module.ipynb").is_file():
        raise TranslationError(f"{folder}: --lang needs a module folder (with module.ipynb)")
    if lang not in languages(folder):
        have = ", ".join(languages(folder)) or "none"
        raise TranslationError(f"{folder}: no catalogue for --lang {lang} (languages: {have}); start one with "
                               f"h4s translate update {folder} --lang {lang}")
    with tempfile.TemporaryDirectory(prefix="h4s-lang-") as tmp:
        dest = Path(tmp) / folder.resolve().name
        translate_module(folder, lang, dest)
        yield dest


def all_languages(folders) -> list[str]:
    return sorted({lang for f in folders for lang in languages(f)})


def status_table(rows: list[Status]) -> str:
    head = f"{'module':<44} {'lang':<5} {'translated':>10} {'fuzzy':>6} {'untransl.':>9} {'%':>6}  state"
    lines = [head, "-" * len(head)]
    for s in rows:
        state = ("no catalogue" if s.obsolete == 0 and s.translated == s.fuzzy == 0 and not s.has_catalogue
                 else "draft" if s.draft else "complete" if s.complete else "INCOMPLETE")
        lines.append(f"{s.module:<44} {s.lang:<5} {s.translated:>6}/{s.total:<3} {s.fuzzy:>6} {s.untranslated:>9} "
                     f"{s.percent:>5.1f}%  {state}")
    return "\n".join(lines)


__all__ = ["Status", "TranslationError", "_", "all_languages", "build_languages", "extract", "is_draft", "languages", "module_folders",
           "po_path", "pot_path", "status", "status_table", "translate_module", "translated_copy", "translations", "update"]
