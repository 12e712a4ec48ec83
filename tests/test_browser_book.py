"""The course in Chromium through `h4s serve`: home page -> module -> static quiz (keyboard) -> live
version -> live quiz graded in the kernel -> back to the book.  No request may leave 127.0.0.1, and
axe-core finds nothing on the home page and on a module page, static and live.

Screenshots go to tests/_artifacts/book-*.png and live-*.png.
"""
from __future__ import annotations

import re

import pytest

from _browser import WCAG_TAGS, RequestLog, format_violations, open_page, run_axe, screenshot, serve_book, tab_to
from h4s_kit.build import build
from test_build import MINI_IDS, make_project

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: every WCAG 2.0/2.1 A and AA rule and axe's best practices (region, landmarks, headings, ...)
AXE_TAGS = WCAG_TAGS + ("best-practice",)
MODULE = MINI_IDS[0]                 # 01-hello-oer: one single-choice question "oer-meaning", answer a
QID = "oer-meaning"


def expect():
    from playwright.sync_api import expect as _e
    return _e


def q(css: str = "") -> str:
    return f'.h4s-question[data-qid="{QID}"] {css}'.strip()


def assert_no_violations(page, where: str) -> None:
    v = run_axe(page, tags=AXE_TAGS)
    assert v == [], f"axe-core violations on {where}:\n{format_violations(v)}"


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    proj = make_project(tmp_path_factory.mktemp("browser"))
    res = build(root=proj, echo=lambda s: None)
    with serve_book(res.html_dir, proj) as srv:
        yield srv


def test_home_module_static_quiz_live_quiz_and_back(course, browser):
    context, page, log, errors = open_page(browser, width=1280)
    try:
        # ---- home page (/ redirects to book/index.html)
        page.goto(course.url)
        page.wait_for_url(re.compile(r"/book/index\.html$"))
        expect()(page.get_by_role("heading", level=1)).to_contain_text("Hack4Society")
        page.wait_for_load_state("networkidle")
        screenshot(page, "book-home", full_page=False)
        assert_no_violations(page, "the home page")

        # ---- to a module, through the sidebar
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Hello, open educational resources").click()
        page.wait_for_url(re.compile(rf"/modules/{MODULE}/module\.html$"))
        live_link = page.locator("a.h4s-live-link")
        expect()(live_link).to_have_attribute("href", f"/live/voila/render/{MODULE}/module.ipynb")
        assert page.locator('meta[name="h4s-live-url"]').get_attribute("content") == \
            f"/live/voila/render/{MODULE}/module.ipynb"
        page.wait_for_selector(q(), timeout=15_000)           # the static quiz has rendered
        # maths is MathML made at build time, drawn by the browser (no MathJax download): it has a size
        page.wait_for_function("() => { const m = document.querySelector('.math math');"
                               " return !!m && m.getBoundingClientRect().width > 10; }", timeout=15_000)
        page.wait_for_load_state("networkidle")
        assert page.locator("[data-h4s-static]").count() == 1
        screenshot(page, "book-module", full_page=True)
        assert_no_violations(page, "a module page (static)")

        # ---- static quiz with the keyboard: wrong first, then right
        tab_to(page, q('input[type="radio"]'))
        page.keyboard.press("ArrowDown")                     # b: Online Exam Registry (wrong)
        assert page.locator(q('input[value="b"]')).is_checked()
        tab_to(page, q(".h4s-check"))
        page.keyboard.press("Enter")
        expect()(page.locator(q('.h4s-feedback[role="status"]'))).to_contain_text(re.compile("Not quite|Incorrect|wrong", re.I))
        tab_to(page, q('input[type="radio"]:checked'))
        page.keyboard.press("ArrowUp")                       # a: Open Educational Resources
        tab_to(page, q(".h4s-check"))
        page.keyboard.press("Enter")
        expect()(page.locator(q('.h4s-feedback[role="status"]'))).to_contain_text("Correct")
        # under h4s serve the book's quiz carries no key: the server graded both answers
        data = page.locator("script.h4s-data").text_content()
        assert '"server":"/api/quiz"' in data and '"salt"' not in data
        assert len([u for u in log.urls if u.endswith("/api/quiz/check")]) == 2
        page.locator(q()).scroll_into_view_if_needed()
        screenshot(page, "book-module-quiz-answered", full_page=False)
        assert_no_violations(page, "a module page after answering")

        # ---- follow the link to the live version (keyboard)
        tab_to(page, "a.h4s-live-link")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(rf"/live/voila/render/{MODULE}/module\.ipynb$"))
        page.wait_for_selector(q(".h4s-check"), timeout=60_000)   # the live widget has rendered
        assert page.locator("[data-h4s-static]").count() == 0, "the live page must not carry the static key"
        back = page.locator("a.h4s-book-link")
        expect()(back).to_have_attribute("href", f"/modules/{MODULE}/module.html")
        page.wait_for_load_state("networkidle")
        screenshot(page, "live-module", full_page=True)
        assert_no_violations(page, "a module page (live)")

        # ---- live quiz: graded in the kernel (no key in the page), keyboard only
        graded = page.evaluate_handle("""() => {
            window.__h4sGraded = [];
            document.addEventListener('h4s:graded', e => window.__h4sGraded.push(e.detail));
            return true; }""")
        assert graded
        tab_to(page, q('input[type="radio"]'))
        page.keyboard.press("Space")                         # a, the right answer
        tab_to(page, q(".h4s-check"))
        page.keyboard.press("Enter")
        expect()(page.locator(q('.h4s-feedback[role="status"]'))).to_contain_text("Correct", timeout=30_000)
        events = page.wait_for_function("() => window.__h4sGraded.length > 0 && window.__h4sGraded", timeout=15_000)
        detail = events.json_value()[0]
        assert detail["module"] == MODULE and detail["question"]["id"] == QID
        assert detail["result"]["correct"] is True
        screenshot(page, "live-module-answered", full_page=False)
        assert_no_violations(page, "a live module page after answering")

        # ---- and back to the book
        tab_to(page, "a.h4s-book-link")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(rf"/modules/{MODULE}/module\.html$"))
        page.wait_for_load_state("networkidle")

        log.assert_only_local()
        assert any("/live/api/kernels/" in u for u in log.urls), "the live page never talked to its kernel"
        book_urls = [u for u in log.urls if "/live/" not in u]     # the live (Voila) page keeps its own icon font
        assert not any("/_static/h4s-vendor/mathjax/" in u or "fontawesome" in u for u in book_urls)
        assert errors == [], errors   # no script error at all, the theme's included (the thebe one was)
    finally:
        context.close()


