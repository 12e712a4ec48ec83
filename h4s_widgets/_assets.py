"""The one JS front-end, assembled for its two hosts.

The sources in ``_static/`` are plain ES modules (``grader.js``, ``ui.js``,
``records.js``, ``widget.js``, ``static.js``) so that ``node --test`` can
import the grader.  anywidget wants a single module text, and a static page
wants a classic script that works from ``file://``; both are made here by
concatenating the modules in dependency order and dropping their ``import``
lines (and, for the classic script, the ``export`` keywords).  No bundler.

The static runtime is inlined into every quiz page, so it ships minified:
``_static/h4s-runtime.min.js`` is generated from the sources with terser
(``npm run build-js``, i.e. ``scripts/build_js.py``) and committed, so that
pip users and offline book builds need no node.  Its first line names the
SHA-256 of the sources it was made from; when the sources changed since,
``static_runtime()`` warns and falls back to the plain concatenation
(tests/test_widget.py fails on a stale file).
"""
from __future__ import annotations

import hashlib
import re
import subprocess
import warnings
from functools import lru_cache
from pathlib import Path

STATIC = Path(__file__).parent / "_static"
RUNTIME_SOURCES = ("grader.js", "ui.js", "records.js", "static.js")
MINIFIED = STATIC / "h4s-runtime.min.js"
# terser 5 (package.json): mangle names, compress twice, keep only the /*! banner
TERSER_ARGS = ["--ecma", "2020", "--compress", "passes=2", "--mangle", "--comments", "/^!/"]
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


def static_runtime_source() -> str:
    """The static runtime as plain (unminified) classic script: what the minified file is made from."""
    body = "\n".join(_classic(_read(n)) for n in RUNTIME_SOURCES)
    return "(function(){'use strict';if(window.__h4sRuntime){window.__h4sRuntime.scan();return;}\n" + body + "\n})();"


def sources_digest() -> str:
    h = hashlib.sha256()
    for n in RUNTIME_SOURCES:
        h.update((STATIC / n).read_bytes())
    return h.hexdigest()[:16]


def _banner(digest: str) -> str:
    # h4s_kit/serve.py looks for "payload.server" to know that this runtime can grade on the server
    return f"/*! h4s runtime (MIT), knows payload.server; scripts/build_js.py sources:{digest} */"


def build_static_runtime(node: str = "node", node_modules: Path | None = None) -> str:
    """Minify ``static_runtime_source()`` with terser from node_modules (needs node; used by scripts/build_js.py)."""
    nm = node_modules or Path(__file__).resolve().parents[1] / "node_modules"
    terser = nm / "terser" / "bin" / "terser"
    if not terser.is_file():
        raise FileNotFoundError(f"{terser} not found: run `npm ci` in the project folder")
    out = subprocess.run([node, str(terser), *TERSER_ARGS], input=static_runtime_source(), capture_output=True,
                         text=True, encoding="utf-8", check=True).stdout.strip()
    if "</script" in out.lower() or "<!--" in out:
        raise ValueError("the minified runtime cannot be inlined in <script>")
    return _banner(sources_digest()) + "\n" + out + "\n"


@lru_cache(maxsize=None)
def static_runtime() -> str:
    """The classic script that static pages inline once: the committed minified file when it is current."""
    try:
        text = MINIFIED.read_text(encoding="utf-8")
    except OSError:
        text = ""
    if f" sources:{sources_digest()} " in text.split("\n", 1)[0]:
        return text
    warnings.warn(f"{MINIFIED.name} is missing or older than its sources (run `npm run build-js`); "
                  "pages get the unminified runtime", stacklevel=2)
    return static_runtime_source()


@lru_cache(maxsize=None)
def widget_css() -> str:
    return _read("h4s.css")
