"""Light book pages (issue 21): what a learner on prepaid mobile data downloads.

Run on the written HTML after every build (``h4s_book._build_finished``), on the pages that
post-processing redoes.  Out of the box a Jupyter Book 1.x page with sphinx-book-theme fetches ~30
files; here it fetches the page, one stylesheet, one script, the quiz runtime (pages with quizzes) and
its own images:

* **Icons**: the theme's ``<i class="fa-...">`` icons become inline SVG (Font Awesome Free 5.15.4
  icons, CC BY 4.0, from the npm package already self-hosted; credited in book/licence-and-credits.md),
  so neither ``fontawesome.js`` (1.5 MB, 531 KB gzipped) nor its font is loaded for them.  The
  ``.fa-*`` class rules of the theme's stylesheet go too; the few icons the theme's CSS draws with the
  icon font (admonition titles, breadcrumbs, external links) come from a subset of the font holding
  only those glyphs (fontTools; the full font when fontTools is missing).
* **One stylesheet, one script**: the theme's stylesheets (and the quiz CSS) are joined, in page order,
  into ``_static/h4s/book-<hash>.css``; its deferred scripts into ``_static/h4s/book-<hash>.js``;
  the quiz runtime to ``_static/h4s/quiz-<hash>.js`` and its late part to ``quiz-lazy-<hash>.js``
  instead of into every page.  ``<hash>`` is
  taken from the content, so the files can be cached for a year (``h4s serve`` says so for
  ``_static/h4s/``) and a new build gets new names.
* **Nothing unused**: the search scripts and index only on the search page, no ``preload`` of files
  that the page then loads anyway, the favicon inline, ``documentation_options.js`` inline (a few
  lines the inline scripts after it need synchronously).
* **Maths without MathJax**: TeX (``\\(..\\)``/``\\[..\\]`` of the page, ``h4s-math`` in quiz texts) is
  turned into MathML at build time by MathJax itself under Node (``node_modules/mathjax/es5/node-main.js``);
  browsers draw MathML natively (Chromium 109+, Firefox, Safari), so the page needs no MathJax (264 KB
  gzipped plus fonts).  A page whose maths cannot be converted keeps MathJax.
"""
from __future__ import annotations

import hashlib
import html as _html
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

OUT = "h4s"                  # folder under _static/ with the content-hashed files
FA_VERSION_DIR = ("@fortawesome", "fontawesome-free", "svgs")
#: Font Awesome 6 names the theme uses -> the 5.15.4 SVG file with that drawing
FA6_TO_5 = {"magnifying-glass": "search", "circle-half-stroke": "adjust", "xmark": "times",
            "arrow-up-right-from-square": "external-link-alt", "circle-info": "info-circle",
            "triangle-exclamation": "exclamation-triangle", "pen-to-square": "edit", "expand": "expand",
            "compress": "compress", "file-arrow-down": "file-download"}
_STYLE_CLASSES = {"fa", "fas", "far", "fab", "fa-solid", "fa-regular", "fa-brands", "fa-classic"}

_LINK = re.compile(r'<link\b[^>]*>\s*', re.I)
_SCRIPT_SRC = re.compile(r'<script\b([^>]*)\ssrc="([^"]+)"([^>]*)>\s*</script>\s*', re.I)
#: an empty <i> or <span> with Font Awesome classes (the theme writes both)
_ICON = re.compile(r'<(i|span)\b([^>]*\bclass="(?:[^"]*\s)?fa(?:[bsr]|-[a-z0-9-]+)(?:\s[^"]*)?"[^>]*)>\s*</\1>')
_ATTR = re.compile(r'([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*"([^"]*)")?')
_URL = re.compile(r'url\(\s*([\'"]?)([^\'")]+)\1\s*\)')
_MATH_SPAN = re.compile(r'(<(span|div) class="math notranslate nohighlight">)\s*(\\\(|\\\[)(.*?)(\\\)|\\\])\s*(</\2>)', re.S)
_QUIZ_MATH = re.compile(r'<span class="h4s-math">\\\((.*?)\\\)</span>', re.S)
_DATA = re.compile(r'(<script type="application/json" class="h4s-data">)(.*?)(</script>)', re.S)
_MATHJAX = re.compile(r'\s*<script>window\.MathJax = [^<]*</script>|\s*<script[^>]*\ssrc="[^"]*h4s-vendor/mathjax/[^"]*"[^>]*></script>')
#: search-only scripts (Sphinx puts them into every page of this theme)
_SEARCH_ONLY = ("searchtools.js", "language_data.js", "searchindex.js")
_LATE = re.compile(r'<script id="h4s-theme-js">.*?</script>\n?', re.S)


