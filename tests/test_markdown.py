"""h4s_widgets._markdown: the plain-text short cut gives exactly what markdown-it gives."""
from __future__ import annotations

import random
import sys

import pytest
from markdown_it import MarkdownIt

from h4s_widgets import _markdown
from h4s_widgets._markdown import _plain, md, md_inline

REF = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")

TRICKY = [
    "Pick one", "Which licence lets others adapt your worksheet?", "Ελληνικά: οδός, Straße; Łódź (café).",
    'He said "yes" and left.', "It's 5 o'clock", "Rate: 50% or more!", "a/b @ c + d = e - f", "Ok.",
    "Ünïcödé only", "x (y) z", "Mixed 1. not a list", "Q: why?", "Text with  two spaces", "Émile",
]
NOT_PLAIN = ["1. list", "- item", "# title", "*em*", "a_b_c", "use `code`", "a <b> c", "a & b", "[link](x)",
             "$x$", "two\nlines", " leading", "trailing ", "tab\there", "C# and F#", "a | b", "~strike~",
             "back\\slash", "{x}", "a\u00a0b", "_x_"]


def ref_block(text: str) -> str:
    return REF.render(text).strip()


def ref_inline(text: str) -> str:
    return REF.renderInline(text).strip()


@pytest.mark.parametrize("text", TRICKY)
def test_plain_short_cut_agrees_with_markdown_it(text):
    assert _plain(text), text
    assert md(text) == ref_block(text)
    assert md_inline(text) == ref_inline(text)


@pytest.mark.parametrize("text", NOT_PLAIN)
def test_text_with_markdown_goes_to_markdown_it(text):
    assert not _plain(text), text


def test_random_plain_texts_agree_with_markdown_it():
    rnd = random.Random(18)
    alphabet = "abcXYZ éßΩж019 ,.;:?!'\"()/%@+=-"
    checked = 0
    for _ in range(3000):
        text = rnd.choice("aZéΩ") + "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 25)))
        if not _plain(text):
            continue
        checked += 1
        assert md.__wrapped__(text) == ref_block(text), repr(text)
        assert md_inline.__wrapped__(text) == ref_inline(text), repr(text)
    assert checked > 1000


def test_plain_text_needs_no_markdown_it(monkeypatch):
    monkeypatch.setattr(_markdown, "_MD", None)
    monkeypatch.setitem(sys.modules, "markdown_it", None)   # importing it would fail
    assert md.__wrapped__("Pick one") == "<p>Pick one</p>"
    with pytest.raises(ImportError):
        md.__wrapped__("*em*")
