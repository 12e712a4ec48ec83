"""`h4s build`: toc, zero third-party requests, static quizzes, self-hosted MathJax, incremental execution.

The book is built from tests/fixtures/mini-modules (3 tiny modules) in a temporary project that holds a
copy of _config.yml and book/ from the repository, exactly as `h4s build --root TMP` would.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
import yaml

from h4s_kit.build import build, third_party_requests
from h4s_kit.toc import toc_modules, toc_text
from h4s_widgets._assets import static_lazy
from h4s_widgets._errors import BuildError

ROOT = Path(__file__).resolve().parents[1]
MINI = ROOT / "tests" / "fixtures" / "mini-modules"
MINI_IDS = sorted(p.name for p in MINI.iterdir() if (p / "module.ipynb").is_file())

pytestmark = pytest.mark.slow


def make_project(dest: Path) -> Path:
    """A book project in ``dest``: _config.yml, book/ and the mini modules in modules/."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(ROOT / "_config.yml", dest / "_config.yml")
    shutil.copytree(ROOT / "book", dest / "book")
    shutil.copytree(MINI, dest / "modules")
    return dest


def toc_files(toc: Path) -> list[str]:
    data = yaml.safe_load(toc.read_text())
    out = [data["root"]]

    def walk(items):
        for it in items or []:
            if "file" in it:
                out.append(it["file"])
            walk(it.get("sections"))
    for part in data.get("parts", []):
        walk(part.get("chapters"))
    return out


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    proj = make_project(tmp_path_factory.mktemp("book"))
    lines: list[str] = []
    t0 = time.monotonic()
    res = build(root=proj, echo=lines.append)
    res.full_seconds = time.monotonic() - t0
    return proj, res, lines


def test_toc_lists_every_module_in_order(built):
    proj, _, _ = built
    files = toc_files(proj / "_toc.yml")
    mods = [f for f in files if f.startswith("modules/")]
    assert mods == [f"modules/{m}/module" for m in MINI_IDS]
    # book pages first, then modules, then reference pages
    assert files[0] == "book/index"
    first_mod = files.index(mods[0])
    assert {"book/learners", "book/trainers", "book/reviewers", "book/security"} <= set(files[:first_mod])
    assert files[-2:] == ["book/licence-and-credits", "book/glossary"]
    if (proj / "book" / "trainers" / "question-types.md").is_file():
        assert "book/trainers/question-types" in files[:first_mod]


def test_progress_names_each_executed_notebook(built):
    _, res, lines = built
    for m in MINI_IDS:
        assert any(f"executing modules/{m}/module.ipynb" in ln for ln in lines), lines
    assert sorted(res.executed) == [f"modules/{m}/module.ipynb" for m in MINI_IDS]


def test_built_html_references_no_other_host(built):
    _, res, _ = built
    pages = list(res.html_dir.rglob("*.html"))
    assert len(pages) >= len(MINI_IDS) + 6
    assert third_party_requests(res.html_dir) == []


def test_third_party_check_can_fail(built, tmp_path):
    _, res, _ = built
    copy = tmp_path / "html"
    shutil.copytree(res.html_dir, copy)
    page = copy / "book" / "index.html"
    page.write_text(page.read_text().replace(
        "</head>", '<script src="https://cdn.jsdelivr.net/npm/x.js"></script>'
                   '<link rel="stylesheet" href="//fonts.googleapis.com/css?family=Roboto"></head>'))
    found = third_party_requests(copy)
    assert {(f.name, u) for f, _, u in found} == {
        ("index.html", "https://cdn.jsdelivr.net/npm/x.js"), ("index.html", "//fonts.googleapis.com/css?family=Roboto")}


