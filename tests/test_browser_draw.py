"""A question pool (`draw: n`) on a static page in Chromium: the quiz shows n questions drawn in the browser,
a reload shows the same set (localStorage), Reset draws a new set, the score is out of the n drawn; by
keyboard only, axe-core finds nothing."""
from __future__ import annotations

import re

import pytest
import yaml

from _browser import format_violations, open_page, run_axe, serve_directory, tab_to

pytestmark = pytest.mark.browser

POOL = [f"p{i}" for i in range(1, 9)]
BANK = {"schema_version": 1, "title": "Closing quiz", "pass_mark": 0.5, "draw": 3, "questions": [
    {"id": i, "type": "true_false", "text": f"Statement {i} is true.", "answer": True,
     "feedback_true": "Right.", "feedback_false": "It is true."} for i in POOL]}
PAGE = ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Closing quiz</title></head>'
        '<body><main><h1>Closing quiz</h1>{body}</main></body></html>')


def _expect():
    from playwright.sync_api import expect
    return expect


def shown(page) -> list[str]:
    return page.eval_on_selector_all(".h4s-question", "els => els.map((e) => e.dataset.qid)")


def answer_true(page, qid: str) -> None:
    card = f'.h4s-question[data-qid="{qid}"]'
    tab_to(page, f'{card} input[type="radio"]')
    page.keyboard.press("Space")                       # the group's first radio: True
    _expect()(page.locator(f'{card} input[value="true"]')).to_be_checked()
    tab_to(page, f"{card} .h4s-check")
    page.keyboard.press("Enter")
    _expect()(page.locator(f'{card} .h4s-feedback[role="status"]')).to_contain_text(re.compile("Correct"))


def test_static_page_draws_keeps_and_redraws(browser, tmp_path):
    from h4s_widgets import Quiz
    (tmp_path / "closing-quiz.yml").write_text(yaml.safe_dump(BANK), encoding="utf-8")
    html = Quiz(str(tmp_path / "closing-quiz.yml"), module="01-demo").static_html()
    (tmp_path / "index.html").write_text(PAGE.format(body=html), encoding="utf-8")
    with serve_directory(tmp_path) as url:
        context, page, log, errors = open_page(browser)
        try:
            page.goto(url + "index.html")
            page.wait_for_selector(".h4s-question")
            first = shown(page)
            assert len(first) == 3 and set(first) <= set(POOL) and first == [i for i in POOL if i in first]
            _expect()(page.locator(".h4s-progress-text")).to_have_text("0 of 3 answered")
            assert run_axe(page) == [], format_violations(run_axe(page))
            stored = page.evaluate("() => JSON.parse(localStorage.getItem('h4s-draw:01-demo:closing-quiz'))")
            assert stored["attempt"] == 1 and stored["ids"] == first and re.fullmatch(r"[0-9a-f]{16}", stored["seed"])

            page.reload()
            page.wait_for_selector(".h4s-question")
            assert shown(page) == first, "a reload shows the same set"

            for qid in first:
                answer_true(page, qid)
            _expect()(page.locator(".h4s-progress-text")).to_have_text("3 of 3 answered")
            _expect()(page.locator(".h4s-score-text")).to_have_text("Score: 3 / 3")   # out of the 3 drawn
            page.locator(".h4s-summary > summary").focus()
            page.keyboard.press("Enter")
            _expect()(page.locator(".h4s-summary-table tbody tr")).to_have_count(3)
            _expect()(page.locator(".h4s-summary-table tfoot")).to_contain_text("Passed")
            assert run_axe(page) == [], format_violations(run_axe(page))

            sets = []
            for k in range(2, 7):                    # Reset, by keyboard, draws a new set (attempt k)
                tab_to(page, ".h4s-reset")
                page.keyboard.press("Enter")
                _expect()(page.locator(".h4s-progress-text")).to_have_text("0 of 3 answered")
                page.wait_for_function(f"() => JSON.parse(localStorage.getItem('h4s-draw:01-demo:closing-quiz'))"
                                       f".attempt === {k}")
                now = shown(page)
                assert len(now) == 3 and set(now) <= set(POOL)
                sets.append(now)
            assert any(s != first for s in sets), sets
            _expect()(page.locator(".h4s-score-text")).to_have_text("Score: 0 / 3")
            page.reload()
            page.wait_for_selector(".h4s-question")
            assert shown(page) == sets[-1]
            assert run_axe(page) == [], format_violations(run_axe(page))
            log.assert_only_local()
            assert errors == [], errors
        finally:
            context.close()


