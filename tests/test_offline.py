"""Issue 21, offline part: a learner keeps a module on the device and opens it without a connection.

The mini book is served as `h4s serve` serves it (tests/_pageweight.book_server).  A module page offers
"Keep this module offline" (h4s-book.js): the page and every file it loaded go into the Cache API and the
book's service worker (sw.js, registered only then) answers from there when the network fails.  Offline,
the kept page opens styled with its quiz rendered and its maths; a page that was not kept shows
offline.html, which links the kept module; the list of kept modules shows the size and removes them, and
removing the last one unregisters the service worker.  Also: the manifest that makes the book installable.
"""
from __future__ import annotations

import json
import re

import pytest

from _browser import RequestLog, format_violations, run_axe, screenshot
from _pageweight import book_server
from h4s_kit.build import build
from test_build import MINI_IDS, make_project

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    proj = make_project(tmp_path_factory.mktemp("offline"))
    res = build(root=proj, echo=lambda s: None)
    return proj, res.html_dir


def test_manifest_and_offline_files(book):
    _, html = book
    manifest = json.loads((html / "manifest.webmanifest").read_text())
    assert manifest["start_url"] == "./" and manifest["display"] == "standalone"
    assert all((html / i["src"]).is_file() for i in manifest["icons"])
    assert (html / "sw.js").is_file() and (html / "offline.html").is_file()
    page = (html / "modules" / MINI_IDS[0] / "module.html").read_text()
    assert '<link rel="manifest" href="../../manifest.webmanifest" />' in page
    assert re.search(r'<aside class="h4s-offline" aria-label="Offline" data-h4s-module="01-hello-oer" '
                     r'data-h4s-words="\{[^"]*&quot;keep&quot;: &quot;Keep this module offline&quot;[^"]*\}" hidden>', page)
    assert "serviceWorker.register" not in page   # nothing is registered until a learner keeps a module


def test_keep_a_module_and_open_it_offline(book, browser):
    proj, html = book
    with book_server(html, proj / "modules") as base:
        context = browser.new_context(viewport={"width": 390, "height": 844})
        log = RequestLog(context)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        try:
            url = f"{base}modules/{MINI_IDS[0]}/module.html"
            page.goto(url)
            page.wait_for_selector(".h4s-question")
            page.wait_for_load_state("networkidle")
            assert page.evaluate("() => navigator.serviceWorker.controller") is None
            keep = page.get_by_role("button", name="Keep this module offline")
            keep.wait_for(state="visible", timeout=15_000)   # shown once the book's script has run
            keep.click()
            status = page.locator(".h4s-offline-status")
            status.filter(has_text=re.compile(r"Kept offline on this device \(\d+(\.\d)? KB\)")).wait_for(timeout=30_000)
            page.locator("details.h4s-kept summary").click()
            kept_list = page.locator(".h4s-kept-list")
            kept_list.filter(has_text="Hello, open educational resources").wait_for(timeout=15_000)
            assert re.search(r"\(\d+(\.\d)? KB\)", kept_list.inner_text())
            v = run_axe(page, context="aside.h4s-offline")
            assert v == [], format_violations(v)

            context.set_offline(True)
            page.reload()
            page.wait_for_selector(".h4s-question", timeout=15_000)   # the quiz runtime came from the cache
            # and its late part (grading, records: loaded when the page was idle), which fills the records slot
            page.locator(".h4s-records-download").first.wait_for(timeout=15_000)
            styled = page.evaluate("""() => getComputedStyle(document.querySelector('.h4s-quiz')).maxWidth !== 'none'
                && getComputedStyle(document.querySelector('.bd-sidebar-primary')).display !== 'inline'""")
            assert styled, "the kept page lost its stylesheet offline"
            assert page.locator(".math math").count() >= 1
            screenshot(page, "offline-kept-module", full_page=False)
            # a page that was not kept: the offline page, which links the kept module
            page.goto(f"{base}modules/{MINI_IDS[1]}/module.html")
            page.get_by_role("heading", name="You are offline").wait_for(timeout=15_000)
            link = page.get_by_role("link", name="Hello, open educational resources")
            link.wait_for(timeout=15_000)
            link.click()
            page.wait_for_selector(".h4s-question", timeout=15_000)

            # back online: remove it; the list is empty and the service worker is gone
            context.set_offline(False)
            page.goto(url)
            page.wait_for_load_state("networkidle")
            page.locator("details.h4s-kept summary").click()
            page.get_by_role("button", name="Remove Hello, open educational resources from this device").click()
            page.locator(".h4s-kept-list").filter(has_text="None yet.").wait_for(timeout=15_000)
            page.wait_for_function("""async () => !(await navigator.serviceWorker.getRegistration())
                && !(await caches.keys()).some(n => n.startsWith('h4s-module-'))""", timeout=15_000)
            log.assert_only_local()
            assert errors == [], errors
        finally:
            context.close()