def test_module_page_has_static_quiz_and_no_widget_manager(built):
    _, res, _ = built
    for m in MINI_IDS:
        html = (res.html_dir / "modules" / m / "module.html").read_text()
        assert "data-h4s-static" in html, m
        assert html.count('class="h4s-quiz h4s-static"') == 1
        assert 'id="h4s-runtime"' in html
        for forbidden in ("@jupyter-widgets/html-manager", "require.min.js", "embed-amd.js",
                          "application/vnd.jupyter.widget-state+json", "application/vnd.jupyter.widget-view+json"):
            assert forbidden not in html, (m, forbidden)


def runtime_of(page: Path) -> str:
    """The quiz runtime a book page loads: its one ``<script id="h4s-runtime" src>`` (a content-hashed file, a
    plain script: not async or deferred) and its late part's file."""
    html = page.read_text()
    assert html.count('id="h4s-runtime"') == 1, page
    m = re.search(r'<script id="h4s-runtime" src="([^"]+)" data-h4s-lazy="([^"]+)" data-h4s-runtime="[^"]*"></script>', html)
    assert m and re.search(r"_static/h4s/quiz-[0-9a-f]{16}\.js$", m.group(1)), page
    assert re.search(r"_static/h4s/quiz-lazy-[0-9a-f]{16}\.js$", m.group(2)), page
    assert (page.parent / m.group(2)).read_text() == static_lazy()
    return (page.parent / m.group(1)).read_text()


def test_pages_carry_one_copy_of_todays_quiz_runtime(built, tmp_path):
    """Cached outputs keep the runtime of the day they ran; the build puts the current one in its place,
    right after the page's first quiz (its chunks inline, then the content-hashed runtime file), and the quiz
    CSS in the book's one stylesheet."""
    from h4s_kit.assets.h4s_book import fresh_quiz_runtime
    from h4s_widgets._assets import page_types, static_runtime, widget_css
    _, res, _ = built
    page = res.html_dir / "modules" / MINI_IDS[0] / "module.html"
    html = page.read_text()
    assert runtime_of(page) == static_runtime([])
    chunks = re.findall(r'<script class="h4s-type">(.*?)</script>', html, re.S)     # inline, before the runtime
    assert chunks and "\n".join(c.rstrip("\n") for c in chunks + [runtime_of(page)]) + "\n" == static_runtime(page_types(html))
    # right after the first quiz: nothing between the quiz's end and the type chunks
    first_quiz = re.search(r'<div class="h4s-quiz h4s-static"[^>]*><script type="application/json" class="h4s-data">'
                           r'.*?</script><noscript>.*?</noscript></div>', html, re.S)
    assert first_quiz and html[first_quiz.end():].startswith('<script class="h4s-type">')
    assert 'id="h4s-css"' not in html and static_runtime([]) not in html
    css = re.search(r'<link rel="stylesheet" href="([^"]+)"', html).group(1)
    assert widget_css() in (page.parent / css).read_text()
    # without the book's tag (other pages made of notebooks), one inline copy, as before
    stale = html.replace("</head>", '<style id="h4s-css">/* old css */</style></head>')
    stale = stale.replace("</body>", '<script id="h4s-runtime">/* a second old copy */</script></body>')
    fresh = fresh_quiz_runtime(stale)
    assert "second old copy" not in fresh and "old css" not in fresh
    assert fresh.count('id="h4s-runtime"') == 1 and static_runtime(page_types(html)) in fresh and widget_css() in fresh
    assert fresh_quiz_runtime(stale, '<script id="h4s-runtime" src="x.js"></script>').count('id="h4s-runtime"') == 1
    # an output of an older h4s (another shape of quiz): the runtime goes before </body>
    old = '<html><body><div class="h4s-quiz" data-h4s-static><script type="application/json" class="h4s-data">{}</script></div><p>after</p></body></html>'
    assert fresh_quiz_runtime(old, "<script id=\"h4s-runtime\"></script>").endswith(
        '<p>after</p><script id="h4s-runtime"></script>\n</body></html>')


