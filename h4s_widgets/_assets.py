"""The one JS front-end, assembled for its two hosts.

The sources in ``_static/`` are plain ES modules (``grader.js``, ``ui.js``,
``widget.js``, ``static.js``) so that ``node --test`` can import the grader.
anywidget wants a single module text, and a static page wants a classic
script that works from ``file://``; both are made here by concatenating the
modules in dependency order and dropping their ``import`` lines (and, for the
classic script, the ``export`` keywords).  No bundler needed.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

STATIC = Path(__file__).parent / "_static"
_IMPORT = re.compile(r"^import\s.*?;\s*$", re.M | re.S)
_EXPORT = re.compile(r"^export\s+(?=(async\s+)?(function|const|let|class)\b)", re.M)


def _read(name: str) -> str:
    return (STATIC / name).read_text(encoding="utf-8")


def _strip_imports(src: str) -> str:
    return re.sub(r"^import\s[^;]*;\s*$", "", src, flags=re.M)


@lru_cache(maxsize=None)
def widget_esm() -> str:
    return "\n".join(_strip_imports(_read(n)) for n in ("grader.js", "ui.js", "widget.js"))


_EXPORT_LIST = re.compile(r"^export\s*\{[^}]*\}\s*;?\s*$", re.M)


def _classic(src: str) -> str:
    """An ES module's text as part of a classic script: no import/export statements."""
    return _EXPORT.sub("", _EXPORT_LIST.sub("", _strip_imports(src)))


@lru_cache(maxsize=None)
def static_runtime() -> str:
    body = "\n".join(_classic(_read(n)) for n in ("grader.js", "ui.js", "records.js", "static.js"))
    return "(function(){'use strict';if(window.__h4sRuntime){window.__h4sRuntime.scan();return;}\n" + body + "\n})();"


@lru_cache(maxsize=None)
def widget_css() -> str:
    return _read("h4s.css")
