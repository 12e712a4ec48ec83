"""The book per language (issue 15): `h4s build` writes _build/html/LL beside the English book.

Two builds: a tiny module translated by a test catalogue (round trip extract -> catalogue -> build, and an
incremental rebuild after one changed catalogue), and module 13 with its real catalogues, which a learner
goes through in Chromium in German and in Greek (no English sentence of the module left on the page, the
book's own words and the quiz interface in the language, quizzes graded as in English, axe 0, the language
switcher both ways); and module 13's SCORM package in German played in scorm-again, the runtime of
tests/test_scorm.py.
"""
from __future__ import annotations

import html as htmlmod
import json
import re
import shutil
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from h4s_kit import translate as tr
from h4s_kit.build import build

ROOT = Path(__file__).resolve().parents[1]
M13 = ROOT / "modules" / "13-data-protection-and-online-safety"
M13_PAGE = f"modules/{M13.name}/module.html"

pytestmark = pytest.mark.slow


def project(dest: Path, modules: list[Path]) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(ROOT / "_config.yml", dest / "_config.yml")
    shutil.copytree(ROOT / "book", dest / "book")
    for m in modules:
        shutil.copytree(m, dest / "modules" / m.name)
    if (ROOT / "modules" / "_glossary").is_dir():
        shutil.copytree(ROOT / "modules" / "_glossary", dest / "modules" / "_glossary")
    return dest


def test_round_trip_and_incremental_rebuild_of_one_catalogue(tmp_path):
    from test_translate import LANG, fill, make_module
    proj = project(tmp_path / "book", [])
    mod = make_module(proj / "modules")
    tr.extract(mod)
    tr.update(mod, LANG)
    (mod / "locales" / LANG / "draft.txt").unlink()          # published: built by plain h4s build
    fill(mod)
    lines: list[str] = []
    res = build(root=proj, echo=lines.append, preview=True)     # the test module has no review: a preview
    page = res.html_dir / LANG / "modules" / mod.name / "module.html"
    en_page = res.html_dir / "modules" / mod.name / "module.html"
    text = page.read_text(encoding="utf-8")
    assert f'<html lang="{LANG}"' in text and "«XX» A first paragraph" in text and "«XX» Which one is right?" in text
    assert f'hreflang="en" href="../../../modules/{mod.name}/module.html"' in text
    en = en_page.read_text(encoding="utf-8")
    assert '<html lang="en"' in en and f'hreflang="{LANG}" href="../../{LANG}/modules/{mod.name}/module.html"' in en
    assert "«XX»" not in en
    assert (res.html_dir / "index.html").is_file() and not (res.html_dir / "en").exists()   # English stays at the root
    # one changed catalogue: only that language's module page is written again
    before = {p: p.stat().st_mtime_ns for p in res.html_dir.rglob("*.html")}
    fill(mod, only=lambda m: m.id.startswith("Which one"), value=lambda s: "«XX» A changed question?")
    res2 = build(root=proj, echo=lines.append, preview=True)
    after = {p: p.stat().st_mtime_ns for p in res2.html_dir.rglob("*.html")}
    changed = sorted(p.relative_to(res.html_dir).as_posix() for p in after if before.get(p) != after[p])
    assert f"{LANG}/modules/{mod.name}/module.html" in changed
    assert not [c for c in changed if not c.startswith(f"{LANG}/")], changed   # nothing of the English book
    assert "«XX» A changed question?" in page.read_text(encoding="utf-8")
    assert res2.executed == []                     # the English notebook was not run again


@pytest.fixture(scope="module")
def book13(tmp_path_factory):
    proj = project(tmp_path_factory.mktemp("m13"), [M13])
    res = build(root=proj, echo=lambda s: None)
    return res.html_dir


def _plain(markdown: str) -> str:
    html = MarkdownIt("commonmark").enable("table").render(markdown)
    text = htmlmod.unescape(re.sub(r"<[^>]+>", " ", html))
    return re.sub(r"\s+", " ", text.replace("|", " ")).strip()


def english_sentences(lang: str = "de") -> list[str]:
    """The English of module 13's messages that the language's catalogue translates differently, as plain text."""
    from babel.messages.pofile import read_po
    with open(tr.po_path(M13, lang), "rb") as fh:
        cat = read_po(fh)
    out = []
    for m in cat:
        if not m.id or m.string.strip() == m.id.strip():
            continue
        t = _plain(m.id)
        if len(t.split()) >= 4:
            out.append(t)
    return out