def test_module_page_links_to_live_version(built):
    _, res, _ = built
    for m in MINI_IDS:
        html = (res.html_dir / "modules" / m / "module.html").read_text()
        url = f"/live/voila/render/{m}/module.ipynb"
        assert f'<meta name="h4s-live-url" content="{url}">' in html
        assert re.search(rf'<a class="h4s-live-link" href="{re.escape(url)}">', html)
    home = (res.html_dir / "book" / "index.html").read_text()
    assert "h4s-live-url" not in home and "h4s-live-banner" not in home


def test_maths_are_mathml_and_mathjax_stays_self_hosted(built):
    """TeX becomes MathML at build time (the browser draws it: no MathJax download); MathJax stays in the
    book, self-hosted, for a page whose TeX cannot be converted (h4s_kit/assets/slim.py)."""
    _, res, _ = built
    html = (res.html_dir / "modules" / MINI_IDS[0] / "module.html").read_text()
    m = re.search(r'<span class="math notranslate nohighlight">(.*?)</span>', html, re.S)
    assert m and m.group(1).startswith("<math") and "<mi>E</mi>" in m.group(1) and "\\(" not in m.group(1)
    page = re.sub(r'<script (?:id="h4s-runtime"|class="h4s-type")[^>]*>.*?</script>', "", html, flags=re.S)
    assert page.count("<script") < html.count("<script")   # (the quiz JS, which typesets maths where MathJax is)
    assert "h4s-vendor/mathjax" not in page and "window.MathJax" not in page
    vendor = res.html_dir / "_static" / "h4s-vendor" / "mathjax"
    assert (vendor / "tex-chtml.js").is_file()
    assert list((vendor / "output" / "chtml" / "fonts" / "woff-v2").glob("*.woff"))
    total = sum(f.stat().st_size for f in vendor.rglob("*") if f.is_file())
    assert total < 6_000_000, f"MathJax copy is {total} bytes: copy only what the pages need"


def test_axe_fixes_are_in_the_html(built):
    _, res, _ = built
    html = (res.html_dir / "book" / "index.html").read_text()
    assert '<nav class="h4s-brand" aria-label="Book home">' in html
    assert not re.search(r'<button class="btn search-button-field[^>]*aria-label=', html)
    assert not re.search(r'<i aria-hidden="true" class="theme-switch [^>]*title=', html)


def _cache_records(build_dir: Path) -> dict[str, tuple[int, str]]:
    from jupyter_cache import get_cache
    cache = get_cache(str(build_dir / ".jupyter_cache"))
    return {Path(r.uri).parent.name: (r.pk, r.hashkey) for r in cache.list_cache_records()}


def test_incremental_build_reexecutes_only_the_changed_module(tmp_path):
    proj = make_project(tmp_path / "proj")
    t0 = time.monotonic()
    first = build(root=proj, echo=lambda s: None)
    t_full = time.monotonic() - t0
    assert sorted(first.executed) == [f"modules/{m}/module.ipynb" for m in MINI_IDS]
    before = _cache_records(proj / "_build")
    assert set(before) == set(MINI_IDS)

    changed = MINI_IDS[1]
    nb_path = proj / "modules" / changed / "module.ipynb"
    nb = nbformat.read(nb_path, as_version=4)
    code = next(c for c in nb.cells if c.cell_type == "code" and "value = 6 * 7" in c.source)
    code.source = code.source.replace("6 * 7", "6 * 8")
    nbformat.write(nb, nb_path)

    t0 = time.monotonic()
    second = build(root=proj, echo=lambda s: None)
    t_one = time.monotonic() - t0
    assert second.executed == [f"modules/{changed}/module.ipynb"], second.executed
    after = _cache_records(proj / "_build")
    for m in MINI_IDS:
        if m == changed:
            assert after[m] != before[m], "the changed module has no new execution record"
        else:
            assert after[m] == before[m], f"{m} was executed again although it did not change"
    page = (second.html_dir / "modules" / changed / "module.html").read_text()
    assert "The answer is 48" in page and "The answer is 42" not in page

    t0 = time.monotonic()
    third = build(root=proj, echo=lambda s: None)
    t_none = time.monotonic() - t0
    assert third.executed == []
    assert _cache_records(proj / "_build") == after
    print(f"\nbuild timings (3 mini modules): full {t_full:.1f} s, one module changed {t_one:.1f} s, "
          f"nothing changed {t_none:.1f} s")


