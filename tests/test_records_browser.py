"""Learner records in Chromium, keyboard only.

* live: `h4s serve` (in process) serves tests/fixtures/records/records-demo.ipynb as a live page with
  H4S_DATA_DIR=tmp and H4S_LRS_URL pointing at a Ralph LRS started here; three answers give three records
  under the server's pseudonymous id and three matching statements in Ralph (sent by the server process:
  kernels get no LRS credentials); Ralph stops, a fourth answer waits in the
  queue, Ralph comes back and the statement arrives exactly once without anybody flushing by hand;
* static: the same questions as a static page; records.js keeps the progress in localStorage and
  "Download my results" saves a file that `h4s records import` loads (twice: nothing doubles).
"""
from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

import pytest

from _browser import format_violations, open_page, run_axe, screenshot, serve_directory, tab_to
from _ralph import RalphServer
from h4s_kit.cli import main

pytestmark = pytest.mark.browser

FIXTURE = Path(__file__).parent / "fixtures" / "records"
NOTEBOOK = FIXTURE / "records-demo.ipynb"
MODULE = "records-demo"


def _expect():
    from playwright.sync_api import expect
    return expect


def q(qid: str, css: str = "") -> str:
    return f'.h4s-question[data-qid="{qid}"] {css}'.strip()


def answer(page, qid: str, value: str, verdict: str) -> None:
    """Pick an option with the keyboard and press Check; wait for the verdict in the live region."""
    radios = page.locator(q(qid, 'input[type="radio"]'))
    idx = [radios.nth(i).get_attribute("value") for i in range(radios.count())].index(value)
    tab_to(page, q(qid, 'input[type="radio"]'))     # Tab enters the group on its first option
    page.keyboard.press("Space")
    for _ in range(idx):
        page.keyboard.press("ArrowDown")              # arrows move and select within a radio group
    assert page.locator(q(qid, f'input[value="{value}"]')).is_checked()
    tab_to(page, q(qid, ".h4s-check"))
    page.keyboard.press("Enter")
    _expect()(page.locator(q(qid, '.h4s-feedback[role="status"]'))).to_contain_text(verdict, timeout=20_000)


def _wait(pred, timeout: float = 20.0, step: float = 0.2):
    end = time.time() + timeout
    while time.time() < end:
        v = pred()
        if v:
            return v
        time.sleep(step)
    return pred()


def _rows(db: Path, sql: str, args=()) -> list:
    if not db.exists():
        return []
    con = sqlite3.connect(db, timeout=10)
    try:
        return con.execute(sql, args).fetchall()
    except sqlite3.OperationalError:  # schema not there yet
        return []
    finally:
        con.close()


# --------------------------------------------------------------------- live

