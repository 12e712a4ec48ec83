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
    from _serve import h4s_serve
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
    env = dict(os.environ, PYTHONUNBUFFERED="1", H4S_DATA_DIR=str(tmp_path / "data"))
    for k in ("H4S_RECORDS", "H4S_LRS_URL", "JUPYTERHUB_USER", "H4S_DATABASE_URL"):
        env.pop(k, None)
    with h4s_serve(proj, env, extra=("--out", str(proj / "_build" / "preview"))) as srv:
        base = srv.url
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


# ------------------------------------------------------------------ the live version per language
LANGS_13 = ("de", "el", "es", "pl")


def _live(lang: str | None, module: str = M13.name) -> str:
    return f"/live/voila/render/{lang}/{module}/module.ipynb" if lang else f"/live/voila/render/{module}/module.ipynb"


def test_language_pages_link_to_the_live_version_in_their_language(book13):
    """Each language book's module page links to the live notebook in its language, which the build's live root
    (Voilà's root under h4s serve and the Hub) holds below LL/: the translated module, and nothing else."""
    out = book13.parent
    for lang in (None, *LANGS_13):
        page = (book13 / lang / M13_PAGE if lang else book13 / M13_PAGE).read_text(encoding="utf-8")
        assert re.findall(r'class="h4s-live-link" href="([^"]+)"', page) == [_live(lang)], lang
        assert re.findall(r'<meta name="h4s-live-url" content="([^"]+)"', page) == [_live(lang)], lang
    live = out / "live"
    assert sorted(p.name for p in live.iterdir()) == sorted([M13.name, *LANGS_13])
    assert (live / M13.name).resolve() == (out.parent / "modules" / M13.name).resolve()
    for lang in LANGS_13:
        (link,) = (live / lang).iterdir()
        assert link.is_symlink() and not Path(link.readlink()).is_absolute()       # the build folder can move
        assert link.resolve() == (out / "lang" / lang / "src" / "modules" / M13.name).resolve()
    # the Hub's relative address climbs one more folder from a language book's page (one folder deeper)
    from types import SimpleNamespace

    from h4s_kit.assets.h4s_book import live_url
    src = out / "lang" / "de" / "src" / "modules" / M13.name / "module.ipynb"
    app = SimpleNamespace(env=SimpleNamespace(doc2path=lambda d: str(src)),
                          config=SimpleNamespace(h4s_live_url="../../voila/render/{folder}/module.ipynb",
                                                 h4s_book_language="de"))
    assert live_url(app, "modules/x/module") == f"../../../voila/render/de/{M13.name}/module.ipynb"


@pytest.fixture(scope="module")
def served13(book13):
    """h4s serve of module 13's five-language book, live pages on."""
    from _browser import serve_book
    with serve_book(book13, book13.parent.parent) as srv:
        yield srv


def _german_gaps() -> tuple[list[str], list[str]]:
    """First accepted answer of each gap of module 13's cloze "rights": (German, English)."""
    import yaml

    def gaps(bank: Path) -> list[str]:
        (qn,) = [x for x in yaml.safe_load(bank.read_text(encoding="utf-8"))["questions"] if x["id"] == "rights"]
        return [g.split("|")[0].strip() for g in re.findall(r"\[\[([^\]]+)\]\]", qn["text"])]
    return gaps(M13 / "questions" / "practice.yml"), gaps