def test_force_is_a_clean_build(tmp_path):
    proj = make_project(tmp_path / "proj")
    for m in MINI_IDS[1:]:
        shutil.rmtree(proj / "modules" / m)
    build(root=proj, echo=lambda s: None)
    again = build(root=proj, force=True, echo=lambda s: None)
    assert again.executed == [f"modules/{MINI_IDS[0]}/module.ipynb"]


def test_broken_module_fails_the_build_and_names_it(tmp_path):
    proj = make_project(tmp_path / "proj")
    for m in MINI_IDS[1:]:
        shutil.rmtree(proj / "modules" / m)
    nb_path = proj / "modules" / MINI_IDS[0] / "module.ipynb"
    nb = nbformat.read(nb_path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("raise RuntimeError('boom')"))
    nbformat.write(nb, nb_path)
    with pytest.raises(BuildError) as e:
        build(root=proj, echo=lambda s: None)
    assert f"modules/{MINI_IDS[0]}/module.ipynb" in str(e.value)


def test_kernel_gets_records_off(tmp_path):
    proj = make_project(tmp_path / "proj")
    for m in MINI_IDS[1:]:
        shutil.rmtree(proj / "modules" / m)
    nb_path = proj / "modules" / MINI_IDS[0] / "module.ipynb"
    nb = nbformat.read(nb_path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(
        "import os\nprint('records=' + os.environ.get('H4S_RECORDS', '?') + ' live=' + os.environ.get('H4S_LIVE', 'unset'))"))
    nbformat.write(nb, nb_path)
    res = build(root=proj, echo=lambda s: None)
    page = (res.html_dir / "modules" / MINI_IDS[0] / "module.html").read_text()
    assert "records=off live=unset" in page


# --------------------------------------------------------------- the repository's own toc
def test_committed_toc_lists_every_module():
    """_toc.yml in the repository is what `h4s build` would write: no module forgotten."""
    toc = ROOT / "_toc.yml"
    assert toc.is_file(), "_toc.yml is not committed: run `h4s build`"
    files = toc_files(toc)
    mods = toc_modules(ROOT / "modules")
    for m in mods:
        assert f"modules/{m.folder}/module" in files, f"{m.folder} is missing from _toc.yml: run `h4s build`"
    assert [f for f in files if f.startswith("modules/")] == [f"modules/{m.folder}/module" for m in mods]
    assert toc.read_text() == toc_text(ROOT, ROOT / "modules"), "_toc.yml is out of date: run `h4s build`"


def test_cli_help_is_quick_and_names_options():
    t0 = time.monotonic()
    out = subprocess.run([sys.executable, "-m", "h4s_kit.cli", "build", "--help"], capture_output=True, text=True,
                         cwd=ROOT, check=True).stdout
    assert time.monotonic() - t0 < 5
    for opt in ("--force", "--modules", "--out"):
        assert opt in out
    out = subprocess.run([sys.executable, "-m", "h4s_kit.cli", "serve", "--help"], capture_output=True, text=True,
                         cwd=ROOT, check=True).stdout
    for opt in ("--port", "--host", "--no-build"):
        assert opt in out


