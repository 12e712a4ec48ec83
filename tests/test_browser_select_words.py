"""select_words in Chromium, by keyboard only: on a static page (graded in the page by the type's chunk) and in
the live widget's ES module (dist/widget.js, every type) on a page that plays anywidget's model with the
results Python's grader gives.  axe-core finds nothing; the selection is aria-pressed on buttons in a named
group, the verdict is words and an icon in the live region (never colour alone)."""
from __future__ import annotations

import json
import re

import pytest

from _browser import format_violations, open_page, run_axe, serve_directory, tab_to

pytestmark = pytest.mark.browser

QUESTION = {"type": "select_words", "id": "spot", "text": "Select the words that name a way to identify a person.",
            "passage": "The form asks for your [name], your [email address] and how many chairs the room needs.",
            "max_attempts": 3}
PAGE = ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Select the words</title></head>'
        '<body><main><h1>Select the words</h1>{body}</main></body></html>')


def _expect():
    from playwright.sync_api import expect
    return expect


def word(unit: int) -> str:
    return f'.h4s-question[data-qid="spot"] .h4s-word[data-unit="{unit}"]'


def toggle(page, unit: int, pressed: str) -> None:
    tab_to(page, word(unit))
    page.keyboard.press("Space")
    _expect()(page.locator(word(unit))).to_have_attribute("aria-pressed", pressed)


def check(page, expect_text: str) -> None:
    tab_to(page, '.h4s-question[data-qid="spot"] .h4s-check')
    page.keyboard.press("Enter")
    status = page.locator('.h4s-question[data-qid="spot"] .h4s-feedback[role="status"]')
    _expect()(status).to_contain_text(re.compile(expect_text))
    _expect()(status.locator(".h4s-icon")).to_have_count(1)     # an icon and words, not colour alone


def drive(page) -> None:
    group = page.locator('.h4s-select-words[role="group"]')
    assert group.get_attribute("aria-labelledby")
    names = page.evaluate("""() => document.querySelector('.h4s-select-words').getAttribute('aria-labelledby')
        .split(' ').map((id) => document.getElementById(id).textContent.trim()).join(' ')""")
    assert "identify a person" in names, names
    assert page.locator(".h4s-word").count() == 15
    assert run_axe(page) == [], format_violations(run_axe(page))
    check(page, "Please answer first")             # nothing selected: no attempt
    toggle(page, 5, "true")                         # "name"
    toggle(page, 11, "true")                        # "chairs": wrong
    check(page, "Not quite")
    toggle(page, 11, "false")
    toggle(page, 7, "true")                         # "email address"
    check(page, "Correct")
    assert run_axe(page) == [], format_violations(run_axe(page))


def test_select_words_static_page_by_keyboard(browser, tmp_path):
    from h4s_widgets import Quiz
    html = Quiz([QUESTION]).static_html()
    (tmp_path / "index.html").write_text(PAGE.format(body=html), encoding="utf-8")
    assert "/*! h4s type select_words" in html
    with serve_directory(tmp_path) as url:
        context, page, log, errors = open_page(browser)
        try:
            page.goto(url + "index.html")
            page.wait_for_selector(".h4s-word")
            drive(page)
            _expect()(page.locator(".h4s-attempts")).to_have_text("")      # solved: no counter
            log.assert_only_local()
            assert errors == [], errors
        finally:
            context.close()


# anywidget's side, played by the page: model.get/on/off/send; a check is answered with the result Python gives
LIVE_HOST = """<script type="module">
import widget from "./widget.js";
const results = %s;
const handlers = {};
let state = {};
const model = {
  get: (k) => ({ spec: %s, strings: {}, state })[k],
  on: (ev, fn) => { handlers[ev] = fn; },
  off: () => {},
  send(msg) {
    if (msg.action !== "check") return;
    const key = JSON.stringify([...msg.response].sort((a, b) => a - b));
    const result = results[key] || results["[]"];
    const counted = !result.feedback.includes("empty");
    const attempts = ((state.spot || {}).attempts || 0) + (counted ? 1 : 0);
    state = { ...state, spot: { attempts, result, messages: [], general: null } };
    setTimeout(() => handlers["change:state"](), 10);
  },
};
widget.render({ model, el: document.getElementById("w") });
</script>"""


def test_select_words_live_widget_by_keyboard(browser, tmp_path):
    from h4s_widgets import Quiz, grade
    from h4s_widgets._assets import widget_css, widget_esm
    w = Quiz([QUESTION])
    q = w.questions[0]
    # the key is the sorted selection as JSON.stringify writes it
    results = {json.dumps(r, separators=(",", ":")): grade(q, r).as_dict() for r in ([], [5], [5, 11], [5, 7])}
    (tmp_path / "widget.js").write_text(widget_esm(), encoding="utf-8")
    body = (f"<style>{widget_css()}</style><div id='w'></div>"
            + LIVE_HOST % (json.dumps(results), json.dumps(w.spec)))
    (tmp_path / "index.html").write_text(PAGE.format(body=body), encoding="utf-8")
    with serve_directory(tmp_path) as url:
        context, page, log, errors = open_page(browser)
        try:
            page.goto(url + "index.html")
            page.wait_for_selector(".h4s-word")
            drive(page)
            log.assert_only_local()
            assert errors == [], errors
        finally:
            context.close()
