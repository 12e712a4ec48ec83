"""Book files compressed once, at build time: ``h4s build`` writes ``name.gz`` beside every compressible
file of the book (text, at least :data:`MIN_SIZE` bytes) and :class:`h4s_kit.server.book_files.BookFilesHandler`
serves it to clients that accept gzip."""
from __future__ import annotations

import gzip
import os
import re
import shutil
from pathlib import Path

GZ_SUFFIX = ".gz"
MIN_SIZE = 1024     # smaller bodies gain nothing worth a header
LEVEL = 9           # once per build: the smallest files
COMPRESSIBLE = {".html", ".htm", ".css", ".js", ".mjs", ".json", ".svg", ".xml", ".txt", ".map", ".ipynb", ".md",
                ".csv", ".webmanifest"}


def accepts_gzip(accept_encoding: str) -> bool:
    """True when an ``Accept-Encoding`` header allows gzip (``gzip``, ``x-gzip`` or ``*`` with q > 0)."""
    q_of: dict[str, float] = {}
    for part in accept_encoding.lower().split(","):
        name, _, params = part.strip().partition(";")
        q = 1.0
        m = re.search(r"\bq\s*=\s*([0-9.]+)", params)
        if m:
            try:
                q = float(m.group(1))
            except ValueError:
                q = 0.0
        if name:
            q_of[name.strip()] = q
    for name in ("gzip", "x-gzip"):
        if name in q_of:
            return q_of[name] > 0
    return q_of.get("*", 0.0) > 0


def precompress(html_dir: Path) -> dict:
    """Write ``X.gz`` beside every compressible file of ``html_dir`` whose copy is missing or older; remove
    copies whose file is gone or too small.  Returns counts (written, kept, removed)."""
    html_dir = Path(html_dir)
    written = kept = removed = 0
    for dirpath, _, names in os.walk(html_dir):
        present = set(names)
        for name in names:
            path = Path(dirpath) / name
            if name.endswith(".tmp"):
                continue
            if name.endswith(GZ_SUFFIX):
                plain = name[:-len(GZ_SUFFIX)]
                if plain not in present or not _wanted(Path(dirpath) / plain):
                    path.unlink()
                    removed += 1
                continue
            if not _wanted(path):
                continue
            gz = path.with_name(name + GZ_SUFFIX)
            st = path.stat()
            if gz.exists() and gz.stat().st_mtime_ns >= st.st_mtime_ns:
                kept += 1
                continue
            tmp = gz.with_name(f".{gz.name}.{os.getpid()}.tmp")
            tmp.write_bytes(gzip.compress(path.read_bytes(), LEVEL, mtime=0))
            os.replace(tmp, gz)
            written += 1
    return {"written": written, "kept": kept, "removed": removed}


def mirror(roots: list[str], dest: Path) -> Path:
    """Copy the files of ``roots`` (the first root wins for a path in several, as Voilà's static handler
    looks them up) into ``dest`` and precompress them there; a file already copied with the same size and
    mtime is kept.  Used for Voilà's static files, which live in the installation and are the same for
    every learner: compressed once per installation, not per request."""
    dest = Path(dest)
    for root in reversed([Path(r) for r in roots if Path(r).is_dir()]):
        for dirpath, _, names in os.walk(root):
            for name in names:
                src = Path(dirpath) / name
                out = dest / src.relative_to(root)
                st = src.stat()
                try:
                    o = out.stat()
                    if o.st_size == st.st_size and o.st_mtime_ns == st.st_mtime_ns:
                        continue
                except OSError:
                    pass
                out.parent.mkdir(parents=True, exist_ok=True)
                tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
                shutil.copy2(src, tmp)
                os.replace(tmp, out)     # other servers may read the mirror meanwhile
    precompress(dest)
    return dest


def _wanted(path: Path) -> bool:
    return path.suffix.lower() in COMPRESSIBLE and path.is_file() and path.stat().st_size >= MIN_SIZE