def _grade(page, qid: str, answer) -> dict:
    q = page.locator(f'.h4s-question[data-qid="{qid}"]')
    for value in answer:
        q.locator(f'input[value="{value}"]').check()
    page.evaluate("() => { window.__g = []; document.addEventListener('h4s:graded', e => window.__g.push(e.detail)); }")
    q.locator(".h4s-check").click()
    got = page.wait_for_function("() => window.__g.length > 0 && window.__g", timeout=20_000).json_value()[0]
    return {"score": got["result"]["score"], "correct": got["result"]["correct"]}


def _interface_word(lang: str, msgid: str) -> str:
    from babel.messages.pofile import read_po
    with open(ROOT / "h4s_widgets" / "locales" / lang / "LC_MESSAGES" / "h4s.po", "rb") as fh:
        return next(m.string for m in read_po(fh) if m.id == msgid)


@pytest.mark.browser
@pytest.mark.parametrize("lang, gdpr, native", [("de", "Datenschutz-Grundverordnung", "Deutsch"),
                                                ("el", "ΓΚΠΔ", "Ελληνικά")])
def test_module_13_in_another_language_in_chromium(book13, browser, lang, gdpr, native):
    """A learner goes through module 13 in German and in Greek (issue 15)."""
    from _browser import format_violations, open_page, run_axe, serve_directory
    from playwright.sync_api import expect
    from h4s_kit.translate._book import BOOK_WORDS, words
    sentences = english_sentences(lang)
    assert len(sentences) > 200
    book_words = words(ROOT / "modules", lang)
    ctx, page, log, errors = open_page(browser)
    try:
        with serve_directory(book13) as url:
            page.goto(url + f"{lang}/" + M13_PAGE)
            page.wait_for_selector('.h4s-question[data-qid="personal-data"] .h4s-check', timeout=60_000)
            assert page.get_attribute("html", "lang") == lang
            visible = re.sub(r"\s+", " ", page.inner_text("body"))
            left = [s for s in sentences if s in visible]
            assert left == [], f"English sentences on the {lang} page: {left[:5]}"
            assert gdpr in visible
            expect(page.locator('.h4s-question[data-qid="personal-data"] .h4s-check')).to_have_text(
                _interface_word(lang, "Check"))
            # the book's own words (banners, "keep offline", set by the page's script) in the language too
            english = [BOOK_WORDS[k] for k in ("live_text", "live_link", "live_note", "keep", "kept_list")]
            assert not [x for x in english if x in visible], [x for x in english if x in visible]
            assert all(book_words[k] != BOOK_WORDS[k] for k in ("live_link", "keep")), book_words
            expect(page.get_by_role("link", name=book_words["live_link"])).to_be_visible()
            expect(page.get_by_role("button", name=book_words["keep"])).to_be_visible()
            violations = run_axe(page)
            assert violations == [], format_violations(violations)
            de = {"all": _grade(page, "personal-data", "abce")}
            page.reload()
            de["one"] = _grade(page, "personal-data", "d")

            # the switcher: to English with the mouse ...
            page.locator('nav.h4s-languages a[hreflang="en"]').click()
            page.wait_for_url(re.compile(re.escape(M13_PAGE) + "$"))
            assert f"/{lang}/" not in page.url and page.get_attribute("html", "lang") == "en"
            page.wait_for_selector('.h4s-question[data-qid="personal-data"] .h4s-check', timeout=60_000)
            en = {"all": _grade(page, "personal-data", "abce")}
            page.reload()
            en["one"] = _grade(page, "personal-data", "d")
            assert en == de and en["all"]["correct"] is True and en["one"]["correct"] is False
            # ... and back with the keyboard, the link announced in its own language
            link = page.locator(f'nav.h4s-languages a[hreflang="{lang}"]')
            assert link.get_attribute("lang") == lang and link.inner_text() == native
            assert page.locator('nav.h4s-languages a[aria-current="page"]').get_attribute("hreflang") == "en"
            link.focus()
            page.keyboard.press("Enter")
            page.wait_for_url(re.compile(f"/{lang}/" + re.escape(M13_PAGE) + "$"))
            assert page.get_attribute("html", "lang") == lang
        assert not errors, errors
        log.assert_only_local()
    finally:
        ctx.close()


