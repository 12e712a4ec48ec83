"""The example notebook in Chromium, driven by keyboard only.

(a) executed with nbclient, exported to static HTML with nbconvert (the
    quizzes' text/html fallback, graded by grader.js in the page), served by
    http.server on 127.0.0.1;
(b) served by Voilà on 127.0.0.1 with H4S_LIVE=1 (graded in the kernel).

In both: every auto-graded type is answered wrong, then right, with Tab,
Space, Enter, arrows and typing; the feedback must appear in the question's
role="status" live region.  axe-core finds no WCAG 2.1 A/AA violation and no
request goes to a host other than 127.0.0.1/localhost.
"""
from __future__ import annotations

import os
import re
import time
from pathlib import Path

import nbformat
import pytest

from _browser import (ARTIFACTS, RequestLog, open_page, format_violations, run_axe, screenshot, serve_directory,
                      start_server_process, tab_to)

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "examples" / "all-question-types.ipynb"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
FAKE_LIVE_URL = "http://127.0.0.1:9/live/all-question-types"  # only linked, never loaded


def _expect():
    from playwright.sync_api import expect
    return expect


# ------------------------------------------------------------ page set-up

@pytest.fixture(scope="module")
def static_site(tmp_path_factory):
    """The example notebook, executed and exported as a static page; returns its folder."""
    from nbclient import NotebookClient
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    nb = nbformat.read(NOTEBOOK, as_version=4)
    saved = {k: os.environ.get(k) for k in ("H4S_LIVE", "H4S_RECORDS")}
    os.environ.pop("H4S_LIVE", None)
    os.environ["H4S_RECORDS"] = "off"
    try:
        NotebookClient(nb, timeout=120, kernel_name="python3",
                       resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    # like the book: no widget JS on a static page, the text/html fallback is what shows
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            out.get("data", {}).pop(WIDGET_VIEW, None)
    nb.metadata.pop("widgets", None)
    exporter = HTMLExporter(template_name="basic")
    exporter.register_preprocessor(TagRemovePreprocessor(remove_input_tags={"remove-input"}, enabled=True), True)
    body, _ = exporter.from_notebook_node(nb)
    assert body.count('class="h4s-quiz h4s-static"') == 3, "the three quizzes' static fallback is missing"
    assert "<script src=" not in body and "https://" not in re.sub(r"<script id=\"h4s-(?:runtime|lazy)\"[^>]*>.*?</script>", "",
                                                                    body, flags=re.S)
    page = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="h4s-live-url" content="{FAKE_LIVE_URL}">'
        "<title>All question types (static)</title>"
        "<style>body{margin:0;font-family:system-ui,sans-serif;color:#1c2433;background:#fff}"
        "main{max-width:56rem;margin:0 auto;padding:1rem 1.5rem 4rem}</style>"
        f'<link rel="icon" href="data:,"></head><body><main>{body}</main></body></html>'
    )
    site = tmp_path_factory.mktemp("static-site")
    (site / "index.html").write_text(page, encoding="utf-8")
    return site


def _open(browser, url: str, wait_for: str = ".h4s-question", timeout: float = 60_000):
    context, page, log, errors = open_page(browser)
    page.add_init_script("""
        window.__h4sEvents = [];
        document.addEventListener("h4s:graded", (e) => window.__h4sEvents.push(e.detail));
    """)
    page.goto(url, timeout=timeout)  # Voilà runs the notebook while the page loads: slow on a busy machine
    page.wait_for_selector(wait_for, timeout=timeout)
    return context, page, log, errors


# ------------------------------------------------------- keyboard steps

def q(qid: str, css: str = "") -> str:
    return f'.h4s-question[data-qid="{qid}"] {css}'.strip()


def status(page, qid: str):
    return page.locator(q(qid, '.h4s-feedback[role="status"]'))


def press_check(page, qid: str, expect_text: str, timeout: float = 15_000) -> None:
    tab_to(page, q(qid, ".h4s-check"))
    page.keyboard.press("Enter")
    _expect()(status(page, qid)).to_contain_text(re.compile(expect_text), timeout=timeout)


SHOT_PREFIX = {"value": ""}