def _hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def _strip_query(url: str) -> str:
    return url.split("?", 1)[0].split("#", 1)[0]


def _is_local(url: str) -> bool:
    return not re.match(r"^\s*(?:[a-z][a-z0-9+.-]*:|//)", url, re.I)


def _page_rel(page: Path, outdir: Path) -> str:
    """'../../' from a page to the book's root."""
    depth = len(page.relative_to(outdir).parts) - 1
    return "../" * depth


# ----------------------------------------------------------------------- icons
@dataclass
class Icons:
    svgs: Path | None
    cache: dict[str, tuple[str, str] | None] = field(default_factory=dict)
    missing: set[str] = field(default_factory=set)

    def drawing(self, name: str, style: str) -> tuple[str, str] | None:
        key = f"{style}/{name}"
        if key in self.cache:
            return self.cache[key]
        found = None
        if self.svgs is not None:
            file = FA6_TO_5.get(name, name) + ".svg"
            for folder in ((style,) + tuple(s for s in ("solid", "regular", "brands") if s != style)):
                p = self.svgs / folder / file
                if p.is_file():
                    text = p.read_text(encoding="utf-8")
                    vb = re.search(r'viewBox="([^"]+)"', text)
                    paths = re.findall(r'<path d="([^"]+)"', text)
                    if vb and paths:
                        found = (vb.group(1), "".join(f'<path d="{d}"/>' for d in paths))
                    break
        self.cache[key] = found
        return found

    def replace(self, page: str) -> str:
        def one(m: re.Match) -> str:
            attrs = [(k, v) for k, v in _ATTR.findall(m.group(2))]
            classes = next((v for k, v in attrs if k == "class"), "").split()
            names = [c[3:] for c in classes if c.startswith("fa-") and c not in _STYLE_CLASSES
                     and not re.match(r"fa-(lg|xs|sm|[0-9]+x|fw|spin|pulse|inverse|border|li|ul)$", c)]
            style = "brands" if {"fab", "fa-brands"} & set(classes) else \
                "regular" if {"far", "fa-regular"} & set(classes) else "solid"
            if not names:
                return m.group(0)
            d = self.drawing(names[0], style)
            if d is None:
                self.missing.add(names[0])
                return m.group(0)
            keep = [c for c in classes if c not in _STYLE_CLASSES]
            out = [f'class="{_html.escape(" ".join(["h4s-fa"] + keep), quote=True)}"']
            for k, v in attrs:
                if k in ("class", "aria-hidden", "title"):
                    continue
                out.append(f'{k}="{v}"' if v or k.startswith("data-") else k)
            return (f'<svg {" ".join(out)} aria-hidden="true" focusable="false" viewBox="{d[0]}" '
                    f'xmlns="http://www.w3.org/2000/svg">{d[1]}</svg>')
        return _ICON.sub(one, page)


ICON_CSS = """
/* inline SVG icons (h4s_kit/assets/slim.py; Font Awesome Free 5.15.4, CC BY 4.0) */
svg.h4s-fa{display:inline-block;height:1em;width:auto;overflow:visible;vertical-align:-.125em;fill:currentColor}
svg.h4s-fa.fa-lg{height:1.25em;vertical-align:-.25em}
svg.h4s-fa.fa-fw{width:1.25em}
/* maths as MathML (drawn by the browser): a little larger, like MathJax's output */
math{font-size:1.1em}
math[display="block"]{margin:.5em 0;overflow-x:auto;overflow-y:hidden}
"""


