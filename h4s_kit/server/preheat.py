"""``h4s serve --preheat 01,04``: the named modules keep one kernel started for their next live page."""
from __future__ import annotations

import logging
from pathlib import Path

from h4s_widgets._errors import H4SError

log = logging.getLogger("h4s.serve")


class PreheatError(H4SError):
    pass


def resolve(modules_dir: Path, names) -> list[str]:
    """Module folders for ``names`` (a folder name, or a prefix of exactly one folder name such as ``01``)."""
    folders = sorted(p.name for p in Path(modules_dir).iterdir() if (p / "module.ipynb").is_file())
    out = []
    for name in names:
        hits = [f for f in folders if f == name] or [f for f in folders if f.startswith(name)]
        if len(hits) != 1:
            raise PreheatError(f"--preheat {name}: " + ("no module starts with it" if not hits else
                               f"several modules start with it ({', '.join(hits)})") + f" in {modules_dir}; "
                               "name a module folder or its number, e.g. --preheat 01,04")
        out.append(hits[0])
    return list(dict.fromkeys(out))


async def preheat(app, modules_dir: Path, names) -> None:
    for folder in resolve(modules_dir, names):
        try:
            kid = await app.kernel_manager.preheat(folder)
            log.info("h4s: preheated kernel %s for %s", kid, folder)
        except Exception as e:
            log.error("h4s: cannot preheat a kernel for %s: %s", folder, e)
