"""The static runtime and the question types' chunks meet in any order (h4s_widgets/_static/src/runtime.js):
a chunk that runs after the runtime mounts the quiz that waited for it; a quiz whose type never comes is
shown at the page's load event (its question as unknown) rather than never."""
from __future__ import annotations

import pytest

from _browser import open_page, serve_directory

pytestmark = pytest.mark.browser

QUIZ = [{"type": "numeric", "id": "n1", "text": "What is 6 times 7?", "answers": [{"value": 42}]}]


def _page(quiz_html: str, scripts: str) -> str:
    return ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Chunks</title></head>'
            f'<body><main>{quiz_html}</main>{scripts}</body></html>')


def test_a_chunk_after_the_runtime_mounts_the_quiz_that_waited(browser, tmp_path):
    from h4s_widgets import Quiz
    from h4s_widgets._assets import runtime_tags, type_chunks
    quiz = Quiz(QUIZ).static_html(include_runtime=False)
    (tmp_path / "numeric.js").write_text(type_chunks()["numeric"], encoding="utf-8")
    # the runtime first (inline, it runs while the page is parsed), then the chunk as an async file, as a
    # page that links it would: it can only run after the runtime, which has mounted nothing by then
    seen = ("<script>window.__mountedBeforeChunk = document.querySelectorAll('.h4s-question').length;"
            " window.__runtimeFirst = !!window.__h4sRuntime;</script>")
    late = '<script async src="numeric.js"></script>'
    (tmp_path / "index.html").write_text(_page(quiz, f"{runtime_tags([])}{seen}{late}"),
                                         encoding="utf-8")
    with serve_directory(tmp_path) as url:
        context, page, log, errors = open_page(browser)
        try:
            page.goto(url + "index.html")
            assert page.evaluate("[window.__runtimeFirst, window.__mountedBeforeChunk]") == [True, 0]
            page.wait_for_selector('.h4s-question[data-qid="n1"] input.h4s-num-input', timeout=10_000)
            page.fill(".h4s-num-input", "42")
            page.click(".h4s-check")
            page.locator(".h4s-feedback").get_by_text("Correct").wait_for(timeout=5_000)
            assert page.locator(".h4s-quiz[data-h4s-mounted]").count() == 1
            assert errors == [], errors
        finally:
            context.close()


def test_a_quiz_whose_type_never_comes_shows_at_load(browser, tmp_path):
    from h4s_widgets import Quiz
    from h4s_widgets._assets import runtime_tags
    quiz = Quiz(QUIZ).static_html(include_runtime=False)
    (tmp_path / "index.html").write_text(_page(quiz, runtime_tags([])), encoding="utf-8")
    with serve_directory(tmp_path) as url:
        context, page, log, errors = open_page(browser)
        try:
            page.goto(url + "index.html")                               # waits for the load event
            page.wait_for_selector('.h4s-question[data-qid="n1"]', timeout=5_000)
            assert page.locator(".h4s-num-input").count() == 0         # no view: the type is unknown here
            assert page.locator('.h4s-question[data-qid="n1"] .h4s-body').inner_text().strip() == "numeric"
            assert errors == [], errors
        finally:
            context.close()


def _file_page(tmp_path, lazy_src: str) -> None:
    """A page as the book writes it: the chunk inline, the runtime as a file whose tag names its late part."""
    from h4s_widgets import Quiz
    from h4s_widgets._assets import static_lazy, static_runtime, type_chunks
    quiz = Quiz(QUIZ).static_html(include_runtime=False)
    (tmp_path / "quiz.js").write_text(static_runtime([]), encoding="utf-8")
    (tmp_path / "quiz-lazy.js").write_text(static_lazy(), encoding="utf-8")
    tags = (f'<script class="h4s-type">{type_chunks()["numeric"]}</script>'
            f'<script id="h4s-runtime" async src="quiz.js" data-h4s-lazy="{lazy_src}"></script>')
    (tmp_path / "index.html").write_text(_page(quiz, tags), encoding="utf-8")


def test_the_late_part_comes_from_its_file_when_the_page_is_idle(browser, tmp_path):
    """Grading is in the runtime's late part: the book's runtime tag names its file (data-h4s-lazy); the runtime
    loads it once the page is idle (so that a page kept offline has it in its cache) and a Check grades."""
    _file_page(tmp_path, "quiz-lazy.js")
    with serve_directory(tmp_path) as url:
        context, page, log, errors = open_page(browser)
        try:
            page.goto(url + "index.html")
            page.wait_for_selector(".h4s-records-download", timeout=10_000)   # the late part ran: slots filled
            assert any(u.endswith("/quiz-lazy.js") for u in page.evaluate(
                "performance.getEntriesByType('resource').map(e => e.name)"))
            page.fill(".h4s-num-input", "42")
            page.click(".h4s-check")
            page.locator(".h4s-feedback").get_by_text("Correct").wait_for(timeout=5_000)
            assert errors == [], errors
        finally:
            context.close()


def test_a_late_part_that_cannot_load_is_said_on_check(browser, tmp_path):
    """No late part (its file is gone): the quiz still shows, and a Check says that something went wrong
    instead of doing nothing."""
    _file_page(tmp_path, "gone.js")
    with serve_directory(tmp_path) as url:
        context, page, log, errors = open_page(browser)
        try:
            page.goto(url + "index.html")
            page.wait_for_selector(".h4s-num-input", timeout=10_000)
            page.fill(".h4s-num-input", "42")
            page.click(".h4s-check")
            page.get_by_text("Something went wrong. Please try again.").wait_for(timeout=5_000)
        finally:
            context.close()