def test_served_page_gets_its_draw_from_the_server(browser, tmp_path, monkeypatch):
    """Under h4s serve the page holds no key and no seed: the server's draw is shown, kept on reload, renewed
    by Reset; an answer outside it, sent by the page's own script, is refused."""
    from h4s_kit.serve import LiveServer, free_port
    from h4s_widgets import Quiz
    monkeypatch.setenv("H4S_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("H4S_RECORDS", raising=False)
    monkeypatch.delenv("H4S_LIVE", raising=False)
    qdir = tmp_path / "modules" / "01-demo" / "questions"
    qdir.mkdir(parents=True)
    (qdir / "closing-quiz.yml").write_text(yaml.safe_dump(BANK), encoding="utf-8")
    html = tmp_path / "html"
    html.mkdir()
    (html / "index.html").write_text("<p>book</p>", encoding="utf-8")
    (html / "quiz.html").write_text(PAGE.format(body=Quiz(str(qdir / "closing-quiz.yml"), module="01-demo")
                                                .static_html()), encoding="utf-8")
    srv = LiveServer(html_dir=html, modules_dir=tmp_path / "modules", port=free_port(), live_pages=False,
                     echo=lambda s: None).start()
    ask = """async ([path, body]) => { const r = await fetch(path, {method: "POST",
               headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)});
               return [r.status, await r.json()]; }"""
    try:
        context, page, log, errors = open_page(browser)
        try:
            page.goto(srv.url + "quiz.html")
            page.wait_for_selector(".h4s-question")
            data = page.evaluate("() => JSON.parse(document.querySelector('script.h4s-data').textContent)")
            assert data["server"] and data["static"] == [{}] * len(POOL)    # no key reached the page
            first = shown(page)
            status, mine = page.evaluate(ask, ["api/quiz/draw", {"module": "01-demo", "bank": "closing-quiz"}])
            assert status == 200 and mine["ids"] == first and mine["attempt"] == 1
            page.reload()
            page.wait_for_selector(".h4s-question")
            assert shown(page) == first
            answer_true(page, first[0])                      # graded by the server
            _expect()(page.locator(".h4s-score-text")).to_have_text("Score: 1 / 3")
            outside = next(i for i in POOL if i not in first)
            status, out = page.evaluate(ask, ["api/quiz/check", {"module": "01-demo", "qid": outside,
                                                                 "response": True, "seed": "mine"}])
            assert status == 403 and outside in out["error"]
            assert run_axe(page) == [], format_violations(run_axe(page))
            tab_to(page, ".h4s-reset")
            page.keyboard.press("Enter")
            _expect()(page.locator(".h4s-progress-text")).to_have_text("0 of 3 answered")
            status, now = page.evaluate(ask, ["api/quiz/draw", {"module": "01-demo", "bank": "closing-quiz"}])
            assert now["attempt"] == 2
            page.wait_for_function("(ids) => [...document.querySelectorAll('.h4s-question')]"
                                   ".map((e) => e.dataset.qid).join() === ids.join()", arg=now["ids"])
            assert errors == [], errors
            # the server cannot be reached for the draw: the page still shows a set of 3 (its own draw)
            page.route("**/api/quiz/draw", lambda route: route.abort())
            page.reload()
            _expect()(page.locator(".h4s-question")).to_have_count(3)
            _expect()(page.locator(".h4s-progress-text")).to_have_text("0 of 3 answered")
            page.unroute("**/api/quiz/draw")
            log.assert_only_local()
        finally:
            context.close()
    finally:
        srv.stop()


# anywidget's side, played by the page: the kernel (here: Python's Quiz, its drawn sets precomputed) draws
LIVE_HOST = """<script type="module">
import widget from "./widget.js";
const draws = %s;
const handlers = {};
let drawn = draws[0];
const model = {
  get: (k) => ({ spec: %s, strings: {}, state: {}, drawn })[k],
  on: (ev, fn) => { (handlers[ev] = handlers[ev] || []).push(fn); },
  off: (ev, fn) => { handlers[ev] = (handlers[ev] || []).filter((f) => f !== fn); },
  send(msg) {
    window.sent = (window.sent || []).concat([msg.action]);
    if (msg.action !== "reset") return;
    drawn = draws[drawn.attempt];
    setTimeout(() => (handlers["change:drawn"] || []).forEach((f) => f()), 10);
  },
};
widget.render({ model, el: document.getElementById("w") });
</script>"""


def test_live_widget_shows_the_kernels_draw(browser, tmp_path, monkeypatch):
    import json

    from h4s_widgets import Quiz
    from h4s_widgets._assets import widget_css, widget_esm
    monkeypatch.setenv("H4S_RECORDS", "off")
    (tmp_path / "closing-quiz.yml").write_text(yaml.safe_dump(BANK), encoding="utf-8")
    w = Quiz(str(tmp_path / "closing-quiz.yml"), module="01-demo")
    draws = [dict(w.drawn)]
    w.reset()
    draws.append(dict(w.drawn))
    (tmp_path / "widget.js").write_text(widget_esm(), encoding="utf-8")
    body = f"<style>{widget_css()}</style><div id='w'></div>" + LIVE_HOST % (json.dumps(draws), json.dumps(w.spec))
    (tmp_path / "index.html").write_text(PAGE.format(body=body), encoding="utf-8")
    with serve_directory(tmp_path) as url:
        context, page, log, errors = open_page(browser)
        try:
            page.goto(url + "index.html")
            page.wait_for_selector(".h4s-question")
            assert shown(page) == draws[0]["ids"]
            assert page.evaluate("() => localStorage.length") == 0        # the browser drew nothing
            assert run_axe(page) == [], format_violations(run_axe(page))
            tab_to(page, ".h4s-reset")
            page.keyboard.press("Enter")
            page.wait_for_function("(ids) => [...document.querySelectorAll('.h4s-question')]"
                                   ".map((e) => e.dataset.qid).join() === ids.join()", arg=draws[1]["ids"])
            assert page.evaluate("() => window.sent") == ["reset"]
            log.assert_only_local()
            assert errors == [], errors
        finally:
            context.close()