@pytest.mark.browser
def test_live_version_in_german_through_h4s_serve(served13, book13, browser):
    """From the German page to its live version: the German notebook runs in a kernel (German text, the quiz
    interface in German, <html lang="de">, the way back to the German page) and grades a German answer."""
    from _browser import open_page
    from playwright.sync_api import expect
    english_gaps, gaps = _german_gaps()
    german_gaps = gaps(book13.parent / "lang" / "de" / "src" / "modules" / M13.name / "questions" / "practice.yml")
    assert len(german_gaps) == len(english_gaps) == 4 and german_gaps != english_gaps
    nb = json.loads((book13.parent / "lang" / "de" / "src" / "modules" / M13.name / "module.ipynb").read_text("utf-8"))
    title = nb["metadata"]["h4s"]["title"]
    assert title != json.loads((M13 / "module.ipynb").read_text("utf-8"))["metadata"]["h4s"]["title"]
    ctx, page, log, errors = open_page(browser)
    try:
        page.goto(served13.url + "de/" + M13_PAGE)
        page.locator("a.h4s-live-link").click()
        page.wait_for_url(re.compile(re.escape(_live("de")) + "$"))
        q = page.locator('.h4s-question[data-qid="rights"]')
        q.locator(".h4s-check").wait_for(timeout=60_000)            # the live widget has rendered
        assert page.get_attribute("html", "lang") == "de"
        assert title in page.inner_text("body") and "Datenschutz-Grundverordnung" in page.inner_text("body")
        expect(q.locator(".h4s-check")).to_have_text(_interface_word("de", "Check"))
        assert page.locator("[data-h4s-static]").count() == 0       # graded in the kernel, no key in the page
        back = page.locator("a.h4s-book-link")
        from h4s_kit.translate._book import words
        expect(back).to_have_text(words(ROOT / "modules", "de")["live_back"])
        assert back.get_attribute("href") == "/de/" + M13_PAGE
        page.evaluate("() => { window.__g = []; document.addEventListener('h4s:graded', e => window.__g.push(e.detail)); }")
        inputs = q.locator('input[type="text"]')
        assert inputs.count() == 4
        for i, word in enumerate(german_gaps):
            inputs.nth(i).fill(word)
        q.locator(".h4s-check").click()
        got = page.wait_for_function("() => window.__g.length > 0 && window.__g", timeout=30_000).json_value()[0]
        assert got["result"]["correct"] is True, got
        expect(q.locator(".h4s-feedback")).to_contain_text(_interface_word("de", "Correct"))
        from _browser import format_violations, run_axe
        from test_browser_book import AXE_TAGS
        violations = run_axe(page, tags=AXE_TAGS)
        assert violations == [], format_violations(violations)
        log.assert_only_local()
        assert any("/live/api/kernels/" in u for u in log.urls), "the live page never talked to its kernel"
        assert not errors, errors
    finally:
        ctx.close()


@pytest.mark.parametrize("path", [
    f"de/../{M13.name}/module.ipynb",                       # the English notebook under the German path
    f"de/%2e%2e/{M13.name}/module.ipynb",
    f"de/..%2f{M13.name}/module.ipynb",
    f"de/{M13.name}/%2e%2e%2f%2e%2e%2f{M13.name}/module.ipynb",
    f"de/{M13.name}/..%5c..%5c{M13.name}%5cmodule.ipynb",
    f"de/./{M13.name}/module.ipynb",
    f"../lang/de/src/modules/{M13.name}/module.ipynb",       # the build's internals
    f"%2e%2e/%2e%2e/lang/de/src/modules/{M13.name}/module.ipynb",
    f"lang/de/src/modules/{M13.name}/module.ipynb",
    f"xx/{M13.name}/module.ipynb",                           # no such language
    f"de/de/{M13.name}/module.ipynb",
    f"DE/{M13.name}/module.ipynb",
    f"de/{M13.name}/questions/practice.yml",
])
def test_live_paths_of_languages_cannot_escape(served13, path):
    """Through the live route, an address that escapes the live root, takes a detour through another language's
    folder or names a file that is no live page answers 403/404 without a server path, and starts no kernel."""
    import urllib.error
    import urllib.request
    proj = str(book13_root(served13))
    before = set(served13.kernel_ids())
    for prefix in ("live/voila/render/", "live/voila/files/"):
        try:
            with urllib.request.urlopen(served13.url + prefix + path, timeout=60) as r:
                code, body = r.status, r.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as e:
            code, body = e.code, e.read().decode("utf-8", "replace")
        assert code in (403, 404), (prefix + path, code, body[:300])
        assert proj not in body and "/tmp" not in body and "_build" not in body, body[:500]
    assert set(served13.kernel_ids()) <= before


def book13_root(srv) -> Path:
    return Path(srv.html_dir).resolve().parent.parent