# --------------------------------------------------------------------- maths
def tex_to_mathml(items: list[tuple[str, bool]], node_modules: Path | None, timeout: float = 120) -> list[str | None]:
    """MathML for each (TeX, display) with MathJax 3 under Node; None for a formula that fails
    (or for all of them when Node or MathJax is missing)."""
    if not items:
        return []
    main = node_modules / "mathjax" / "es5" / "node-main.js" if node_modules else None
    node = shutil.which("node")
    if not main or not main.is_file() or not node:
        return [None] * len(items)
    script = r"""
const MJ = require(process.argv[1]);
let input = ''; process.stdin.on('data', d => input += d); process.stdin.on('end', () => {
  MJ.init({loader: {load: ['input/tex-base', '[tex]/ams', '[tex]/newcommand', '[tex]/boldsymbol']},
           tex: {packages: {'[+]': ['ams', 'newcommand', 'boldsymbol']}}})
  .then(M => {
    const out = JSON.parse(input).map(([tex, display]) => {
      try { return M.tex2mml(tex, {display}).replace(/\n\s*/g, ''); } catch (e) { return null; }
    });
    process.stdout.write(JSON.stringify(out));
  }).catch(e => { process.stderr.write(String(e)); process.exit(1); });
});
"""
    try:
        r = subprocess.run([node, "-e", script, str(main)], input=json.dumps(items), capture_output=True, text=True,
                           timeout=timeout)
        out = json.loads(r.stdout) if r.returncode == 0 else None
    except (OSError, ValueError, subprocess.TimeoutExpired):
        out = None
    if not isinstance(out, list) or len(out) != len(items):
        return [None] * len(items)
    # MathJax marks undefined macros with <merror>: treat those as failures (MathJax would show them in red too)
    return [m if isinstance(m, str) and "<merror" not in m else None for m in out]


def _unescape_tex(s: str) -> str:
    return _html.unescape(s)


def page_maths(text: str) -> list[tuple[str, bool]]:
    """Every (TeX, display) of a page: Sphinx's maths and the ``h4s-math`` of its quizzes."""
    found = [(_unescape_tex(m.group(4)), m.group(3) == "\\[") for m in _MATH_SPAN.finditer(text)]
    for m in _DATA.finditer(text):
        raw = m.group(2).replace("<\\/", "</")
        if "h4s-math" in raw:
            found += [(_unescape_tex(x), False) for x in _QUIZ_MATH.findall(_quiz_texts(raw))]
    return found


def _quiz_texts(raw: str) -> str:
    """All strings of a quiz payload joined (so the maths in them can be found)."""
    try:
        data = json.loads(raw)
    except ValueError:
        return ""
    out: list[str] = []

    def walk(x):
        if isinstance(x, str):
            out.append(x)
        elif isinstance(x, dict):
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)
    walk(data)
    return "\n".join(out)