def test_build_outside_a_course_says_where_to_run_it(tmp_path):
    (tmp_path / "modules").mkdir()          # modules but no course around them: h4s new in an empty folder
    r = subprocess.run([sys.executable, "-m", "h4s_kit.cli", "build"], capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode != 0 and "Traceback" not in r.stderr
    (line,) = (r.stdout + r.stderr).strip().splitlines()
    assert f"no _config.yml in {tmp_path}" in line and "course folder" in line and "book/ and modules/" in line


# --------------------------------------------------------------- incremental post-processing and checks
def test_incremental_build_postprocesses_and_checks_what_changed(tmp_path):
    """A rebuild post-processes (a11y fixes, one current quiz runtime) the pages Sphinx writes again,
    leaves the others alone, and still refuses a third-party URL that one module gains."""
    from h4s_widgets._assets import static_runtime
    proj = make_project(tmp_path / "proj")
    first = build(root=proj, echo=lambda s: None)
    html = first.html_dir
    pages = sorted(html.rglob("*.html"))
    before = {p: p.stat().st_mtime_ns for p in pages}

    changed, other = MINI_IDS[1], MINI_IDS[0]
    nb_path = proj / "modules" / changed / "module.ipynb"
    nb = nbformat.read(nb_path, as_version=4)
    code = next(c for c in nb.cells if c.cell_type == "code" and "value = 6 * 7" in c.source)
    code.source = code.source.replace("6 * 7", "6 * 8")
    nbformat.write(nb, nb_path)
    second = build(root=proj, echo=lambda s: None)
    assert second.executed == [f"modules/{changed}/module.ipynb"]
    page = (html / "modules" / changed / "module.html").read_text()
    assert "The answer is 48" in page
    assert '<nav class="h4s-brand" aria-label="Book home">' in page, "the rewritten page was not post-processed"
    assert runtime_of(html / "modules" / changed / "module.html") == static_runtime([]) and 'id="h4s-css"' not in page
    untouched = html / "modules" / other / "module.html"
    assert untouched.stat().st_mtime_ns == before[untouched], "a page Sphinx did not write was rewritten"
    assert '<nav class="h4s-brand" aria-label="Book home">' in untouched.read_text()

    nb_path = proj / "modules" / other / "module.ipynb"
    clean = nb_path.read_text()
    nb = nbformat.read(nb_path, as_version=4)
    nb.cells.insert(1, nbformat.v4.new_markdown_cell('<img src="https://tracker.example.org/pixel.png" alt="">'))
    nbformat.write(nb, nb_path)
    for _ in range(2):   # the second time nothing changed: the recorded finding still counts
        with pytest.raises(BuildError) as e:
            build(root=proj, echo=lambda s: None)
        assert f"modules/{other}/module.html" in str(e.value) and "https://tracker.example.org/pixel.png" in str(e.value)
    nb_path.write_text(clean)
    build(root=proj, echo=lambda s: None)
    assert third_party_requests(html) == []


def test_third_party_record_rescans_changed_files_only(built, tmp_path):
    _, res, _ = built
    copy = tmp_path / "html"
    shutil.copytree(res.html_dir, copy)
    record = tmp_path / "scan.json"
    assert third_party_requests(copy, record=record) == []
    assert json.loads(record.read_text())["files"]
    page = copy / "book" / "index.html"
    page.write_text(page.read_text().replace("</head>", '<script src="https://cdn.example.org/x.js"></script></head>'))
    found = third_party_requests(copy, record=record)
    assert [(f.name, u) for f, _, u in found] == [("index.html", "https://cdn.example.org/x.js")]
    # unchanged since the last scan: the recorded finding is reported without reading the page again
    assert [(f.name, u) for f, _, u in third_party_requests(copy, record=record)] == [
        ("index.html", "https://cdn.example.org/x.js")]
    css = copy / "_static" / "h4s-extra.css"
    css.write_text('body { background: url("https://cdn.example.org/bg.png") }')
    assert ("h4s-extra.css", "https://cdn.example.org/bg.png") in {
        (f.name, u) for f, _, u in third_party_requests(copy, record=record)}


def test_postprocess_redoes_every_page_when_the_runtime_changes(tmp_path, monkeypatch):
    from h4s_kit.assets import h4s_book
    out = tmp_path / "html"
    (out / "sub").mkdir(parents=True)
    quiz = '<html><head></head><body><div class="h4s-data"></div>{}</body></html>'
    for name in ("a.html", "sub/b.html"):
        (out / name).write_text(quiz.format('<script id="h4s-runtime">/* old */</script>'))
    record = tmp_path / "rec.json"
    monkeypatch.setattr(h4s_book, "postprocess_stamp", lambda: "v1")
    monkeypatch.setattr("h4s_widgets._assets.static_runtime", lambda types=None: "/* runtime v1 */")
    assert len(h4s_book.postprocess_pages(out, record)) == 2
    assert all(runtime_of(out / n) == "/* runtime v1 */" and "old" not in (out / n).read_text()
               for n in ("a.html", "sub/b.html"))
    assert h4s_book.postprocess_pages(out, record) == []                    # nothing changed: nothing to do
    (out / "sub" / "b.html").write_text(quiz.format(""))                    # a page changed behind our back
    assert h4s_book.postprocess_pages(out, record) == [out / "sub" / "b.html"]
    assert h4s_book.postprocess_pages(out, record, written={str(out / "a.html")}) == [out / "a.html"]
    monkeypatch.setattr(h4s_book, "postprocess_stamp", lambda: "v2")       # e.g. a new quiz runtime
    monkeypatch.setattr("h4s_widgets._assets.static_runtime", lambda types=None: "/* runtime v2 */")
    assert len(h4s_book.postprocess_pages(out, record)) == 2
    assert all(runtime_of(out / n) == "/* runtime v2 */" for n in ("a.html", "sub/b.html"))
    assert len([p for p in (out / "_static" / "h4s").glob("quiz-*") if re.fullmatch(r"quiz-[0-9a-f]{16}\.js", p.name)]) == 1   # v1's file is gone


def test_unreviewed_module_stays_out_of_the_published_book_and_is_in_the_preview(tmp_path):
    """Issue 19: `h4s build` publishes only modules whose current version passed review; `--preview` builds
    every module into _build/preview and marks the others; nothing of the preview leaks into the book."""
    proj = make_project(tmp_path / "proj")
    held = MINI_IDS[1]
    nb_path = proj / "modules" / held / "module.ipynb"
    nb = nbformat.read(nb_path, as_version=4)
    nb.metadata["h4s"]["version"] = "1.1.0"          # a new version: its earlier review does not cover it
    nb.metadata["h4s"]["status"] = "review"
    nbformat.write(nb, nb_path)
    lines: list[str] = []
    res = build(root=proj, echo=lines.append)
    assert any(f"1 module(s) not published" in x and held in x for x in lines), lines
    assert not (res.html_dir / "modules" / held / "module.html").exists()
    assert (res.html_dir / "modules" / MINI_IDS[0] / "module.html").is_file()
    built_pages = [p.read_text("utf-8") for p in res.html_dir.rglob("*.html")]
    assert not [t for t in built_pages if f"modules/{held}/module.html" in t]     # no link to it anywhere
    cat = json.loads((res.html_dir / "catalog.json").read_text("utf-8"))
    assert sorted(e["id"] for e in cat["modules"]) == [m for m in MINI_IDS if m != held]
    assert f"modules/{held}/module" in (proj / "_toc.yml").read_text()              # the project's toc lists all

    pre = build(root=proj, echo=lambda s: None, preview=True)
    assert pre.html_dir == proj / "_build" / "preview" / "html"
    page = (pre.html_dir / "modules" / held / "module.html").read_text("utf-8")
    assert 'class="h4s-preview-banner"' in page and "version 1.1.0 of this module has not passed review" in page
    other = (pre.html_dir / "modules" / MINI_IDS[0] / "module.html").read_text("utf-8")
    assert "h4s-preview-banner" not in other
    assert not (res.html_dir / "modules" / held / "module.html").exists()            # the book is untouched
