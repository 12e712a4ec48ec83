"""The built JS front-end, for its two hosts.

The sources are ES modules in ``_static/src/`` (one module per question type in
``src/types/``); ``scripts/build_js.mjs`` (``npm run build-js``, esbuild) bundles and
minifies them into ``_static/dist/``, which is committed, so pip users and offline book
builds need no node (``npm run check-js`` and tests/test_widget.py fail when a built
file is stale):

* ``dist/widget.js``: the anywidget ES module, with every type;
* ``dist/runtime.js``: the classic script of static pages, without the types; it shows the quizzes;
* ``dist/types/<type>.js``: one classic script per type; a page runs the chunks of the
  types it shows before the runtime (:func:`static_runtime` joins them in that order);
* ``dist/runtime-lazy.js``: the runtime's late part (grading, solutions, h4s serve, records), which the
  runtime runs when the page is idle or a learner answers: inline pages carry it as a non-executed
  ``<script id="h4s-lazy" type="text/plain">`` (:func:`runtime_tags`), the book as a file named by the
  runtime tag's ``data-h4s-lazy``.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Iterable

STATIC = Path(__file__).parent / "_static"
DIST = STATIC / "dist"
RUNTIME = DIST / "runtime.js"
LAZY = DIST / "runtime-lazy.js"


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


@lru_cache(maxsize=None)
def widget_esm() -> str:
    """The anywidget module (every question type)."""
    return _read(DIST / "widget.js")


@lru_cache(maxsize=None)
def runtime_types() -> tuple[str, ...]:
    """The question types that have a built chunk."""
    return tuple(sorted(p.stem for p in (DIST / "types").glob("*.js")))


@lru_cache(maxsize=None)
def _runtime_for(types: tuple[str, ...]) -> str:
    chunks = [_read(DIST / "types" / f"{t}.js").rstrip("\n") for t in types]
    return "\n".join([*chunks, _read(RUNTIME).rstrip("\n")]) + "\n"


def static_runtime(types: Iterable[str] | None = None) -> str:
    """The classic script a static page inlines (or links) once: the chunks of ``types`` (every type
    when None; a type without a chunk is left out and shows as unknown) and then the runtime."""
    known = runtime_types()
    wanted = known if types is None else tuple(sorted({t for t in types if t in known}))
    return _runtime_for(wanted)


@lru_cache(maxsize=None)
def static_lazy() -> str:
    """The runtime's late part (a classic script; the runtime runs it, see the module's docstring)."""
    return _read(LAZY)


def runtime_tags(types: Iterable[str] | None = None) -> str:
    """The tags of a page that inlines the quiz JS: the late part (not executed until the runtime runs it:
    before the runtime, so that a quiz's draw finds it at once) and the chunks of ``types`` with the runtime."""
    return (f'<script id="h4s-lazy" type="text/plain">{static_lazy()}</script>'
            f'<script id="h4s-runtime">{static_runtime(types)}</script>')


_FIRST_QUIZ = None


def after_first_quiz(page: str, script: str) -> str:
    """``page`` with ``script`` (the runtime's tags) right after its first static quiz, so that the quiz is
    drawn while the rest of the page is still being parsed (the runtime mounts the quizzes parsed by then, and
    the others at ``DOMContentLoaded``); before ``</body>`` when no quiz has the shape :meth:`Quiz.static_html`
    writes (an output of an older h4s); unchanged when there is neither."""
    import re
    global _FIRST_QUIZ
    if _FIRST_QUIZ is None:
        _FIRST_QUIZ = re.compile(r'<div class="h4s-quiz h4s-static"[^>]*>'
                                 r'<script type="application/json" class="h4s-data">.*?</script>'
                                 r'<noscript>.*?</noscript></div>', re.S)
    m = _FIRST_QUIZ.search(page)
    if m:
        return page[:m.end()] + script + page[m.end():]
    head, sep, tail = page.rpartition("</body>")
    return f"{head}{script}\n{sep}{tail}" if sep else page


def type_chunks() -> dict[str, str]:
    """Every question type's chunk (a classic script that registers the type with the runtime, run before or
    after it): for pages that load them as files."""
    return {t: _read(DIST / "types" / f"{t}.js") for t in runtime_types()}


def page_types(html: str) -> set[str]:
    """The question types of the quizzes in a page's HTML (from their ``<script class="h4s-data">``;
    a payload that does not parse gives every type, so that its quiz still shows)."""
    import json
    import re
    out: set[str] = set()
    for m in re.finditer(r'<script type="application/json" class="h4s-data">(.*?)</script>', html, re.S):
        try:
            out.update(q["type"] for q in json.loads(m.group(1).replace("<\\/", "</"))["spec"]["questions"])
        except (ValueError, KeyError, TypeError):
            return set(runtime_types())
    return out


@lru_cache(maxsize=None)
def widget_css() -> str:
    return _read(STATIC / "h4s.css")
