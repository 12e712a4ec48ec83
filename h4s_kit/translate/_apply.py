"""A translated copy of a module: notebook, banks and media with the catalogue's translations.

Entries that are missing, empty, fuzzy or made for an older source text stay in English.  Files are
written only when their bytes change, so that an incremental book build sees only what changed.
"""
from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import yaml

from ._catalog import is_draft, status, translations
from ._extract import NOTEBOOK, bank_files, translated_bank, translated_credits, translated_notebook


def _write(path: Path, data: bytes) -> bool:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_file() and path.read_bytes() == data:
        return False
    path.write_bytes(data)
    return True


def _yaml(data) -> bytes:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000).encode("utf-8")


def lookup_for(folder: Path, lang: str):
    table = translations(folder, lang)
    return lambda ctx, text: table.get(ctx, text)


def translate_module(folder: Path, lang: str, dest: Path) -> list[Path]:
    """Write the translated module ``folder`` into ``dest`` (a folder named like it); returns the files written."""
    folder, dest = Path(folder), Path(dest)
    lookup = lookup_for(folder, lang)
    st = status(folder, lang)
    info = {"source_language": "en", "status": "draft" if st.draft else "published",
            "translated_percent": round(st.percent, 1)}
    written = []
    keep = {dest / NOTEBOOK}
    digest = hashlib.sha256()
    for bank in bank_files(folder):
        rel = bank.relative_to(folder)
        target = dest / rel
        keep.add(target)
        data = _yaml(translated_bank(bank, folder, lookup, lang))
        digest.update(rel.as_posix().encode() + b"\0" + data)
        if _write(target, data):
            written.append(target)
    nb = translated_notebook(folder, lookup, lang, info)
    # the execution cache (jupyter-cache) knows a notebook by its code only: a cell that names the translated
    # banks makes a changed bank run the notebook again, and only that notebook (removed from the page)
    nb.setdefault("cells", []).append({"cell_type": "code", "execution_count": None, "id": "h4s-translation",
                                      "metadata": {"tags": ["remove-cell"]}, "outputs": [],
                                      "source": f"# h4s translate: {lang} banks {digest.hexdigest()[:16]}"})
    if _write(dest / NOTEBOOK, (json.dumps(nb, ensure_ascii=False, indent=1) + "\n").encode("utf-8")):
        written.append(dest / NOTEBOOK)
    for f in sorted(folder.rglob("*")):
        rel = f.relative_to(folder)
        if not f.is_file() or rel.parts[0] in ("locales", "questions", ".ipynb_checkpoints") or rel.name == NOTEBOOK:
            if not (f.is_file() and rel.parts[0] == "questions" and f.suffix not in (".yml", ".yaml")):
                continue
        target = dest / rel
        keep.add(target)
        if rel.as_posix() == "media/credits.yml":
            data = _yaml(translated_credits(folder, lookup))
        else:
            data = f.read_bytes()
        if _write(target, data):
            shutil.copystat(f, target) if rel.as_posix() != "media/credits.yml" else None
            written.append(target)
    for f in sorted(dest.rglob("*")):           # files the source no longer has
        if f.is_file() and f not in keep and "_build" not in f.parts and ".ipynb_checkpoints" not in f.parts:
            f.unlink()
    return written


__all__ = ["translate_module", "lookup_for", "is_draft"]