def shot_question(page, qid: str, name: str) -> None:
    """A screenshot of one question card (to look at the feedback styles)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.locator(q(qid)).screenshot(path=str(ARTIFACTS / f"{SHOT_PREFIX['value']}{name}.png"))


def replace_text(page, selector: str, text: str) -> None:
    tab_to(page, selector)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def choose(page, selector: str, index: int) -> None:
    """Pick option ``index`` of a <select> with Home and ArrowDown (closed select, keyboard only)."""
    tab_to(page, selector)
    page.keyboard.press("Home")
    for _ in range(index):
        page.keyboard.press("ArrowDown")
    got = page.evaluate("(s) => document.querySelector(s).selectedIndex", selector)
    assert got == index, f"{selector}: keyboard selection gave option {got}, wanted {index}"


def option_index(page, selector: str, text: str) -> int:
    return page.evaluate("([s, t]) => Array.from(document.querySelector(s).options).findIndex(o => o.value === t)",
                         [selector, text])


def answer_single_choice(page):
    qid = "hand-rub-time"
    group = page.get_by_role("group", name=re.compile("how long should a hand rub .* Choose one answer"))
    _expect()(group.get_by_role("radio")).to_have_count(4)
    _expect()(page.locator(q(qid, "fieldset > legend"))).to_have_text("Choose one answer")
    _expect()(page.locator(q(qid, ".h4s-attempts"))).to_have_text("Attempt 1 of 3")
    tab_to(page, q(qid, 'input[type="radio"]'))      # into the group: first option
    page.keyboard.press("Space")                      # a: 5 to 10 seconds (wrong)
    press_check(page, qid, "Not quite")
    _expect()(page.locator(q(qid, ".h4s-attempts"))).to_have_text("Attempt 2 of 3")
    _expect()(status(page, qid)).to_contain_text("Too short")
    _expect()(status(page, qid)).to_contain_text("\u2717")
    tab_to(page, q(qid, 'input[type="radio"]:checked'))
    page.keyboard.press("ArrowDown")                  # b: 20 to 30 seconds
    press_check(page, qid, "Correct")
    _expect()(status(page, qid)).to_contain_text("\u2713")
    _expect()(page.locator(q(qid, ".h4s-attempts"))).to_have_text("")   # solved: no counter
    # hints one at a time, then the solution (offered after 1 attempt)
    tab_to(page, q(qid, ".h4s-hint-btn"))
    page.keyboard.press("Enter")
    _expect()(page.locator(q(qid, ".h4s-hint"))).to_have_count(1)
    _expect()(page.locator(q(qid, ".h4s-hint-btn"))).to_have_text("Next hint")
    page.keyboard.press("Enter")
    _expect()(page.locator(q(qid, ".h4s-hint"))).to_have_count(2)
    _expect()(page.locator(q(qid, ".h4s-hint-btn"))).to_be_hidden()
    tab_to(page, q(qid, ".h4s-sol-btn"))
    page.keyboard.press("Enter")
    _expect()(page.locator(q(qid, ".h4s-solution"))).to_contain_text("20 to 30 seconds")


def answer_multiple_response(page):
    qid = "five-moments"
    tab_to(page, q(qid, 'input[value="c"]'))
    page.keyboard.press("Space")
    press_check(page, qid, "Not quite")
    _expect()(status(page, qid)).to_contain_text("Not one of the five moments")
    for opt in ("c", "a", "b", "d"):                  # untick c, tick the three right ones
        tab_to(page, q(qid, f'input[value="{opt}"]'))
        page.keyboard.press("Space")
    press_check(page, qid, "Correct")


def answer_cloze(page):
    qid = "five-rights"
    replace_text(page, q(qid, 'input[aria-label="Gap 1"]'), "doctor")
    replace_text(page, q(qid, 'input[aria-label="Gap 2"]'), "Medication")
    press_check(page, qid, "Partly correct")
    _expect()(status(page, qid)).to_contain_text("Points: 0.5 / 1")
    _expect()(status(page, qid)).to_contain_text("Whose medicine is it?")
    _expect()(page.locator(q(qid, 'input[aria-label="Gap 1"]'))).to_have_attribute("aria-invalid", "true")
    shot_question(page, qid, "cloze-partly")
    replace_text(page, q(qid, 'input[aria-label="Gap 1"]'), " resident ")
    press_check(page, qid, "Correct")


def answer_essay(page):
    qid = "handover-reflection"
    replace_text(page, q(qid, "textarea"), "I said that Mr B. slept badly.")
    _expect()(page.locator(q(qid, ".h4s-count"))).to_have_text("Words: 7 (at least 25)")
    press_check(page, qid, r"Words: 7 \(at least 25\)")
    replace_text(page, q(qid, "textarea"),
                 "I told my colleague that Mr B. slept badly and ate little at breakfast. Next time I will also "
                 "name the changes since yesterday, his allergies and what to watch for during the night shift.")
    press_check(page, qid, "Saved")
    after = page.locator(q(qid, ".h4s-after"))
    _expect()(after).to_contain_text("Keywords you used")
    _expect()(after).to_contain_text("risks")          # the keyword still missing
    _expect()(after).to_contain_text("Mrs K.")         # the example answer


def answer_true_false(page):
    qid = "balsa"
    tab_to(page, q(qid, 'input[type="radio"]'))       # True
    page.keyboard.press("ArrowDown")                  # False (wrong)
    press_check(page, qid, "Not quite")
    _expect()(status(page, qid)).to_contain_text("Surprising but true")
    tab_to(page, q(qid, 'input[type="radio"]:checked'))
    page.keyboard.press("ArrowUp")                    # True
    press_check(page, qid, "Correct")
    _expect()(page.locator(q(qid, ".h4s-attempts"))).to_have_text("No attempts left")
    _expect()(page.locator(q(qid, ".h4s-check"))).to_have_attribute("aria-disabled", "true")


def answer_numeric(page):
    qid = "board-left"
    _expect()(page.locator(q(qid, "input"))).to_have_attribute("inputmode", "decimal")
    _expect()(page.get_by_role("textbox", name="Your answer").and_(page.locator(q(qid, "input")))).to_have_count(1)
    replace_text(page, q(qid, "input"), "forty")
    tab_to(page, q(qid, ".h4s-check"))
    page.keyboard.press("Enter")
    _expect()(status(page, qid)).to_contain_text("That is not a number")
    replace_text(page, q(qid, "input"), "45")
    press_check(page, qid, "Partly correct")
    _expect()(status(page, qid)).to_contain_text("did you remember the three saw cuts")
    _expect()(page.locator(q(qid, ".h4s-sol-btn"))).to_be_hidden()   # only after 2 attempts
    replace_text(page, q(qid, "input"), "44,1")
    press_check(page, qid, "Correct")
    _expect()(page.locator(q(qid, ".h4s-sol-btn"))).to_be_visible()


def answer_ordering(page):
    qid = "sanding-order"
    want = ["p80", "p120", "p180", "p240"]
    order = lambda: page.eval_on_selector_all(q(qid, ".h4s-order-item"), "els => els.map(e => e.dataset.id)")  # noqa: E731
    assert order() != want
    press_check(page, qid, "Not quite|Partly correct")
    for i, item in enumerate(want):
        j = order().index(item)
        if j > i:
            tab_to(page, q(qid, f'.h4s-order-item[data-id="{item}"] .h4s-up'))
            for _ in range(j - i):
                page.keyboard.press("Enter")          # focus stays on the moved item's button
    assert order() == want
    press_check(page, qid, "Correct")


def answer_parsons(page):
    """A Parsons problem: code lines put in order with "Move down"."""
    qid = "saw-cuts-parsons"
    want = ["start", "loop", "add", "show"]
    order = lambda: page.eval_on_selector_all(q(qid, ".h4s-order-item"), "els => els.map(e => e.dataset.id)")  # noqa: E731
    _expect()(page.locator(q(qid, "code.h4s-codeline"))).to_have_count(4)
    assert page.eval_on_selector(q(qid, '[data-id="add"] code'), "e => e.textContent") == "    total += piece + 3"
    press_check(page, qid, "Not quite|Partly correct")
    shot_question(page, qid, "parsons-wrong")
    for i in range(len(want) - 1, -1, -1):
        j = order().index(want[i])
        if j < i:
            tab_to(page, q(qid, f'.h4s-order-item[data-id="{want[i]}"] .h4s-down'))
            for _ in range(i - j):
                page.keyboard.press("Enter")
    assert order() == want
    press_check(page, qid, "Correct")


def answer_matching(page):
    qid = "tools"
    sels = [q(qid, f'.h4s-match-row:nth-child({n}) select') for n in (1, 2, 3)]
    wrong = option_index(page, sels[0], "Measures the moisture content of wood")
    for s in sels:
        choose(page, s, wrong)
    press_check(page, qid, "Not quite")
    _expect()(status(page, qid)).to_contain_text("fence that runs along the edge")
    _expect()(page.locator(q(qid, ".h4s-mark--bad"))).to_have_count(3)
    shot_question(page, qid, "matching-wrong")
    right = ["Checks that a surface is horizontal or vertical", "Checks and marks right angles",
             "Scribes a line parallel to an edge"]
    for s, text in zip(sels, right):
        choose(page, s, option_index(page, s, text))
    press_check(page, qid, "Correct")


def answer_code_live(page):
    qid = "cutting-list"
    press_check(page, qid, "Partly correct")          # the starter code passes 1 of 3 tests
    _expect()(status(page, qid)).to_contain_text("Test failed: three pieces of 650 mm need 1959 mm")
    _expect()(status(page, qid)).to_contain_text("expected 1959 mm")
    ta = q(qid, "textarea")
    replace_text(page, ta, "def board_needed(pieces_mm, kerf_mm=3):\n")
    page.keyboard.press("Tab")                        # Tab indents...
    assert page.evaluate("(s) => document.activeElement === document.querySelector(s)", ta)
    page.keyboard.type("return sum(pieces_mm) + kerf_mm * len(pieces_mm)\n")
    value = page.eval_on_selector(ta, "t => t.value")
    assert "\n    return sum(pieces_mm)" in value
    page.keyboard.press("Escape")                     # ...Esc then Tab leaves the editor
    page.keyboard.press("Tab")
    assert not page.evaluate("(s) => document.activeElement === document.querySelector(s)", ta)
    press_check(page, qid, "Correct")
    _expect()(status(page, qid).locator(".h4s-test--ok")).to_have_count(3)


def check_code_static(page):
    qid = "cutting-list"
    _expect()(page.locator(q(qid, ".h4s-check"))).to_have_count(0)
    _expect()(page.locator(q(qid, ".h4s-note"))).to_contain_text("This exercise needs Python")
    _expect()(page.locator(q(qid, "a.h4s-live-link"))).to_have_attribute("href", FAKE_LIVE_URL)
    _expect()(page.locator(q(qid, "textarea"))).to_have_value(re.compile("def board_needed"))
    tab_to(page, q(qid, ".h4s-sol-btn"))
    page.keyboard.press("Enter")
    _expect()(page.locator(q(qid, ".h4s-solution"))).to_contain_text("sum(pieces_mm) + kerf_mm * len(pieces_mm)")


def answer_short_text(page):
    qid = "spelling-r"
    replace_text(page, q(qid, "input"), "Robert")
    press_check(page, qid, "Not quite")
    replace_text(page, q(qid, "input"), "romeo")
    page.keyboard.press("Enter")                      # Enter in the text box checks too
    _expect()(status(page, qid)).to_contain_text("Correct")
    _expect()(page.locator(q(qid, ".h4s-mark--ok"))).to_have_count(1)
    page.keyboard.press("Tab")                        # leaving the box keeps the mark
    _expect()(page.locator(q(qid, ".h4s-mark--ok"))).to_have_count(1)


def answer_drag_words(page):
    qid = "registration"
    g1, g2 = q(qid, 'select[aria-label="Gap 1"]'), q(qid, 'select[aria-label="Gap 2"]')
    choose(page, g1, option_index(page, g1, "credit card"))
    choose(page, g2, option_index(page, g2, "booking confirmation"))
    press_check(page, qid, "Not quite")
    choose(page, g1, option_index(page, g1, "registration form"))
    choose(page, g2, option_index(page, g2, "identity document"))
    press_check(page, qid, "Correct")


def answer_flashcards(page):
    qid = "alphabet-cards"
    _expect()(page.locator(q(qid, ".h4s-card-count"))).to_have_text("Card 1 of 4")
    tab_to(page, q(qid, ".h4s-turn"))
    page.keyboard.press("Enter")
    _expect()(page.locator(q(qid, ".h4s-flashcard"))).to_contain_text("Alfa")
    tab_to(page, q(qid, ".h4s-known"))
    for _ in range(3):
        page.keyboard.press("Enter")                  # Known, Known, Known
    _expect()(page.locator(q(qid, ".h4s-card-count"))).to_have_text("Card 4 of 4")
    tab_to(page, q(qid, ".h4s-notyet"))
    page.keyboard.press("Enter")
    _expect()(status(page, qid)).to_contain_text("Saved", timeout=15_000)
    _expect()(page.locator(q(qid, ".h4s-flashcard"))).to_contain_text("Known: 3")


def answer_likert(page):
    qid = "front-desk-confidence"
    for n, steps in ((1, 2), (2, 2), (3, 3)):        # Quite, Quite, Very: mean 3.33
        tab_to(page, q(qid, f'.h4s-likert-row:nth-child({n}) input[type="radio"]'))
        page.keyboard.press("Space")
        for _ in range(steps):
            page.keyboard.press("ArrowRight")
    press_check(page, qid, "Saved")
    _expect()(status(page, qid)).to_contain_text("Confident")
    _expect()(status(page, qid)).to_contain_text("Your self-rating")


def drive_all(page, live: bool) -> None:
    SHOT_PREFIX["value"] = "live-" if live else "static-"
    answer_single_choice(page)
    # a live region speaks when it changes: checking another question must leave this one alone
    page.evaluate("""(sel) => { window.__h4sMut = 0;
        new MutationObserver((m) => { window.__h4sMut += m.length; })
            .observe(document.querySelector(sel), {childList: true, subtree: true, characterData: true}); }""",
                  q("hand-rub-time", ".h4s-feedback"))
    answer_multiple_response(page)
    assert page.evaluate("window.__h4sMut") == 0, "another question's live region was rewritten"
    answer_cloze(page)
    answer_essay(page)
    answer_true_false(page)
    answer_numeric(page)
    answer_ordering(page)
    answer_parsons(page)
    answer_matching(page)
    if live:
        answer_code_live(page)
    else:
        check_code_static(page)
    answer_short_text(page)
    answer_drag_words(page)
    answer_flashcards(page)
    answer_likert(page)


def check_quiz_footer(page, live: bool) -> None:
    quizzes = page.locator(".h4s-quiz")
    expect = _expect()
    expect(quizzes).to_have_count(3)
    expect(quizzes.nth(0).locator(".h4s-progress-text")).to_have_text("4 of 4 answered")
    expect(quizzes.nth(1).locator(".h4s-progress-text")).to_have_text("6 of 6 answered" if live else "5 of 6 answered")
    expect(quizzes.nth(2).locator(".h4s-progress-text")).to_have_text("4 of 4 answered")
    expect(quizzes.nth(0).locator(".h4s-score-text")).to_have_text("Score: 3 / 3")
    for i in range(3):
        expect(quizzes.nth(i).locator(".h4s-records-slot")).to_have_count(1)
    # the summary opens with the keyboard
    tab_to(page, '.h4s-quiz:has([data-qid="hand-rub-time"]) .h4s-summary > summary')
    page.keyboard.press("Enter")
    table = quizzes.nth(0).locator(".h4s-summary-table")
    expect(table).to_be_visible()
    expect(table.locator("tbody tr")).to_have_count(4)
    expect(table.locator("tbody tr").nth(0)).to_contain_text("Correct")
    expect(table.locator("tfoot")).to_contain_text("Passed")
    events = page.evaluate("window.__h4sEvents")
    graded = {e["question"]["id"] for e in events}
    assert {"hand-rub-time", "five-moments", "five-rights", "balsa", "board-left", "sanding-order",
            "saw-cuts-parsons", "tools",
            "spelling-r", "registration", "alphabet-cards", "front-desk-confidence",
            "handover-reflection"} <= graded
    assert ("cutting-list" in graded) == live
    last = events[-1]
    assert last["module"] == "examples" and last["learner"] and last["attempt"] >= 1
    assert last["result"]["max_score"] is not None and isinstance(last["timestamp"], (int, float))


def check_reset(page, live: bool = False) -> None:
    quiz = page.locator(".h4s-quiz").nth(2)
    tab_to(page, '.h4s-quiz:has([data-qid="spelling-r"]) .h4s-reset')
    page.keyboard.press("Enter")
    _expect()(quiz.locator(".h4s-progress-text")).to_have_text("0 of 4 answered")
    _expect()(quiz.locator('.h4s-feedback[role="status"]').first).to_be_empty()
    _expect()(page.locator(q("spelling-r", "input"))).to_have_value("")
    replace_text(page, q("spelling-r", "input"), "Robert")
    press_check(page, "spelling-r", "Not quite")
    if live:
        # live: the reset clears the page, not the attempts Python counted (two before the reset, so this
        # was the third and last of max_attempts 3): a page cannot give itself more attempts
        _expect()(page.locator(q("spelling-r", ".h4s-attempts"))).to_have_text("No attempts left")
        return
    # static: the grader's side (the page's own state) was reset too: attempts count from 1 again
    _expect()(page.locator(q("spelling-r", ".h4s-attempts"))).to_have_text("Attempt 2 of 3")
    # a double press spends one attempt, not two
    replace_text(page, q("spelling-r", "input"), "Rob")
    page.eval_on_selector(q("spelling-r", ".h4s-check"), "b => { b.click(); b.click(); }")
    _expect()(page.locator(q("spelling-r", ".h4s-attempts"))).to_have_text("Attempt 3 of 3")
    page.wait_for_timeout(300)
    _expect()(page.locator(q("spelling-r", ".h4s-attempts"))).to_have_text("Attempt 3 of 3")


def check_page(page, log: RequestLog, errors: list[str], name: str) -> None:
    violations = run_axe(page)
    screenshot(page, name)
    assert violations == [], format_violations(violations)
    log.assert_only_local()
    assert errors == [], errors


# ------------------------------------------------------------------ tests

def test_static_page_by_keyboard(browser, static_site):
    t0 = time.monotonic()
    with serve_directory(static_site) as url:
        context, page, log, errors = _open(browser, url + "index.html")
        try:
            first = run_axe(page)
            assert first == [], format_violations(first)
            drive_all(page, live=False)
            check_quiz_footer(page, live=False)
            check_page(page, log, errors, "static-all-question-types")
            check_reset(page)
        finally:
            context.close()
    assert time.monotonic() - t0 < 60


def test_static_page_mouse_drag_and_drop_reflow_and_idempotent_mount(browser, static_site):
    """Mouse users can drag words into gaps and reorder items; narrow screens; mounting twice changes nothing."""
    with serve_directory(static_site) as url:
        context, page, log, errors = _open(browser, url + "index.html")
        try:
            n = page.locator(".h4s-question").count()
            page.evaluate("() => { window.__h4sRuntime.scan(); window.__h4sRuntime.scan(); }")
            assert page.locator(".h4s-question").count() == n == 14
            qid = "registration"
            page.drag_and_drop(q(qid, '.h4s-chip:text-is("registration form")'), q(qid, ".h4s-drop >> nth=0"))
            page.drag_and_drop(q(qid, '.h4s-chip:text-is("identity document")'), q(qid, ".h4s-drop >> nth=1"))
            _expect()(page.locator(q(qid, 'select[aria-label="Gap 1"]'))).to_have_value("registration form")
            _expect()(page.locator(q(qid, 'select[aria-label="Gap 2"]'))).to_have_value("identity document")
            _expect()(page.locator(q(qid, ".h4s-chip--used"))).to_have_count(2)
            page.locator(q(qid, ".h4s-check")).click()
            _expect()(status(page, qid)).to_contain_text("Correct")
            qid = "sanding-order"
            items = q(qid, ".h4s-order-item")
            first = page.locator(items).nth(0).get_attribute("data-id")
            page.drag_and_drop(f"{items} >> nth=0", f"{items} >> nth=3", target_position={"x": 20, "y": 30})
            ids = page.eval_on_selector_all(items, "els => els.map(e => e.dataset.id)")
            assert ids[-1] == first, ids
            # reflow (WCAG 1.4.10): at 320 CSS px nothing in a quiz needs sideways scrolling
            page.set_viewport_size({"width": 320, "height": 800})
            wide = page.evaluate("""() => Array.from(document.querySelectorAll('.h4s-quiz, .h4s-quiz *'))
                .filter(e => e.getBoundingClientRect().right > 321 && e.getClientRects().length)
                .map(e => e.tagName + '.' + e.className)""")
            assert wide == [], wide[:10]
            narrow = run_axe(page)
            assert narrow == [], format_violations(narrow)
            screenshot(page, "static-320px")
            log.assert_only_local()
            assert errors == []
        finally:
            context.close()


def test_voila_page_by_keyboard(browser, free_port, tmp_path):
    from h4s_kit.live import prepare_template, voila_argv, voila_env

    port = free_port()
    data_dir = prepare_template(tmp_path / "jupyter-data")
    argv = voila_argv(NOTEBOOK, port, host="127.0.0.1", pool_size=0)
    env = voila_env(data_dir, records="off")
    assert env["H4S_LIVE"] == "1"
    with start_server_process(argv, port, env=env, cwd=NOTEBOOK.parent, timeout=60,
                              log_path=tmp_path / "voila.log"):
        url = f"http://127.0.0.1:{port}/live/"
        context, page, log, errors = _open(browser, url, timeout=120_000)
        try:
            # H4S_LIVE=1: no static fallback, so no key, reached the page
            assert page.locator("[data-h4s-static]").count() == 0
            assert "Romeo" not in page.content()
            first = run_axe(page)
            assert first == [], format_violations(first)
            drive_all(page, live=True)
            check_quiz_footer(page, live=True)
            check_page(page, log, errors, "voila-all-question-types")
            check_reset(page, live=True)
        finally:
            context.close()
