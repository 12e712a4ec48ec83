"""Issue 21: answers given offline on the served book reach the server exactly once when the connection is back.

The mini book through the in-process `h4s serve` (keys stripped: the server grades), records in SQLite.  A learner
keeps module 01 offline, the browser goes offline, the kept page opens and three answers are given; each says in
its live region that it is saved on the device (src/outbox.js keeps it with its answer_id).  Back online, the page
sends them in order; the reply to the first is lost after the server stored it (the route forwards the request,
then aborts), so the page sends it again: the server has exactly three records for the learner, none doubled,
graded by its own rules (attempts 1, 2, 3), and the page shows the server's feedback.
"""
from __future__ import annotations

import re
import sqlite3

import pytest

from _browser import free_port
from h4s_kit.build import build
from h4s_kit.serve import LiveServer
from test_build import MINI_IDS, make_project

pytestmark = [pytest.mark.browser, pytest.mark.slow]
MODULE = MINI_IDS[0]   # 01-hello-oer: one single-choice question "oer-meaning", answer a
SAVED = "Saved on this device; it will be checked when you are back online"


def q(css: str) -> str:
    return f'.h4s-question[data-qid="oer-meaning"] {css}'


def test_answers_given_offline_are_stored_once_when_back_online(tmp_path, browser, monkeypatch):
    from playwright.sync_api import expect
    proj = make_project(tmp_path / "proj")
    res = build(root=proj, echo=lambda s: None)
    data = tmp_path / "data"
    for k in ("H4S_RECORDS", "H4S_LRS_URL", "H4S_DATABASE_URL", "JUPYTERHUB_USER"):
        monkeypatch.delenv(k, raising=False)
    monkeypatch.setenv("H4S_DATA_DIR", str(data))
    srv = LiveServer(html_dir=res.html_dir, modules_dir=proj / "modules", port=free_port(), live_pages=False,
                     server_grading=True, identity_data_dir=data, log_file=tmp_path / "serve.log",
                     echo=lambda s: None).start()
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        url = f"{srv.url}modules/{MODULE}/module.html"
        page.goto(url)
        page.wait_for_selector(q(".h4s-check"))
        page.wait_for_load_state("networkidle")
        page.get_by_role("button", name="Keep this module offline").click()
        page.locator(".h4s-offline-status").filter(has_text=re.compile("Kept offline")).wait_for(timeout=30_000)

        context.set_offline(True)
        page.reload()
        page.wait_for_selector(q(".h4s-check"), timeout=15_000)
        status = page.locator(q('.h4s-feedback[role="status"]'))
        for choice in ("b", "b", "a"):
            page.locator(q(f'input[value="{choice}"]')).check()
            page.locator(q(".h4s-check")).click()
            expect(status).to_contain_text(SAVED)
            page.wait_for_timeout(50)
        kept = page.evaluate("() => JSON.parse(localStorage.getItem('h4s-outbox') || '[]')")
        assert [(k["body"]["qid"], k["body"]["response"]) for k in kept] == [("oer-meaning", r) for r in "bba"], kept
        ids = [k["body"]["answer_id"] for k in kept]
        assert len(set(ids)) == 3 and all(re.fullmatch(r"[0-9a-f-]{36}", i) for i in ids), ids
        with sqlite3.connect(data / "records.sqlite") as db:
            assert db.execute("SELECT count(*) FROM records").fetchone() == (0,)

        # the first upload reaches the server, but its reply is lost on the way back
        lost: list[str] = []

        def lose_first_reply(route):
            if not lost:
                route.fetch()                    # the server grades and stores it ...
                lost.append(route.request.post_data or "")
                route.abort("connectionreset")  # ... and the page never hears of it
            else:
                route.continue_()
        page.route("**/api/quiz/check", lose_first_reply)
        sent: list[str] = []
        page.on("request", lambda r: sent.append(r.post_data or "") if r.url.endswith("/api/quiz/check") else None)
        context.set_offline(False)
        expect(status).to_contain_text("Correct", timeout=30_000)
        page.wait_for_function("() => (localStorage.getItem('h4s-outbox') || '[]') === '[]'", timeout=30_000)
        assert lost and ids[0] in lost[0]
        assert sum(ids[0] in s for s in sent) >= 2, "the answer whose reply was lost was not sent again"
        assert "Saved on this device" not in status.inner_text()

        with sqlite3.connect(data / "records.sqlite") as db:
            rows = db.execute("SELECT learner, question, response, attempt, success, uuid FROM records "
                              "ORDER BY attempt").fetchall()
        assert [(r[1], r[2], r[3], r[4]) for r in rows] == [
            ("oer-meaning", '"b"', 1, 0), ("oer-meaning", '"b"', 2, 0), ("oer-meaning", '"a"', 3, 1)], rows
        assert len({r[0] for r in rows}) == 1 and len({r[5] for r in rows}) == 3
        assert errors == [], errors
    finally:
        context.close()
        srv.stop()