def apply_maths(text: str, mathml: dict[tuple[str, bool], str | None]) -> tuple[str, bool]:
    """The page with its TeX replaced by MathML; and whether all of it could be replaced."""
    ok = True

    def page_one(m: re.Match) -> str:
        nonlocal ok
        key = (_unescape_tex(m.group(4)), m.group(3) == "\\[")
        mml = mathml.get(key)
        if not mml:
            ok = False
            return m.group(0)
        return f"{m.group(1)}{mml}{m.group(6)}"

    text = _MATH_SPAN.sub(page_one, text)

    def quiz_one(m: re.Match) -> str:
        nonlocal ok
        raw = m.group(2).replace("<\\/", "</")
        if "h4s-math" not in raw:
            return m.group(0)
        try:
            data = json.loads(raw)
        except ValueError:
            ok = False
            return m.group(0)

        def conv(s: str) -> str:
            def sub(mm: re.Match) -> str:
                nonlocal ok
                mml = mathml.get((_unescape_tex(mm.group(1)), False))
                if not mml:
                    ok = False
                    return mm.group(0)
                return f'<span class="h4s-math">{mml}</span>'
            return _QUIZ_MATH.sub(sub, s)

        def walk(x):
            if isinstance(x, str):
                return conv(x) if "h4s-math" in x else x
            if isinstance(x, dict):
                return {k: walk(v) for k, v in x.items()}
            if isinstance(x, list):
                return [walk(v) for v in x]
            return x
        out = json.dumps(walk(data), ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
        return m.group(1) + out + m.group(3)

    text = _DATA.sub(quiz_one, text)
    return text, ok


# ------------------------------------------------------------------- bundles
def _css_urls_rebased(css: str, src: Path, dest_dir: Path, static: Path) -> str:
    """url(...) of ``src`` made relative to ``dest_dir``."""
    def one(m: re.Match) -> str:
        url = m.group(2).strip()
        if not _is_local(url) or url.startswith(("data:", "#")):
            return m.group(0)
        target = (src.parent / _strip_query(url)).resolve()
        rest = url[len(_strip_query(url)):]
        return f'url("{os.path.relpath(target, dest_dir.resolve()).replace(os.sep, "/")}{rest}")'
    return _URL.sub(one, css)


def _drop_fa_class_rules(css: str) -> str:
    """Remove rules whose every selector is a Font Awesome class (``.fa-xxx``: the icon font's names)."""
    def one(m: re.Match) -> str:
        sels = m.group(1)
        if all(s.strip().startswith(".fa-") for s in sels.split(",")):
            return ""
        return m.group(0)
    return re.sub(r'(?<=[}\n;])([^{}@;]+)\{[^{}]*\}', one, css)


def _icon_codepoints(css: str) -> set[int]:
    cps = {int(x, 16) for x in re.findall(r'\\(f[0-9a-f]{3})\b', css, re.I)}
    cps |= {ord(c) for c in css if 0xE000 <= ord(c) <= 0xF8FF}
    return cps


def _subset_font(src: Path, cps: set[int]) -> tuple[bytes, str] | None:
    """(bytes, extension) of ``src`` with only ``cps``; None without fontTools or when nothing is left."""
    try:
        from fontTools import subset
        from fontTools.ttLib import TTFont
    except ImportError:
        return None
    import io
    ttf = src.with_suffix(".ttf") if src.with_suffix(".ttf").is_file() else src
    try:
        font = TTFont(str(ttf), recalcTimestamp=False)   # the same bytes every build (a content-hashed name)
        have = set(font.getBestCmap() or {})
        want = cps & have
        if not want:
            return None
        opts = subset.Options()
        opts.flavor = "woff"          # zlib: woff2 needs the brotli module
        opts.layout_features = []
        opts.name_IDs = [0, 1, 2]      # copyright and names stay (OFL)
        opts.notdef_outline = True
        sub = subset.Subsetter(options=opts)
        sub.populate(unicodes=sorted(want))
        sub.subset(font)
        buf = io.BytesIO()
        font.flavor = "woff"
        font.save(buf)
        return buf.getvalue(), ".woff"
    except Exception:  # noqa: BLE001 - a font fontTools cannot read: keep the original
        return None


@dataclass
class Bundle:
    css: str                 # path below the book root, e.g. _static/h4s/book-<hash>.css
    js: str
    quiz: str | None         # the quiz runtime, e.g. _static/h4s/quiz-<hash>.js
    files: list[str]         # every file written (below the book root)
    chunks: dict[str, str] = field(default_factory=dict)   # question type -> its quiz chunk (script text)
    lazy: str | None = None  # the quiz runtime's late part (h4s_widgets/_assets.py), run when the page is idle


def _written(outdir: Path, rel_dir: str, stem: str, ext: str, data: bytes, files: list[str]) -> str:
    name = f"{rel_dir}/{stem}-{_hash(data)}{ext}"
    p = outdir / name
    p.parent.mkdir(parents=True, exist_ok=True)
    if not p.is_file() or p.read_bytes() != data:
        p.write_bytes(data)
    files.append(name)
    return name


def _head_assets(page: str) -> tuple[list[str], list[tuple[str, str]]]:
    """(stylesheet hrefs, (script src, extra attributes)) of a page, in order, as written by Sphinx."""
    css, js = [], []
    for m in _LINK.finditer(page):
        tag = m.group(0)
        if re.search(r'rel="stylesheet"', tag):
            href = re.search(r'href="([^"]+)"', tag)
            if href:
                css.append(href.group(1))
    for m in _SCRIPT_SRC.finditer(page):
        js.append((m.group(2), (m.group(1) + " " + m.group(3))))
    return css, js


def _to_static(url: str, page: Path, outdir: Path) -> Path | None:
    if not _is_local(url):
        return None
    p = (page.parent / _strip_query(url)).resolve()
    try:
        p.relative_to(outdir.resolve())
    except ValueError:
        return None
    return p if p.is_file() else None


def _bundled_js(rel: str) -> bool:
    name = rel.rsplit("/", 1)[-1]
    return (rel.startswith("_static/") and not rel.startswith(f"_static/{OUT}/") and "h4s-vendor/" not in rel
            and name not in _SEARCH_ONLY and name not in ("documentation_options.js", "fontawesome.js"))


def bundle_inputs(page_text: str, page: Path, outdir: Path) -> tuple[list[str], list[str]]:
    """(stylesheets, scripts) below the book root that a page as Sphinx wrote it loads and the bundle takes
    over, in page order."""
    css_rel, js_rel = [], []
    css, js = _head_assets(page_text)
    for u in css:
        p = _to_static(u, page, outdir)
        if p is not None:
            rel = p.relative_to(outdir.resolve()).as_posix()
            if rel.startswith("_static/") and not rel.startswith(f"_static/{OUT}/") and rel not in css_rel:
                css_rel.append(rel)
    for u, _ in js:
        p = _to_static(u, page, outdir)
        if p is not None:
            rel = p.relative_to(outdir.resolve()).as_posix()
            if _bundled_js(rel) and rel not in js_rel:
                js_rel.append(rel)
    return css_rel, js_rel


def is_sphinx_page(text: str) -> bool:
    """True for a page as Sphinx wrote it (not slimmed yet)."""
    return "styles/pydata-sphinx-theme.css" in text


def make_bundle(outdir: Path, css_rel: list[str], js_rel: list[str], extra_css: str = "",
                quiz_runtime: str | None = None, quiz_chunks: dict[str, str] | None = None,
                quiz_lazy: str | None = None) -> Bundle:
    """Write the content-hashed stylesheet, script (and quiz runtime) of the book; returns their names (and
    the question types' quiz chunks, which pages inline)."""
    outdir = Path(outdir)
    static = outdir / "_static"
    dest = static / OUT
    css_files = [outdir / r for r in css_rel if (outdir / r).is_file()]
    js_files = [outdir / r for r in js_rel if (outdir / r).is_file()]
    files: list[str] = []
    # --- fonts of the icon font faces: a subset with the glyphs the CSS still draws
    parts = []
    seen: set[Path] = set()

    def one_css(f: Path) -> str:
        """A stylesheet with its local @imports inlined (an @import cannot follow other rules) and its
        url()s made relative to the bundle."""
        seen.add(f.resolve())
        text = f.read_text(encoding="utf-8")
        text = re.sub(r'^\s*@charset "[^"]*";', "", text)
        if f.name == "pydata-sphinx-theme.css":
            text = _drop_fa_class_rules(text)
        text = _css_urls_rebased(text, f, dest, static)

        def imp(m: re.Match) -> str:
            target = (f.parent / _strip_query(m.group(2))).resolve()
            if not _is_local(m.group(2)) or not target.is_file():
                return m.group(0)
            if target in seen:
                return ""
            return one_css(target)
        text = re.sub(r'@import\s+(?:url\()?\s*([\'"])([^\'"]+)\1\s*\)?\s*;', imp, text)
        return f"/* {f.relative_to(static).as_posix()} */\n{text}"

    for f in css_files:
        if f.resolve() not in seen:
            parts.append(one_css(f))
    css = "\n".join(parts) + "\n" + ICON_CSS + extra_css
    cps = _icon_codepoints(css)

    def font_face(m: re.Match) -> str:
        body = m.group(0)
        if "Font Awesome" not in body:
            return body
        src = re.search(r'url\("([^"]+\.woff2)"\)', body)
        if not src:
            return body
        font = (dest / src.group(1)).resolve()
        sub = _subset_font(font, cps) if font.is_file() else None
        if sub is None:
            if not font.is_file():
                return body
            data, ext = font.read_bytes(), ".woff2"
        else:
            data, ext = sub
        name = _written(outdir, f"_static/{OUT}", font.stem, ext, data, files)
        fmt = "woff2" if ext == ".woff2" else "woff"
        rel = os.path.relpath(outdir / name, dest).replace(os.sep, "/")
        return re.sub(r'src:[^;}]+', f'src:url("{rel}") format("{fmt}")', body)

    css = re.sub(r'@font-face\{[^}]*\}', font_face, css)
    css_name = _written(outdir, f"_static/{OUT}", "book", ".css", css.encode("utf-8"), files)
    js = "/* h4s: the book's scripts, joined (h4s_kit/assets/slim.py) */\n" + LATE_PROLOGUE + "\n;\n".join(
        f"/* {f.relative_to(static).as_posix()} */\n" + re.sub(r"//# sourceMappingURL=\S+", "",
                                                                 f.read_text(encoding="utf-8"))
        for f in js_files) + LATE_EPILOGUE
    js_name = _written(outdir, f"_static/{OUT}", "book", ".js", js.encode("utf-8"), files)
    quiz_name = None
    if quiz_runtime is not None:
        quiz_name = _written(outdir, f"_static/{OUT}", "quiz", ".js", quiz_runtime.encode("utf-8"), files)
    lazy_name = None
    if quiz_lazy is not None:
        lazy_name = _written(outdir, f"_static/{OUT}", "quiz-lazy", ".js", quiz_lazy.encode("utf-8"), files)
    return Bundle(css=css_name, js=js_name, quiz=quiz_name, files=files, chunks=dict(quiz_chunks or {}), lazy=lazy_name)


def remove_stale(outdir: Path, bundle: Bundle) -> None:
    keep = set(bundle.files)
    d = Path(outdir) / "_static" / OUT
    if d.is_dir():
        for f in d.iterdir():
            if f.is_file() and f"_static/{OUT}/{f.name}" not in keep and not f.name.startswith(FIG_PREFIX):
                f.unlink()


# ---------------------------------------------------------------------- pages
def slim_page(text: str, page: Path, outdir: Path, bundle: Bundle, icons: Icons, favicon: str | None = None,
              doc_options: str | None = None, mathml: dict | None = None) -> str:
    """One page rewritten to use the bundle (idempotent: a page done before is redone the same way)."""
    up = _page_rel(page, outdir)
    head, sep, body = text.partition("</head>")
    if not sep:
        return text
    is_search = page.name == "search.html" and page.parent == outdir
    css_done = js_done = False

    def unlate(m: re.Match) -> str:   # a page slimmed before: its late loader becomes a script tag again
        src = re.search(r's\.src="([^"]+)"', m.group(0))
        prefix = re.search(r'setAttribute\("data-sd-tabs-storage-prefix","([^"]*)"\)', m.group(0))
        return (f'<script defer src="{src.group(1) if src else up + bundle.js}"'
                f'{f" data-sd-tabs-storage-prefix={chr(34)}{prefix.group(1)}{chr(34)}" if prefix else ""}></script>\n')
    text = _LATE.sub(unlate, text)
    head, sep, body = text.partition("</head>")

    def link(m: re.Match) -> str:
        nonlocal css_done
        tag = m.group(0)
        rel = (re.search(r'\brel="([^"]+)"', tag) or [None, ""])[1].lower()
        href = (re.search(r'\bhref="([^"]+)"', tag) or [None, ""])[1]
        if rel == "stylesheet" and _is_local(href):
            if css_done:
                return ""
            css_done = True
            return f'<link rel="stylesheet" href="{up}{bundle.css}" />\n'
        if rel == "preload" and _is_local(href):
            return ""
        if rel == "icon" and favicon:
            return f'<link rel="icon" href="{favicon}" />\n'
        return tag

    head = _LINK.sub(link, head)

    def script(m: re.Match) -> str:
        nonlocal js_done
        attrs, src = m.group(1) + " " + m.group(3), m.group(2)
        if not _is_local(src) or "id=\"h4s-runtime\"" in attrs:
            return m.group(0)
        path = _strip_query(src)
        name = path.rsplit("/", 1)[-1]
        if name in _SEARCH_ONLY:
            return m.group(0) if is_search else ""
        if name == "fontawesome.js":
            return ""
        if name == "documentation_options.js" and doc_options is not None:
            return f"<script>{doc_options}</script>\n"
        if "h4s-vendor/mathjax/" in path:
            return m.group(0)
        try:
            rel = (page.parent / path).resolve().relative_to(outdir.resolve()).as_posix()
        except ValueError:
            return m.group(0)
        if rel.startswith(f"_static/{OUT}/book-") or _bundled_js(rel):
            if js_done:
                return ""
            js_done = True
            extra = re.search(r'data-sd-tabs-storage-prefix="([^"]*)"', attrs)
            if is_search:     # the search page's own scripts (deferred, after this one) need doctools.js
                return (f'<script defer src="{up}{bundle.js}"'
                        f'{f" {extra.group(0)}" if extra else ""}></script>\n')
            return late_script(up + bundle.js, {"data-sd-tabs-storage-prefix": extra.group(1)} if extra else {})
        return m.group(0)

    head = _SCRIPT_SRC.sub(script, head)
    body = _SCRIPT_SRC.sub(script, body)   # bootstrap.js and pydata-sphinx-theme.js at the end of the body
    text = head + sep + body
    text = icons.replace(text)
    text = extract_figures(text, page, outdir)
    text = manifest_link(text, up)
    if mathml is not None and ("class=\"math notranslate" in text or "h4s-math" in text):
        text, ok = apply_maths(text, mathml)
        if ok:
            text = _MATHJAX.sub("", text)
    elif mathml is not None:
        text = _MATHJAX.sub("", text)
    return text


def late_script(src: str, attrs: dict[str, str]) -> str:
    """An inline script that loads ``src`` once the page has loaded (its stylesheet, images and the quiz
    runtime), or 3 s after the DOM is ready if the load event is late (an image stalling on a flaky
    connection).  On a slow connection the theme's script (sidebar, search, colour mode, tooltips: 43 KB)
    then does not share the bandwidth with what the first question needs.  The bundle makes
    DOMContentLoaded listeners added after that event run at once (:data:`LATE_PROLOGUE`)."""
    set_attrs = "".join(f's.setAttribute({json.dumps(k)},{json.dumps(v)});' for k, v in attrs.items())
    return ('<script id="h4s-theme-js">(function(){var done=false;function go(){if(done)return;done=true;'
            f'var s=document.createElement("script");s.src={json.dumps(src)};{set_attrs}'
            'document.head.appendChild(s)}'
            'if(document.readyState==="complete")go();else{addEventListener("load",go);'
            'document.addEventListener("DOMContentLoaded",function(){setTimeout(go,3000)})}})();</script>\n')


#: first lines of the joined script: when it runs after DOMContentLoaded (loaded late), a listener for that
#: event (design-tabs.js adds one without checking readyState) is called at once instead of never
LATE_PROLOGUE = """;(function () {
  var d = document, add = d.addEventListener;
  if (d.readyState === "loading") return;
  d.addEventListener = function (type, fn, opts) {
    if (type === "DOMContentLoaded" && typeof fn === "function") {
      setTimeout(function () { fn.call(d, new Event("DOMContentLoaded")); }, 0);
      return;
    }
    return add.call(d, type, fn, opts);
  };
  window.__h4sLateRestore = function () { d.addEventListener = add; delete window.__h4sLateRestore; };
})();
"""
LATE_EPILOGUE = "\n;if (window.__h4sLateRestore) window.__h4sLateRestore();\n"


_DATA_SVG = re.compile(r'(<img\b[^>]*?\ssrc=")data:image/svg\+xml;base64,([A-Za-z0-9+/=\s]+)(")')
FIG_PREFIX = "fig-"


def extract_figures(text: str, page: Path, outdir: Path, min_bytes: int = 1024) -> str:
    """SVG figures that notebooks embed as base64 ``data:`` URIs (matplotlib output) become files
    ``_static/h4s/fig-<hash>.svg``: base64 hides the text from gzip (a figure took ~10 KB of the gzipped page;
    as a file it is served gzipped and cached for a year, and the browser may load it only when it is
    scrolled to).  Content images without a ``loading`` attribute get ``loading="lazy"``."""
    import base64
    import binascii
    up = _page_rel(page, outdir)

    def one(m: re.Match) -> str:
        try:
            data = base64.b64decode(re.sub(r"\s+", "", m.group(2)), validate=True)
        except (binascii.Error, ValueError):
            return m.group(0)
        if len(data) < min_bytes:
            return m.group(0)
        name = f"_static/{OUT}/{FIG_PREFIX}{_hash(data)}.svg"
        p = outdir / name
        if not p.is_file():
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(data)
        return f"{m.group(1)}{up}{name}{m.group(3)}"

    text = _DATA_SVG.sub(one, text)
    head, sep, body = text.partition("<article")
    if sep:
        body = re.sub(r"<img\b(?![^>]*\sloading=)", '<img loading="lazy"', body)
    return head + sep + body


def quiz_runtime_tag(up: str, bundle: Bundle, types: Iterable[str] = ()) -> str:
    """The quiz JS of a page with quizzes, put right after its first quiz
    (:func:`h4s_widgets._assets.after_first_quiz`): the chunks of the page's question ``types`` inline (1-2 KB
    gzip each; a file each would cost a request each before the quiz shows) and the runtime from its
    content-hashed file, cached for the next pages (inline, it would add about 6 KB gzip to every page).

    A plain (parser-blocking) script, so that the first quiz is drawn while the rest of the page is parsed;
    the browser's preload scanner has fetched it by then (an ``async`` runtime at the end of the body drew the
    questions later; measured with bench/static_page.py).  The runtime mounts the quizzes parsed by then and
    the rest at DOMContentLoaded.  ``data-h4s-runtime`` tells ``h4s serve`` that this runtime grades on the
    server when the page's keys are stripped (``payload.server``: the build writes the current runtime, which
    always does).  ``data-h4s-lazy`` names the runtime's late part, which it loads when the page is idle (so
    a page kept offline has it)."""
    chunks = "".join(f'<script class="h4s-type">{bundle.chunks[t].strip()}</script>'
                     for t in sorted(set(types)) if t in bundle.chunks)
    return (f'{chunks}<script id="h4s-runtime" src="{up}{bundle.quiz}" '
            + (f'data-h4s-lazy="{up}{bundle.lazy}" ' if bundle.lazy else "")
            + 'data-h4s-runtime="static, knows payload.server"></script>')


def favicon_data_uri(path: Path) -> str | None:
    try:
        svg = path.read_text(encoding="utf-8")
    except OSError:
        return None
    from urllib.parse import quote
    svg = re.sub(r"\s+", " ", re.sub(r"<!--.*?-->", "", svg, flags=re.S)).strip()
    return "data:image/svg+xml," + quote(svg.replace('"', "'"), safe=" =:/'<>,;-.()")   # '#' must be %23 in a data: URI


def doc_options_inline(outdir: Path) -> str | None:
    p = Path(outdir) / "_static" / "documentation_options.js"
    try:
        return re.sub(r"\s*\n\s*", " ", p.read_text(encoding="utf-8")).strip()
    except OSError:
        return None


def fa_svgs(node_modules: Path | None) -> Path | None:
    if node_modules is None:
        return None
    p = node_modules.joinpath(*FA_VERSION_DIR)
    return p if p.is_dir() else None


# -------------------------------------------------------------------- offline
SERVICE_WORKER = """/* h4s book service worker (h4s_kit/assets/slim.py).  Registered only when a learner keeps a module
 * offline (h4s-book.js).  Every GET of this origin goes to the network first; when the network fails, the
 * answer comes from the modules kept on this device, and a page that was not kept gets offline.html. */
"use strict";
const OFFLINE = "h4s-offline-page";
self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(OFFLINE).then((c) => c.add(new Request("offline.html", {cache: "reload"})))
    .then(() => self.skipWaiting()));
});
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));
self.addEventListener("fetch", (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (req.method !== "GET" || url.origin !== self.location.origin || /^\\/(api|live|trainer)\\//.test(url.pathname)) return;
  event.respondWith(fetch(req).catch(async () => {
    const hit = await caches.match(req, {ignoreVary: true}) ||
      await caches.match(req.url.split("#")[0], {ignoreVary: true, ignoreSearch: true});
    if (hit) return hit;
    if (req.mode === "navigate") {
      const page = await caches.match(new URL("offline.html", self.location.href).href, {ignoreVary: true});
      if (page) return page;
    }
    return Response.error();
  }));
});
"""

OFFLINE_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Offline: {title}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1c2433;background:#fff}}
a{{color:#00574b}}@media (prefers-color-scheme:dark){{body{{background:#14181f;color:#e8ecf3}}a{{color:#8de0d3}}}}</style>
</head><body><main>
<h1>You are offline</h1>
<p>This page was not kept on this device. The modules kept offline open without a connection:</p>
<ul id="kept"><li>None.</li></ul>
<p>When the connection is back, reload the page.</p>
</main>
<script>
(async function () {{
  if (!window.caches) return;
  const list = document.getElementById("kept"), names = (await caches.keys()).filter(n => n.indexOf("h4s-module-") === 0);
  if (!names.length) return;
  list.textContent = "";
  for (const name of names.sort()) {{
    const id = name.slice(11), cache = await caches.open(name);
    const key = (await cache.keys()).find(r => /\\/h4s-kept\\/[^/]+\\.json$/.test(r.url));
    const res = key ? await cache.match(key, {{ignoreVary: true}}) : null;
    const meta = res ? await res.json() : {{title: id, url: null}};
    const li = document.createElement("li"), a = document.createElement("a");
    a.textContent = meta.title; if (meta.url) a.href = meta.url;
    li.append(a); list.append(li);
  }}
}})();
</script></body></html>
"""


def write_offline_files(outdir: Path, title: str = "Hack4Society") -> None:
    """sw.js, offline.html and manifest.webmanifest at the book's root (the service worker's scope)."""
    outdir = Path(outdir)
    files = {
        "sw.js": SERVICE_WORKER,
        "offline.html": OFFLINE_PAGE.format(title=_html.escape(title)),
        "manifest.webmanifest": json.dumps({
            "name": title, "short_name": "Hack4Society", "start_url": "./", "scope": "./", "display": "standalone",
            "background_color": "#ffffff", "theme_color": "#00574b",
            "icons": [{"src": "_static/favicon.svg", "sizes": "any", "type": "image/svg+xml"}]}, indent=1),
    }
    for name, text in files.items():
        p = outdir / name
        if not p.is_file() or p.read_text(encoding="utf-8") != text:
            p.write_text(text, encoding="utf-8")


def manifest_link(text: str, up: str) -> str:
    if 'rel="manifest"' in text:
        return text
    return text.replace("</head>", f'<link rel="manifest" href="{up}manifest.webmanifest" />\n</head>', 1)