def test_hub_learner_server_serves_the_live_root_with_each_language_book(book13, monkeypatch):
    """Under JupyterHub (learner_server_config, the Dockerfile's and the VM's single-user config) Voilà's root is
    the build's live root too, and a language's live page links back to its book below the user's address."""
    from traitlets.config import Config

    from h4s_kit.server.app import learner_server_config
    monkeypatch.setenv("JUPYTER_PATH", "")
    course = book13.parent.parent
    c = learner_server_config(Config(), course, base_url="/user/anna/", data_dir=course / "_build" / "hub-voila")
    assert Path(c.ServerApp.root_dir) == (course / "_build" / "live").resolve()
    live = c.VoilaConfiguration.resources["h4s_live"]
    assert live["en"]["book"] == "/user/anna/modules/"
    assert {lang: live[lang]["book"] for lang in LANGS_13} == {lang: f"/user/anna/{lang}/modules/" for lang in LANGS_13}
    assert live["de"]["words"]["live_back"] != live["en"]["words"]["live_back"]


def test_live_files_of_a_language_come_from_its_translated_module(served13, book13):
    """A language's live page loads its module's media from the translated module (Voilà's root holds it as a
    link: served from the link's folder), and still nothing but media."""
    import urllib.error
    import urllib.request
    media = book13.parent / "lang" / "de" / "src" / "modules" / M13.name / "media" / "privacy-checklist-new-tool.csv"
    for lang in ("de/", ""):
        with urllib.request.urlopen(f"{served13.url}live/voila/files/{lang}{M13.name}/media/{media.name}", timeout=60) as r:
            assert r.status == 200 and r.read() == media.read_bytes()
        for secret in ("media/credits.yml", "module.ipynb", "questions/practice.yml", "locales/de/LC_MESSAGES/module.po"):
            try:
                urllib.request.urlopen(f"{served13.url}live/voila/files/{lang}{M13.name}/{secret}", timeout=60)
                raise AssertionError(f"{lang}{secret} served")
            except urllib.error.HTTPError as e:
                assert e.code in (403, 404) and "/tmp" not in e.read().decode("utf-8", "replace")


def test_preheat_names_the_live_page_of_a_language_book(book13):
    """`h4s serve --preheat de/13`: one kernel started for the German live page, speaking German, which that page
    takes (and a new spare is started); a language the book lacks or a module it lacks is one line before
    anything starts."""
    import http.cookiejar
    import urllib.request

    import psutil
    from _ports import free_port
    from test_serve import wait_for

    from h4s_kit.serve import LiveServer
    from h4s_kit.server.preheat import PreheatError
    proj = book13.parent.parent
    for bad, says in (("xx/13", "--preheat xx/13: the book has no live pages in 'xx' (its languages: de, el, es, pl)"),
                      ("de/99", "--preheat de/99: no module starts with it in the 'de' book"),
                      ("99", "--preheat 99: no module starts with it")):
        srv = LiveServer(html_dir=book13, modules_dir=proj / "modules", port=free_port(), preheat=(bad,),
                         echo=lambda s: None)
        with pytest.raises(PreheatError) as e:
            srv.start()
        assert str(e.value).startswith(says) and "\n" not in str(e.value) and "e.g. --preheat 01,de/04" in str(e.value)
        assert srv.app is None                    # refused before the server started

    german = f"de/{M13.name}"
    with LiveServer(html_dir=book13, modules_dir=proj / "modules", port=free_port(), preheat=("de/13",),
                    log_file=proj / "serve-preheat.log", echo=lambda s: None) as srv:
        km = srv.app.kernel_manager
        spares = wait_for(lambda: km.spare_kernels().get(german), 90)
        assert spares, "the preheated kernel never started"
        (spare,) = spares
        assert set(km.spare_kernels()) == {german}                  # that page's, nobody else's
        env = psutil.Process(km.get_kernel(spare).provisioner.pid).environ()
        assert env.get("H4S_LANG") == "de"
        learner = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        with learner.open(srv.url.rstrip("/") + _live("de"), timeout=120) as r:
            assert r.status == 200 and 'lang="de"' in r.read().decode("utf-8", "replace")
        assert km.owner_of(spare) is not None                       # the German page took the spare ...
        new = wait_for(lambda: km.spare_kernels().get(german), 90)  # ... and a new one was started for the next
        assert new and spare not in new
