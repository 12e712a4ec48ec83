"""``h4s serve --preheat 01,de/04``: the named modules keep one kernel started for their next live page.

A name is a module folder or a prefix of exactly one (``01``); ``LL/`` before it names that module's live page
in the language book ``LL`` (its notebook in ``LL/<module>`` of the live root, its kernel speaking ``LL``)."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Optional

from h4s_kit.live import root_languages
from h4s_widgets._errors import H4SError

log = logging.getLogger("h4s.serve")

_HOW = "name a module folder or its number, and a language book before it, e.g. --preheat 01,de/04"


class PreheatError(H4SError):
    pass


def _modules(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if (p / "module.ipynb").is_file()) if folder.is_dir() else []


def resolve(modules_dir: Path, names, live_root: Optional[Path] = None) -> list[str]:
    """Live-root paths for ``names``: the module's folder, or ``LL/<folder>`` for a name ``LL/<prefix>`` of a
    language book (found in ``live_root``, the Voilà root of the server)."""
    out = []
    for name in names:
        lang, _, prefix = name.rpartition("/")
        if lang:
            langs = root_languages(live_root) if live_root is not None else []
            if lang not in langs:
                raise PreheatError(f"--preheat {name}: the book has no live pages in '{lang}' ("
                                   + (f"its languages: {', '.join(langs)}" if langs else "it has no other language")
                                   + f"); {_HOW}")
            folders, where = _modules(live_root / lang), f"the '{lang}' book"
        else:
            folders, where = _modules(Path(modules_dir)), str(modules_dir)
        hits = [f for f in folders if f == prefix] or [f for f in folders if prefix and f.startswith(prefix)]
        if len(hits) != 1:
            raise PreheatError(f"--preheat {name}: " + ("no module starts with it" if not hits else
                               f"several modules start with it ({', '.join(hits)})") + f" in {where}; {_HOW}")
        out.append(f"{lang}/{hits[0]}" if lang else hits[0])
    return list(dict.fromkeys(out))


async def preheat(app, modules_dir: Path, names, live_root: Optional[Path] = None) -> None:
    for path in resolve(modules_dir, names, live_root):
        try:
            kid = await app.kernel_manager.preheat(path)
            log.info("h4s: preheated kernel %s for %s", kid, path)
        except Exception as e:
            log.error("h4s: cannot preheat a kernel for %s: %s", path, e)
