"""Markdown to HTML for question text, with ``$...$`` maths kept for MathJax.

Raw HTML in question text is escaped (banks may come from other systems).
Maths becomes ``<span class="h4s-math">\\(...\\)</span>``, which MathJax (self-hosted
in the book) typesets and which reads sensibly as plain text where it is absent.

Plain text (one line that starts with a letter and has no character Markdown
gives a meaning to) is rendered without loading markdown-it, so that a quiz of
plain questions renders without it; ``tests/test_markdown.py`` checks that the
short cut gives what markdown-it gives.  A kept bank (h4s_widgets/_bank_cache.py)
carries the HTML of its texts, rendered by this code and this markdown-it when it
was kept, into :data:`KNOWN`.
"""
from __future__ import annotations

import html
import re
from functools import lru_cache, wraps

_MD = None
#: one line, starting with a letter, of letters, digits, spaces and punctuation that means nothing in
#: CommonMark (without linkify and typographer) in the middle of a line
_PLAIN = re.compile(r"[^\W\d_][\w ,.;:?!'\"()/%@+=-]*", re.UNICODE)


def _renderer():
    global _MD
    if _MD is None:
        from markdown_it import MarkdownIt
        _MD = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")
    return _MD


def _plain(text: str) -> bool:
    return _PLAIN.fullmatch(text) is not None and not text.endswith(" ") and "_" not in text
_MATH = re.compile(r"(?<![\\$])\$(?!\s)([^$\n]+?)(?<!\s)\$(?!\d)")
_TOKEN = "\u27e6H4SMATH{}\u27e7"
_TOKEN_RE = re.compile("\u27e6H4SMATH(\\d+)\u27e7")


def _protect(text: str) -> tuple[str, list[str]]:
    found: list[str] = []

    def keep(m: re.Match) -> str:
        found.append(m.group(1))
        return _TOKEN.format(len(found) - 1)

    return _MATH.sub(keep, text), found


def _restore(rendered: str, found: list[str]) -> str:
    return _TOKEN_RE.sub(
        lambda m: f'<span class="h4s-math">\\({html.escape(found[int(m.group(1))])}\\)</span>', rendered)


def _render_block(text: str) -> str:
    """Block Markdown (paragraphs, lists, code, tables)."""
    if _plain(text):
        return f"<p>{html.escape(text, quote=False).replace(chr(34), '&quot;')}</p>"
    t, found = _protect(text)
    return _restore(_renderer().render(t).strip(), found)


def _render_inline(text: str) -> str:
    """Inline Markdown (emphasis, code, links) without a wrapping paragraph."""
    if _plain(text):
        return html.escape(text, quote=False).replace(chr(34), "&quot;")
    t, found = _protect(text)
    return _restore(_renderer().renderInline(t).strip(), found)


_block = lru_cache(maxsize=4096)(_render_block)
_inline = lru_cache(maxsize=4096)(_render_inline)
#: HTML this code rendered before, handed over by a kept bank (h4s_widgets/_bank_cache.py), so that showing
#: it needs no markdown-it: ("md" | "inline", text) -> html
KNOWN: dict[tuple[str, str], str] = {}
#: while a bank is kept: every text rendered, with its HTML
_recording: list[dict] = []


@wraps(_render_block)   # md.__wrapped__ is the renderer itself
def md(text: str) -> str:
    out = KNOWN.get(("md", text))
    if out is None:
        out = _block(text)
    for r in _recording:
        r[("md", text)] = out
    return out


@wraps(_render_inline)
def md_inline(text: str) -> str:
    out = KNOWN.get(("inline", text))
    if out is None:
        out = _inline(text)
    for r in _recording:
        r[("inline", text)] = out
    return out
