"""Open Badges credentials through the real `h4s serve` (issue 19, items 4-5): a learner passes the closing quiz
of the served book in Chromium, gets the credential by keyboard, downloads JSON and badge; `h4s credentials
verify` accepts both, rejects a changed byte and reports a revocation; axe finds nothing on the page with the
offer; attacks on the claim end to end (no pass, another learner, forged bodies and cookies, cross-site
requests); the trainer dashboard lists the credential.  The static book has no offer."""
from __future__ import annotations

import http.cookiejar
import json
import os
import re
import shutil
import time
import urllib.error
import urllib.request

import pytest

from _serve import h4s_serve
from h4s_kit import translate as tr
from h4s_kit.build import build
from h4s_kit.cli import main
from test_build import MINI_IDS, make_project
from test_translate import fill

pytestmark = pytest.mark.slow
MOD = MINI_IDS[0]   # 01-hello-oer: closing quiz of one single-choice question (oer-meaning, answer a), pass mark 0.5
TOKEN = "trainer-token-for-tests"
LANGS = ("de", "el")   # language books of the served course: the credential offer speaks the page's language
#: the name a learner types: distinctive, so that it can be looked for in the data folder and the server's log
NAME = "Ana Wyxbrundel-\u0141\u00f3pez"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cred-serve")
    proj = make_project(tmp / "proj")
    for m in MINI_IDS[1:]:
        shutil.rmtree(proj / "modules" / m)
    for lang in LANGS:                  # the module in two more language books (_build/html/LL), as h4s translate
        mod = proj / "modules" / MOD    # makes them; the test catalogue's rule translates every message
        tr.extract(mod)
        tr.update(mod, lang)
        (mod / "locales" / lang / "draft.txt").unlink()
        fill(mod, lang)
    data = tmp / "data"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("H4S_DATA_DIR", str(data))
        assert main(["credentials", "init", "--name", "Example Issuer (placeholder)", "--url",
                     "https://course.example.org/", "--country", "DE"]) == 0
        build(root=proj, echo=lambda s: None)
    env = dict(os.environ, PYTHONUNBUFFERED="1", H4S_DATA_DIR=str(data), H4S_TRAINER_TOKEN=TOKEN)
    for k in ("H4S_RECORDS", "H4S_LRS_URL", "JUPYTERHUB_USER", "H4S_DATABASE_URL"):
        env.pop(k, None)
    with h4s_serve(proj, env) as srv:
        yield {"base": srv.url, "proj": proj, "data": data, "html": proj / "_build" / "html", "out": srv.out}