@pytest.mark.browser
def test_scorm_package_in_german_plays_in_scorm_again(browser, tmp_path):
    from _browser import format_violations, open_page, run_axe, serve_directory
    from test_scorm import DEFAULT_VIEWPORT, _site, interactions
    from h4s_kit.interop.scorm import build_scorm
    with tr.translated_copy(M13, "de") as src:
        pkg = tmp_path / "m13-de.zip"
        build_scorm(src, pkg)
    site = _site(tmp_path, pkg)
    ctx, page, log, errors = open_page(browser, **DEFAULT_VIEWPORT)
    try:
        with serve_directory(site) as url:
            page.goto(url + "host.html")
            page.evaluate("window.openSco(null)")
            sco = page.frame_locator("#sco")
            q = sco.locator('.h4s-question[data-qid="ai-two-laws"]')
            q.locator('input[value="false"]').check()
            q.locator(".h4s-check").click()
            from playwright.sync_api import expect
            expect(q.locator(".h4s-feedback")).to_contain_text("Die KI-Verordnung und die DSGVO gelten nebeneinander",
                                                               timeout=30_000)
            page.wait_for_function("window.API.cmi.interactions.childArray.length >= 1", timeout=15_000)
            (i,) = [x for x in interactions(page.evaluate("window.readCMI()")) if x["id"].endswith(".ai-two-laws")]
            assert i["result"] == "correct" and i["student_response"] == "f"
            frame = page.frame(url=re.compile(r"pkg/index\.html"))
            assert frame.evaluate("document.documentElement.lang") == "de"
            violations = run_axe(frame)
            assert violations == [], format_violations(violations)
        assert not errors, errors
        log.assert_only_local()
    finally:
        ctx.close()


def test_served_language_book_grades_with_its_own_answers_and_feedback(tmp_path):
    """On a course server, a language book's quizzes are graded by the language's translated banks: its cloze
    answers count and its feedback comes back (the English banks would mark them wrong)."""
    import http.cookiejar
    import os
    import urllib.request
    from _browser import free_port
    from test_answer_id import _serve
    from test_translate import LANG, fill, make_module
    proj = project(tmp_path / "book", [])
    mod = make_module(proj / "modules")
    tr.extract(mod)
    tr.update(mod, LANG)
    (mod / "locales" / LANG / "draft.txt").unlink()
    fill(mod)
    gaps = "The right of [[access|access to data]] and of [[erasure]]."
    fill(mod, only=lambda m: m.id == gaps, value=lambda _: "«XX» Das Recht auf [[Auskunft]] und auf [[Löschung]].")
    build(root=proj, echo=lambda s: None, preview=True)               # the test module has no review
    port = free_port()
    env = dict(os.environ, PYTHONUNBUFFERED="1", H4S_DATA_DIR=str(tmp_path / "data"))
    for k in ("H4S_RECORDS", "H4S_LRS_URL", "JUPYTERHUB_USER", "H4S_DATABASE_URL"):
        env.pop(k, None)
    proc, out = _serve(proj, env, port, extra=["--out", str(proj / "_build" / "preview")])
    base = f"http://127.0.0.1:{port}/"
    try:
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        with opener.open(base + f"{LANG}/modules/{mod.name}/module.html", timeout=60) as r:
            page = r.read().decode("utf-8")
        assert re.findall(r'"server":"[^"]*"', page) == [f'"server":"/{LANG}/api/quiz"'] and "Auskunft" not in page
        with opener.open(base + f"modules/{mod.name}/module.html", timeout=60) as r:
            assert re.findall(r'"server":"[^"]*"', r.read().decode("utf-8")) == ['"server":"/api/quiz"']

        def check(api: str, response=("Auskunft", "löschung")) -> dict:
            body = {"module": mod.name, "qid": "gaps", "response": list(response)}
            req = urllib.request.Request(base + api + "check", method="POST", data=json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json"})
            with opener.open(req, timeout=60) as r:
                return json.loads(r.read())
        translated = check(f"{LANG}/api/quiz/")
        assert translated["result"]["correct"] is True, translated
        wrong = check(f"{LANG}/api/quiz/", ("Auskunft", "Zugang"))           # its feedback, in its language
        assert wrong["result"]["score"] == 0.5 and "«XX»" in json.dumps(wrong, ensure_ascii=False), wrong
        english = check("api/quiz/")
        assert english["result"]["correct"] is False, english
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=30)
