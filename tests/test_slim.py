"""h4s_kit.assets.slim without building a book: icons, maths, stylesheet rules, the page rewrite."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from h4s_kit.assets import slim
from h4s_kit.assets.h4s_book import node_modules

ROOT = Path(__file__).resolve().parents[1]
NM = node_modules(ROOT)


@pytest.fixture
def icons():
    svgs = slim.fa_svgs(NM)
    assert svgs is not None, "node_modules/@fortawesome/fontawesome-free/svgs is missing: run `npm ci`"
    return slim.Icons(svgs)


def test_theme_icons_become_inline_svg(icons):
    page = ('<button aria-label="Color mode"><i aria-hidden="true" class="theme-switch fa-solid fa-sun fa-lg" '
            'data-mode="light"></i></button><span class="fa-solid fa-bars"></span>'
            '<i class="fas fa-download"></i><i class="fa-solid fa-no-such-icon"></i><span class="fa-note">text</span>')
    out = icons.replace(page)
    svgs = re.findall(r"<svg [^>]*>.*?</svg>", out)
    assert len(svgs) == 3
    sun = svgs[0]
    assert 'class="h4s-fa theme-switch fa-sun fa-lg"' in sun and 'data-mode="light"' in sun
    assert 'aria-hidden="true"' in sun and 'focusable="false"' in sun and re.search(r'viewBox="0 0 \d+ \d+"', sun)
    assert re.search(r'<path d="M[^"]{20,}"/>', sun)
    # an icon without a drawing stays as it was (and is reported); a span with text is not an icon
    assert '<i class="fa-solid fa-no-such-icon"></i>' in out and icons.missing == {"no-such-icon"}
    assert '<span class="fa-note">text</span>' in out
    assert icons.replace(out) == out                 # done once, nothing left to do


def test_fa6_names_map_to_drawings(icons):
    for name in ("magnifying-glass", "circle-half-stroke", "moon", "sun", "bars", "list", "angle-left",
                 "angle-right", "arrow-up", "chevron-down", "download", "file", "file-pdf", "outdent", "xmark"):
        assert icons.drawing(name, "solid") is not None, name


def test_tex_becomes_mathml_and_bad_tex_does_not():
    out = slim.tex_to_mathml([("E = mc^2", False), (r"\frac{a}{b}", True), (r"\nosuchmacro{x}", False)], NM)
    assert out[0].startswith("<math") and "<mi>E</mi>" in out[0] and "<msup>" in out[0]
    assert 'display="block"' in out[1] and "<mfrac>" in out[1]
    assert out[2] is None
    assert slim.tex_to_mathml([("x", False)], None) == [None]      # no node_modules: nothing converted


def _quiz_page(text_html: str) -> str:
    payload = {"spec": {"module": "m", "questions": [{"id": "q", "type": "single_choice", "text_html": text_html}]},
               "static": [{}]}
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    return ('<html><head><script>window.MathJax = {"options": {}}</script>'
            '<script defer="defer" src="../../_static/h4s-vendor/mathjax/tex-chtml.js?v=1"></script></head><body>'
            '<p><span class="math notranslate nohighlight">\\(a &lt; b\\)</span></p>'
            f'<div class="h4s-quiz"><script type="application/json" class="h4s-data">{data}</script></div>'
            '</body></html>')


def test_page_and_quiz_maths_become_mathml_and_mathjax_goes():
    page = _quiz_page('<p>What is <span class="h4s-math">\\(x^2\\)</span>?</p>')
    found = slim.page_maths(page)
    assert sorted(found) == [("a < b", False), ("x^2", False)]
    mathml = dict(zip(found, slim.tex_to_mathml(found, NM)))
    out, ok = slim.apply_maths(page, mathml)
    assert ok
    assert re.search(r'<span class="math notranslate nohighlight"><math[^>]*>.*<mo>&lt;</mo>', out)
    data = json.loads(re.search(r'class="h4s-data">(.*?)</script>', out, re.S).group(1).replace("<\\/", "</"))
    assert '<span class="h4s-math"><math' in data["spec"]["questions"][0]["text_html"]
    assert "<msup>" in data["spec"]["questions"][0]["text_html"]


def test_a_formula_that_cannot_be_converted_keeps_mathjax(tmp_path, icons):
    page = _quiz_page('<p><span class="h4s-math">\\(\\nosuchmacro\\)</span></p>')
    found = slim.page_maths(page)
    mathml = dict(zip(found, slim.tex_to_mathml(found, NM)))
    f = tmp_path / "modules" / "m" / "module.html"
    f.parent.mkdir(parents=True)
    bundle = slim.Bundle(css="_static/h4s/book-0.css", js="_static/h4s/book-0.js", quiz=None, files=[])
    out = slim.slim_page(page, f, tmp_path, bundle, icons, mathml=mathml)
    assert "h4s-vendor/mathjax/tex-chtml.js" in out and "window.MathJax" in out
    assert "\\nosuchmacro" in out
    # the same page with good maths loses MathJax
    good = _quiz_page('<p><span class="h4s-math">\\(y\\)</span></p>')
    found = slim.page_maths(good)
    out = slim.slim_page(good, f, tmp_path, bundle, icons, mathml=dict(zip(found, slim.tex_to_mathml(found, NM))))
    assert "mathjax" not in out.lower()


def test_fa_class_rules_go_and_other_rules_stay():
    css = ('a{color:red}\n.fa-sun{--fa:"\\f185"}.fa-lg{font-size:1.25em}.fa-solid,.fas{font-weight:900}'
           '.fa-bars,.fa-navicon{--fa:"\\f0c9"}.admonition-title:after{content:"\\f05a"}')
    out = slim._drop_fa_class_rules(css)
    assert ".fa-sun" not in out and ".fa-bars" not in out and ".fa-lg" not in out
    assert "a{color:red}" in out and ".fa-solid,.fas{font-weight:900}" in out and "admonition-title" in out
    assert slim._icon_codepoints(out) == {0xF05A}


def test_favicon_is_a_data_uri_without_quotes(tmp_path):
    f = tmp_path / "favicon.svg"
    f.write_text('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8"><title>H4S</title>'
                 '<rect width="8" height="8" fill="#00574b"/></svg>')
    uri = slim.favicon_data_uri(f)
    assert uri.startswith("data:image/svg+xml,") and '"' not in uri and "%2300574b" in uri


def test_slim_page_uses_one_stylesheet_and_one_script(tmp_path, icons):
    static = tmp_path / "_static"
    (static / "styles").mkdir(parents=True)
    (static / "styles" / "theme.css").write_text('@import "../basic.css";')
    (static / "basic.css").write_text("div.body{margin:0}")
    (static / "styles" / "pydata-sphinx-theme.css").write_text(
        '@charset "UTF-8";\n.x{background:url(../img/a.png)}\n.fa-sun{--fa:"\\f185"}')
    (static / "doctools.js").write_text('"use strict";\nconst Documentation = {};')
    (static / "theme.js").write_text("window.themeLoaded = typeof Documentation;")
    (static / "searchtools.js").write_text("/* search */")
    page = tmp_path / "book" / "p.html"
    page.parent.mkdir()
    page.write_text(
        '<html><head><link rel="preload" as="style" href="../_static/basic.css" />'
        '<link href="../_static/styles/theme.css?digest=1" rel="stylesheet" />'
        '<link href="../_static/styles/pydata-sphinx-theme.css?digest=1" rel="stylesheet" />'
        '<script defer src="../_static/doctools.js?v=1"></script><script>var inline = 1;</script>'
        '<script defer src="../_static/searchtools.js"></script>'
        '<link rel="icon" href="../_static/favicon.svg"/></head>'
        '<body><i class="fa-solid fa-bars"></i><script defer src="../_static/theme.js?v=2"></script></body></html>')
    css_rel, js_rel = slim.bundle_inputs(page.read_text(), page, tmp_path)
    assert css_rel == ["_static/styles/theme.css", "_static/styles/pydata-sphinx-theme.css"]
    assert js_rel == ["_static/doctools.js", "_static/theme.js"]
    bundle = slim.make_bundle(tmp_path, css_rel, js_rel)
    css = (tmp_path / bundle.css).read_text()
    assert "div.body{margin:0}" in css and "@import" not in css and "@charset" not in css
    assert 'url("../img/a.png")' in css and ".fa-sun" not in css
    js = (tmp_path / bundle.js).read_text()
    assert not js.lstrip().startswith('"use strict"') and js.index("Documentation = {}") < js.index("themeLoaded")
    assert re.fullmatch(r"_static/h4s/book-[0-9a-f]{16}\.css", bundle.css)
    out = slim.slim_page(page.read_text(), page, tmp_path, bundle, icons, favicon="data:image/svg+xml,x")
    assert out.count('rel="stylesheet"') == 1 and f'href="../{bundle.css}"' in out
    # the theme's script is loaded once the page has loaded (it does not compete with the first question)
    assert re.findall(r'<script[^>]*src="([^"]+)"', out) == []
    assert re.findall(r'<script id="h4s-theme-js">.*?s\.src="([^"]+)"', out) == [f"../{bundle.js}"]
    assert js.lstrip("/* h4s: the book's scripts, joined (h4s_kit/assets/slim.py) */\n").startswith(";")
    assert "preload" not in out and "searchtools" not in out and "var inline = 1" in out
    assert '<link rel="icon" href="data:image/svg+xml,x" />' in out and "<svg" in out and "<i " not in out
    assert slim.slim_page(out, page, tmp_path, bundle, icons, favicon="data:image/svg+xml,x") == out
    # the search page keeps its search scripts
    search = tmp_path / "search.html"
    search.write_text(page.read_text().replace("../", ""))
    assert "searchtools.js" in slim.slim_page(search.read_text(), search, tmp_path, bundle, icons)
    # same input, same names (content-hashed): a rebuild does not invalidate the learners' caches
    assert slim.make_bundle(tmp_path, css_rel, js_rel).css == bundle.css


def test_embedded_svg_figures_become_files_and_images_load_lazily(tmp_path):
    import base64
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">' + '<rect width="1" height="1"/>' * 100
           + "</svg>").encode()
    page = tmp_path / "modules" / "m" / "module.html"
    page.parent.mkdir(parents=True)
    html = ('<html><head><link rel="icon" href="x.svg"></head><body><img src="../../_static/logo.png" alt="logo">'
            '<article class="bd-article"><p><img src="data:image/svg+xml;base64,'
            + base64.b64encode(svg).decode() + '" alt="A chart"/><img src="data:image/svg+xml;base64,'
            + base64.b64encode(b"<svg/>").decode() + '" alt="tiny"/><img loading="eager" src="a.png" alt="a"/>'
            '</p></article></body></html>')
    out = slim.extract_figures(html, page, tmp_path)
    src = re.search(r'<img loading="lazy" src="([^"]+)" alt="A chart"', out).group(1)
    assert re.fullmatch(r"\.\./\.\./_static/h4s/fig-[0-9a-f]{16}\.svg", src)
    assert (page.parent / src).read_bytes() == svg
    assert 'alt="tiny"' in out and "base64," in out                       # a tiny one stays inline
    assert '<img src="../../_static/logo.png" alt="logo">' in out          # outside the article: untouched
    assert '<img loading="eager" src="a.png"' in out
    assert slim.extract_figures(out, page, tmp_path) == out
    # a rebuild's clean-up keeps figures (pages of earlier builds name them)
    slim.remove_stale(tmp_path, slim.Bundle(css="", js="", quiz=None, files=[]))
    assert (page.parent / src).is_file()