class Browserless:
    """One learner (a cookie jar) talking to the server as a page would."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def post(self, path: str, body, headers: dict | None = None) -> tuple[int, dict]:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, method="POST", data=data,
                                     headers={"Content-Type": "application/json", **(headers or {})})
        try:
            with self.opener.open(req, timeout=60) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())

    @property
    def learner(self) -> str:
        return next(c.value.split(".")[0] for c in self.jar if c.name == "h4s_learner")


def _clean(err: dict) -> None:
    text = err["error"]
    assert "\n" not in text and "Traceback" not in text and "/tmp" not in text and "/work" not in text, text


def test_claim_attacks_end_to_end(served):
    base = served["base"]
    anna, bob = Browserless(base), Browserless(base)
    # bob never passed: no credential, whatever the body says
    code, err = bob.post("api/credentials/claim", {"module": MOD, "passed": True, "score": 1})
    assert code == 403 and "pass the closing quiz first" in err["error"], err
    _clean(err)
    code, st = bob.post("api/credentials/status", {"module": MOD})
    assert code == 200 and st == {"issuer": True, "eligible": False, "claimed": False}
    # anna passes the closing quiz on the server, then claims
    code, r = anna.post("api/quiz/check", {"module": MOD, "qid": "oer-meaning", "response": "a"})
    assert code == 200 and r["result"]["correct"] is True, r
    code, st = anna.post("api/credentials/status", {"module": MOD})
    assert st == {"issuer": True, "eligible": True, "claimed": False}
    code, got = anna.post("api/credentials/claim", {"module": MOD})
    assert code == 200 and got["files"] == [f"{MOD}-credential.json", f"{MOD}-credential.svg"]
    cred = got["credential"]
    code, again = anna.post("api/credentials/claim", {"module": MOD, "name": "Someone Else"})
    assert code == 200 and again["credential"]["id"] == cred["id"]    # one per learner x module version,
    assert again["credential"]["credentialSubject"]["identifier"][0]["identityHash"] == "Someone Else"  # named
    code, plain = anna.post("api/credentials/claim", {"module": MOD})
    assert code == 200 and plain["credential"] == cred                 # the stored one has no name
    # bob sends anna's learner id in the body, then as a forged cookie: still bob's (no) result
    code, err = bob.post("api/credentials/claim", {"module": MOD, "learner": anna.learner})
    assert code == 403, err
    forger = Browserless(base)
    forged = f"{anna.learner}.{'0' * 32}"
    code, err = forger.post("api/credentials/claim", {"module": MOD}, headers={"Cookie": f"h4s_learner={forged}"})
    assert code == 403, err
    # forged and hostile bodies
    for body, status in (({"module": "../../etc/passwd"}, 400), ({"module": "99-nowhere"}, 404),
                         ({"module": ["x"]}, 400), ({}, 400), (b"[1,2]", 400), (b"{not json", 400),
                         (b"{" * 5000, 413), ({"module": MOD, "name": "x" * 101}, 400),
                         ({"module": MOD, "name": "bad\u0000name"}, 400), ({"module": MOD, "name": 12}, 400),
                         (b"\xff\xfe{", 400), (b'{"module": "%s", "name": "\\ud800"}' % MOD.encode(), 400)):
        code, err = anna.post("api/credentials/claim", body)
        assert code == status, (body[:60] if isinstance(body, bytes) else body, code, err)
        _clean(err)
    # not sent by the course's own pages: refused before anything is read (the quiz API's rule)
    for headers in ({"Sec-Fetch-Site": "cross-site"}, {"Origin": "http://evil.example"}):
        code, err = anna.post("api/credentials/claim", {"module": MOD}, headers=headers)
        assert code == 403 and "own pages" in err["error"], err
    code, err = anna.post("api/credentials/claim", b'{"module": "%s"}' % MOD.encode(),
                          headers={"Content-Type": "text/plain"})
    assert code == 415, err
    try:                                              # only POST
        anna.opener.open(base + "api/credentials/claim", timeout=30)
        raise AssertionError("GET answered")
    except urllib.error.HTTPError as e:
        assert e.code == 405 and "\n" not in json.loads(e.read())["error"]
    # the trainer dashboard lists the credential (module, date, id, not revoked), not the learner's name
    with urllib.request.urlopen(f"{base}trainer/{TOKEN}/", timeout=60) as r:
        page = r.read().decode()
    assert cred["id"] in page and "Credentials issued" in page


@pytest.mark.browser
def test_learner_claims_in_chromium_and_verify_checks_it(served, browser, tmp_path, monkeypatch, capsys):
    from playwright.sync_api import expect

    from _browser import format_violations, open_page, run_axe, tab_to
    monkeypatch.setenv("H4S_DATA_DIR", str(served["data"]))
    html = served["html"]
    static = (html / "modules" / MOD / "module.html").read_text(encoding="utf-8")
    assert "api/credentials" not in static and "Get your credential" not in static   # the static book: no offer
    context, page, log, errors = open_page(browser, accept_downloads=True)
    downloads = []
    page.on("download", lambda d: downloads.append(d))
    try:
        page.goto(served["base"] + f"modules/{MOD}/module.html")
        card = '.h4s-question[data-qid="oer-meaning"]'
        page.wait_for_selector(card)
        assert page.locator(".h4s-credential").count() == 0       # nothing before a pass
        tab_to(page, f'{card} input[type="radio"]')
        page.keyboard.press("Space")                               # the first option: a
        tab_to(page, f"{card} .h4s-check")
        page.keyboard.press("Enter")
        expect(page.locator(f'{card} .h4s-feedback[role="status"]')).to_contain_text(re.compile("Correct"))
        button = page.get_by_role("button", name="Get your credential")
        expect(button).to_be_visible()
        violations = run_axe(page)
        assert violations == [], format_violations(violations)
        tab_to(page, ".h4s-credential input")
        page.keyboard.type(NAME)
        tab_to(page, ".h4s-credential-get")
        page.keyboard.press("Enter")
        status = page.locator('.h4s-credential [role="status"][aria-live="polite"]')
        expect(status).to_contain_text("ready")
        deadline = time.monotonic() + 30
        while len(downloads) < 2 and time.monotonic() < deadline:
            page.wait_for_timeout(200)
        assert sorted(d.suggested_filename for d in downloads) == [f"{MOD}-credential.json", f"{MOD}-credential.svg"]
        files = {}
        for d in downloads:
            files[d.suggested_filename.rsplit(".", 1)[1]] = dest = tmp_path / d.suggested_filename
            d.save_as(dest)
        assert run_axe(page) == [], format_violations(run_axe(page))
        # a second claim from the page with another name: the same credential (id), with that name
        other = page.evaluate("""async (m) => (await (await fetch("../../api/credentials/claim", {method: "POST",
            headers: {"Content-Type": "application/json"}, body: JSON.stringify({module: m, name: "Someone Else"})}))
            .json()).credential""", MOD)
        assert errors == [] and log.foreign() == []
    finally:
        context.close()
    cred = json.loads(files["json"].read_text(encoding="utf-8"))
    ids = cred["credentialSubject"]["identifier"]
    assert ids[0]["identityHash"] == NAME
    assert other["id"] == cred["id"] and other["credentialSubject"]["identifier"][0]["identityHash"] == "Someone Else"
    (tmp_path / "other.json").write_text(json.dumps(other), encoding="utf-8")
    # the typed name went into the files only: not into the data folder (SQLite file and journal, records,
    # statements, stored credentials, issuer files) nor the server's log
    for f in (p for p in served["data"].rglob("*") if p.is_file()):
        assert NAME.encode() not in f.read_bytes() and b"Wyxbrundel" not in f.read_bytes(), f.name
    assert "Wyxbrundel" not in "".join(served["out"])
    issuer = ["--issuer", str(html / "credentials")]
    capsys.readouterr()
    assert main(["credentials", "verify", str(files["json"]), *issuer]) == 0
    assert main(["credentials", "verify", str(files["svg"]), *issuer]) == 0
    assert main(["credentials", "verify", str(tmp_path / "other.json"), *issuer]) == 0
    assert "valid: Hello, open educational resources" in capsys.readouterr().out
    raw = bytearray(files["json"].read_bytes())
    at = raw.index(b"Wyxbrundel")
    raw[at] = ord("E")                                              # one byte changed
    changed = tmp_path / "changed.json"
    changed.write_bytes(bytes(raw))
    assert main(["credentials", "verify", str(changed), *issuer]) == 1
    assert "signature does not match: the file was changed after it was issued" in capsys.readouterr().err
    assert main(["credentials", "revoke", cred["id"], "--book", str(html)]) == 0
    assert main(["credentials", "verify", str(files["svg"]), *issuer]) == 1
    assert f"revoked: the issuer revoked credential {cred['id']}" in capsys.readouterr().err


@pytest.mark.browser
@pytest.mark.parametrize("lang", LANGS)
def test_the_offer_speaks_the_language_of_the_page(served, browser, lang):
    """On the served German (Greek) book page the credential offer, its messages and its errors are in German
    (Greek): the words of that language's catalogue (h4s_widgets/locales/LL/LC_MESSAGES/h4s.po), none of the
    English ones; axe finds nothing."""
    from playwright.sync_api import expect

    from _browser import format_violations, open_page, run_axe, tab_to
    from h4s_widgets._i18n import CREDENTIAL_MESSAGES, catalog
    words = catalog(lang)
    assert all(words[m] != m for m in CREDENTIAL_MESSAGES), "untranslated credential messages"
    if lang == "de":   # (and the catalogue is German indeed)
        assert words["Get your credential"] == "Nachweis erhalten" and words["Your credential"] == "Ihr Nachweis"
    context, page, log, errors = open_page(browser, accept_downloads=True)
    downloads = []
    page.on("download", lambda d: downloads.append(d))
    try:
        page.goto(served["base"] + f"{lang}/modules/{MOD}/module.html")
        assert page.evaluate("document.documentElement.lang") == lang
        card = '.h4s-question[data-qid="oer-meaning"]'
        page.wait_for_selector(card)
        tab_to(page, f'{card} input[type="radio"]')
        page.keyboard.press("Space")
        tab_to(page, f"{card} .h4s-check")
        page.keyboard.press("Enter")
        expect(page.locator(f'{card} .h4s-feedback[role="status"]')).to_contain_text(words["Correct"])
        box = page.locator(".h4s-credential")
        expect(box.get_by_role("button", name=words["Get your credential"])).to_be_visible()
        expect(box.get_by_role("heading", name=words["Your credential"])).to_be_visible()
        expect(box.get_by_label(words["Name to print on the credential (optional)"])).to_be_visible()
        assert run_axe(page) == [], format_violations(run_axe(page))
        status = box.locator('[role="status"]')
        # a name the server refuses (longer than the field lets one type): the learner's words, not the server's
        page.evaluate("document.querySelector('.h4s-credential input').value = 'x'.repeat(101)")
        box.locator(".h4s-credential-get").click()
        expect(status).to_have_text(words["The name cannot be used: at most {n} characters, and letters, spaces "
                                          "and punctuation only."].replace("{n}", "100"))
        tab_to(page, ".h4s-credential input")
        page.keyboard.press("Control+A")
        page.keyboard.type(NAME)
        tab_to(page, ".h4s-credential-get")
        page.keyboard.press("Enter")
        expect(status).to_contain_text(words["Your credential is ready and downloading. Download again:"])
        expect(status.get_by_role("link", name=words["credential (JSON)"])).to_have_attribute(
            "download", f"{MOD}-credential.json")
        expect(status.get_by_role("link", name=words["badge image (SVG)"])).to_have_attribute(
            "download", f"{MOD}-credential.svg")
        shown = box.inner_text()
        english = [m for m in CREDENTIAL_MESSAGES if m.split("{")[0][:25] in shown]
        assert english == [], f"English words on the {lang} page: {english}"
        assert run_axe(page) == [], format_violations(run_axe(page))
        deadline = time.monotonic() + 30
        while len(downloads) < 2 and time.monotonic() < deadline:
            page.wait_for_timeout(200)
        assert len(downloads) == 2
        assert errors == [] and log.foreign() == []
    finally:
        context.close()