def test_live_answers_reach_ralph_exactly_once(browser, free_port, tmp_path, monkeypatch):
    """The live page through `h4s serve` (in process): its kernel stores the records and queues their xAPI
    statements without the LRS credentials (kernels get no secrets, H4S_LRS_SENDER=off); the server process,
    which has them, sends each statement to Ralph once, also after Ralph was down."""
    import shutil

    from h4s_kit.serve import LiveServer
    data = tmp_path / "h4s-data"
    db = data / "records.sqlite"
    modules = tmp_path / "modules"
    shutil.copytree(FIXTURE, modules / MODULE)
    (modules / MODULE / NOTEBOOK.name).rename(modules / MODULE / "module.ipynb")
    html = tmp_path / "html"
    html.mkdir()
    (html / "index.html").write_text("<!doctype html><title>book</title>")   # only the live page is used here
    ralph = RalphServer(tmp_path / "lrs").start()
    try:
        for k in ("H4S_RECORDS", "JUPYTERHUB_USER", "H4S_DATABASE_URL", "H4S_LRS_AUTH"):
            monkeypatch.delenv(k, raising=False)
        for k, v in {"H4S_DATA_DIR": str(data), "H4S_LRS_URL": ralph.url, "H4S_LRS_USER": ralph.user,
                     "H4S_LRS_PASSWORD": ralph.password, "H4S_LRS_RETRY_SECONDS": "1", "H4S_LRS_RETRY_MAX": "2",
                     "H4S_LRS_TIMEOUT": "3"}.items():
            monkeypatch.setenv(k, v)
        srv = LiveServer(html_dir=html, modules_dir=modules, port=free_port(), data_dir=tmp_path / "voila-data",
                         log_file=tmp_path / "serve.log", echo=lambda s: None).start()
        try:
            context, page, log, errors = open_page(browser)
            try:
                page.goto(f"{srv.url}live/voila/render/{MODULE}/module.ipynb")
                page.wait_for_selector(q("rec-goggles"), timeout=90_000)
                answer(page, "rec-goggles", "a", "Correct")
                answer(page, "rec-lifting", "false", "Not quite")
                answer(page, "rec-exits", "b", "Correct")
                learner = next(c["value"].split(".")[0] for c in context.cookies() if c["name"] == "h4s_learner")

                rows = _wait(lambda: (lambda r: r if len(r) == 3 else None)(
                    _rows(db, "SELECT uuid, learner, question, response, success FROM records ORDER BY ts")))
                assert rows, f"three records expected, got {_rows(db, 'SELECT question FROM records')}"
                assert [r[2] for r in rows] == ["rec-goggles", "rec-lifting", "rec-exits"]
                assert {r[1] for r in rows} == {learner}, "records must carry the server's pseudonymous id"
                assert [json.loads(r[3]) for r in rows] == ["a", False, "b"]
                assert [r[4] for r in rows] == [1, 0, 1]

                got = _wait(lambda: (lambda s: s if len(s) == 3 else None)(ralph.statements()))
                assert got, "Ralph did not receive the three statements"
                assert {s["id"] for s in got} == {r[0] for r in rows}
                for s in got:
                    assert s["actor"]["account"]["name"] == learner and "mbox" not in s["actor"]
                    assert s["verb"]["id"] == "http://adlnet.gov/expapi/verbs/answered"
                    assert s["context"]["contextActivities"]["parent"][0]["id"].endswith("/modules/" + MODULE)

                # the LRS goes down; the next answer is stored and waits in the queue
                ralph.stop()
                answer(page, "rec-report", "b", "Correct")
                fourth = _wait(lambda: _rows(db, "SELECT uuid FROM records WHERE question='rec-report'"))
                assert fourth, "the fourth record was not stored"
                fourth_id = fourth[0][0]
                assert _wait(lambda: _rows(db, "SELECT tries FROM xapi_queue WHERE statement_id=? AND "
                                               "status='pending' AND tries >= 1", (fourth_id,))), \
                    "the statement should wait in the queue while Ralph is down"

                # Ralph comes back on the same port: the server process's retry timer delivers it, once
                ralph.start()
                got = _wait(lambda: (lambda s: s if len(s) == 4 else None)(ralph.statements()), timeout=30)
                assert got, "the queued statement did not arrive after Ralph came back"
                ids = [s["id"] for s in got]
                assert ids.count(fourth_id) == 1 and len(set(ids)) == 4
                assert _wait(lambda: _rows(db, "SELECT count(*) FROM xapi_queue WHERE status='sent'") == [(4,)])
                time.sleep(2.5)  # a few more retry periods: still exactly four
                assert len(ralph.statements()) == 4
                log.assert_only_local()
                assert errors == [], errors
            finally:
                context.close()
        finally:
            srv.stop()
    finally:
        ralph.stop()


# ------------------------------------------------------------------- static