def test_other_book_pages_pass_axe(course, browser):
    context = browser.new_context()
    log = RequestLog(context)
    page = context.new_page()
    try:
        for path in ("book/learners.html", "book/trainers.html", "book/reviewers.html", "book/security.html",
                     "book/glossary.html",
                     "book/licence-and-credits.html", "search.html"):
            page.goto(course.url + path)
            page.wait_for_load_state("networkidle")
            assert_no_violations(page, path)
        screenshot(page, "book-search", full_page=False)
        log.assert_only_local()
    finally:
        context.close()


def test_the_back_to_top_button_passes_axe_in_both_colour_modes(course, browser):
    """The theme's "Back to top" button shows when a learner scrolls back up a long page; its colours are the
    book's (the theme's white on orange is 2.5:1).  Below 1200 px wide: sphinx-book-theme hides it on wider
    screens."""
    context, page, log, errors = open_page(browser, width=1000, height=700)
    try:
        for mode in ("light", "dark"):
            page.close()
            page = context.new_page()
            page.goto(course.url + "book/trainers.html")
            page.wait_for_load_state("networkidle")
            page.evaluate(f"document.documentElement.dataset.theme = {mode!r}")
            height = page.evaluate("document.documentElement.scrollHeight")
            assert height > 3000, height          # a page long enough for the button
            for y in (2500, 2200, 1900):        # down, then up: the theme shows the button when one scrolls up
                page.evaluate(f"window.scrollTo(0, {y})")
                page.wait_for_function(f"window.scrollY === {y}")
                page.wait_for_timeout(300)
            button = page.locator("#pst-back-to-top")
            expect()(button).to_be_visible()
            page.wait_for_timeout(500)             # (its fade-in has ended)
            v = run_axe(page, context="#pst-back-to-top")
            assert v == [], f"{mode}: {format_violations(v)}"
        log.assert_only_local()
    finally:
        context.close()


def test_a_refused_or_failed_check_is_said_in_the_live_region(course, browser):
    """A 503/429 from the quiz API (queue full, no sandbox ...) and a lost connection are told to the learner in
    words, in the question's status region; the next answer that the server grades replaces the message."""
    context, page, log, errors = open_page(browser, width=1280)
    try:
        page.goto(course.url + f"modules/{MODULE}/module.html")
        page.wait_for_selector(q(".h4s-check"), timeout=15_000)
        status = page.locator(q('.h4s-feedback[role="status"]'))
        busy = "The server is busy: try again in 5 seconds."
        page.route("**/api/quiz/check", lambda route: route.fulfill(
            status=503, headers={"Retry-After": "5"}, content_type="application/json",
            body='{"error": "%s"}' % busy))
        page.locator(q('input[value="a"]')).check()
        page.locator(q(".h4s-check")).click()
        expect()(status).to_contain_text(busy)
        page.unroute("**/api/quiz/check")
        # no connection: the answer is kept on the device (outbox.js) and sent when the server answers again
        page.route("**/api/quiz/check", lambda route: route.abort("internetdisconnected"))
        page.locator(q(".h4s-check")).click()
        expect()(status).to_contain_text("Saved on this device; it will be checked when you are back online")
        page.unroute("**/api/quiz/check")
        expect()(status).to_contain_text("Correct", timeout=15_000)
        assert "Saved on this device" not in status.inner_text()
        assert errors == [], errors
    finally:
        context.close()