@pytest.fixture()
def static_page(tmp_path, monkeypatch):
    monkeypatch.delenv("H4S_LIVE", raising=False)
    monkeypatch.setenv("H4S_RECORDS", "off")
    from h4s_widgets._widget import Quiz, _reset_runtime_flag
    _reset_runtime_flag()
    quiz = Quiz(str(FIXTURE / "questions" / "practice.yml"), title="Safety check", module=MODULE)
    html = ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Records demo (static)</title>'
            '<link rel="icon" href="data:,"></head><body><main><h1>Records demo</h1>'
            f'{quiz.static_html()}</main></body></html>')
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text(html, encoding="utf-8")
    return site


def test_static_progress_download_and_import(browser, static_page, tmp_path, monkeypatch):
    monkeypatch.setenv("H4S_DATA_DIR", str(tmp_path / "import-data"))
    monkeypatch.delenv("H4S_LRS_URL", raising=False)
    with serve_directory(static_page) as url:
        context, page, log, errors = open_page(browser, accept_downloads=True)
        try:
            page.goto(url + "index.html")
            page.wait_for_selector(q("rec-goggles"))
            btn = page.locator(".h4s-records-slot .h4s-records-download")
            _expect()(btn).to_have_count(1)
            _expect()(btn).to_be_disabled()
            _expect()(btn).to_have_text("Download my results")
            answer(page, "rec-goggles", "a", "Correct")
            answer(page, "rec-exits", "a", "Not quite")
            _expect()(btn).to_be_enabled()
            note = page.locator(".h4s-records-slot .h4s-records-note")
            _expect()(note).to_contain_text("2 questions answered, 1 right")
            assert btn.get_attribute("aria-describedby") == note.get_attribute("id")
            progress = page.evaluate("() => JSON.parse(localStorage.getItem('h4s-progress'))")
            assert set(progress[MODULE]) == {"rec-goggles", "rec-exits"}
            assert progress[MODULE]["rec-goggles"]["correct"] is True
            assert progress[MODULE]["rec-exits"]["correct"] is False
            learner = page.evaluate("() => localStorage.getItem('h4s-learner')")
            violations = run_axe(page, context=".h4s-records-slot")
            assert violations == [], format_violations(violations)

            tab_to(page, ".h4s-records-download")        # reachable by keyboard
            with page.expect_download() as dl:
                page.keyboard.press("Enter")
            saved = tmp_path / "my-results.json"
            dl.value.save_as(saved)
            assert dl.value.suggested_filename.startswith("h4s-results-")
            screenshot(page, "records-static-slot")

            # a reload keeps the progress and the button, and reads only the progress: the statements
            # (up to 2000, megabytes for a busy learner) are read when they are downloaded
            page.add_init_script("(() => { const get = Storage.prototype.getItem; window.__reads = [];"
                                 " Storage.prototype.getItem = function (k) { window.__reads.push(k);"
                                 " return get.call(this, k); }; })()")
            page.reload()
            page.wait_for_selector(q("rec-goggles"))
            _expect()(page.locator(".h4s-records-download")).to_be_enabled()
            _expect()(page.locator(".h4s-records-note")).to_contain_text("2 questions answered")
            reads = page.evaluate("window.__reads")
            assert "h4s-progress" in reads and "h4s-records" not in reads, reads
            log.assert_only_local()
            assert errors == [], errors
        finally:
            context.close()

    doc = json.loads(saved.read_text())
    assert doc["format"] == "h4s-results" and len(doc["statements"]) == 2
    assert main(["records", "import", str(saved)]) == 0
    assert main(["records", "import", str(saved)]) == 0   # idempotent
    from h4s_kit.records.store import RecordStore
    with RecordStore() as s:
        recs = s.records()
    assert [(r["question"], r["response"], r["success"]) for r in recs] == [("rec-goggles", "a", True),
                                                                           ("rec-exits", "a", False)]
    assert {r["learner"] for r in recs} == {learner} and {r["module"] for r in recs} == {MODULE}
    assert {r["uuid"] for r in recs} == {st["id"] for st in doc["statements"]}
