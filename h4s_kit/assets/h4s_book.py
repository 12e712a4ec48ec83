"""Sphinx extension of the h4s web book (registered in ``_config.yml``).

* Module pages (notebooks with ``metadata["h4s"]``) get a banner linking to
  their live version and ``<meta name="h4s-live-url" content="...">`` (the
  static quiz uses it for code exercises).  The live URL comes from the
  config value ``h4s_live_url`` (``{folder}`` and ``{id}`` are filled in; in the book of a language LL,
  ``h4s_book_language``, they are ``LL/<folder>``: the live version in that language).
* MathJax 3 is self-hosted: the files the pages need are copied from
  ``node_modules/mathjax`` into a folder ``h4s-vendor/`` that is added to
  ``html_static_path`` (so it ends up in ``_static/h4s-vendor/``);
  ``mathjax_path`` in ``_config.yml`` points there.
* Accessibility fixes for sphinx-book-theme (axe-core 4.14): the search and
  colour-mode buttons get accessible names that contain their visible
  text, and the sidebar logo/brand sits inside a landmark.  Done on the
  written HTML (``build-finished``) so that it also holds without
  JavaScript.
* Light pages (issue 21, :mod:`h4s_kit.assets.slim`): after the fixes, every
  page gets the theme's icons as inline SVG, one content-hashed stylesheet
  and script for the whole book, the quiz runtime as a content-hashed file,
  and its maths as MathML; MathJax stays only where a formula cannot be
  converted.
"""
from __future__ import annotations

import html
import json
import os
import re
import shutil
from pathlib import Path

HERE = Path(__file__).parent
BOOK_ASSETS = HERE / "book"
MATHJAX_FILES = ["tex-chtml.js"]
MATHJAX_DIRS = ["output/chtml/fonts/woff-v2", "input/tex/extensions", "ui", "a11y"]


def node_modules(start: Path) -> Path | None:
    """node_modules with mathjax: $H4S_NODE_MODULES, next to the book, or next to the h4s package."""
    env = os.environ.get("H4S_NODE_MODULES")
    cands = [Path(env)] if env else []
    cands += [d / "node_modules" for d in (Path(start), *Path(start).parents)]
    cands += [HERE.parents[1] / "node_modules"]
    for c in cands:
        if (c / "mathjax" / "es5" / "tex-chtml.js").is_file():
            return c
    return None


def prepare_vendor(dest_root: Path, modules_dir: Path) -> Path:
    """Copy the MathJax files we serve into ``dest_root/h4s-vendor/mathjax`` (only when they changed)."""
    src = modules_dir / "mathjax"
    version = json.loads((src / "package.json").read_text())["version"]
    dest = dest_root / "h4s-vendor" / "mathjax"
    stamp = dest / ".h4s-version"
    if stamp.is_file() and stamp.read_text() == version:
        return dest_root
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    es5 = src / "es5"
    for f in MATHJAX_FILES:
        shutil.copy2(es5 / f, dest / f)
    for d in MATHJAX_DIRS:
        shutil.copytree(es5 / d, dest / d)
    shutil.copy2(src / "LICENSE", dest / "LICENSE")
    stamp.write_text(version)
    return dest_root


def _config_inited(app, config) -> None:
    from sphinx.errors import ConfigError

    nm = node_modules(Path(app.confdir))
    if nm is None:
        raise ConfigError("h4s: node_modules/mathjax not found (run `npm ci` in the project folder); "
                          "the book self-hosts MathJax and never loads it from a CDN")
    build_dir = Path(os.environ.get("H4S_BUILD_DIR") or Path(app.outdir).parent)
    vendor_root = prepare_vendor(build_dir / "h4s-vendor-src", nm)
    paths = list(config.html_static_path or [])
    for p in (str(BOOK_ASSETS), str(vendor_root)):
        if p not in paths:
            paths.append(p)
    config.html_static_path = paths
    if not config.html_favicon:
        config.html_favicon = str(BOOK_ASSETS / "favicon.svg")   # no 404 for /favicon.ico lookups


def _builder_inited(app) -> None:
    app.add_css_file("h4s-book.css")
    app.add_js_file("h4s-book.js", loading_method="defer")


_meta_cache: dict[str, tuple[float, dict]] = {}


def module_meta(path: Path) -> dict | None:
    """``metadata["h4s"]`` of a notebook, or None for other pages."""
    if path.suffix != ".ipynb" or not path.is_file():
        return None
    key = str(path)
    mtime = path.stat().st_mtime
    hit = _meta_cache.get(key)
    if hit and hit[0] == mtime:
        return hit[1]
    try:
        meta = (json.loads(path.read_text(encoding="utf-8")).get("metadata") or {}).get("h4s")
    except ValueError:
        meta = None
    _meta_cache[key] = (mtime, meta)
    return meta


def live_url(app, docname: str) -> str | None:
    src = Path(app.env.doc2path(docname))
    meta = module_meta(src)
    if not meta:
        return None
    folder = src.parent.name
    template = app.config.h4s_live_url
    lang = app.config.h4s_book_language
    if not lang:
        return template.format(folder=folder, id=meta.get("id") or folder)
    # a language book's page: the live version in its language, ``LL/<folder>`` of the live root (h4s_kit.live);
    # its pages are one folder deeper (``LL/modules/...``), so a relative address climbs one more
    if not template.startswith("/") and "://" not in template:
        template = "../" + template
    return template.format(folder=f"{lang}/{folder}", id=f"{lang}/{meta.get('id') or folder}")


def src_folder(app, docname: str) -> str:
    """The module folder of a module page (its id in the book)."""
    return Path(app.env.doc2path(docname)).parent.name


def _drop_widget_state(app, pagename, templatename, context, doctree) -> None:
    """The book shows the static fallback of widgets: their saved state is dead weight, leave it out."""
    files = context.get("script_files")
    if files:
        keep = [f for f in files if getattr(f, "attributes", {}).get("type") != "application/vnd.jupyter.widget-state+json"]
        if len(keep) != len(files):
            files[:] = keep


def book_words(app) -> dict:
    """The book's own words in the language being built (English, or ``h4s_words`` from the language's
    ``_config.yml``, which ``h4s build`` writes from modules/_glossary/LL.yml)."""
    from h4s_kit.translate._book import BOOK_WORDS
    return {**BOOK_WORDS, **{k: str(v) for k, v in (app.config.h4s_words or {}).items() if k in BOOK_WORDS}}


def _page_context(app, pagename, templatename, context, doctree) -> None:
    if doctree is None or pagename not in app.env.all_docs:
        return
    url = live_url(app, pagename)
    if not url:
        return
    u = html.escape(url, quote=True)
    context["metatags"] = context.get("metatags", "") + f'\n<meta name="h4s-live-url" content="{u}">' \
        + _json_ld(app, pagename)
    from h4s_kit.translate._book import SCRIPT_WORDS
    words = book_words(app)
    w = {k: html.escape(v) for k, v in words.items()}
    script_words = html.escape(json.dumps({k: words[k] for k in SCRIPT_WORDS}, ensure_ascii=False), quote=True)
    banner = (
        f'<aside class="h4s-live-banner" aria-label="{w["live_label"]}">'
        f'<p><strong>{w["live_label"]}:</strong> {w["live_text"]} '
        f'<a class="h4s-live-link" href="{u}">{w["live_link"]}</a></p>'
        f'<p class="h4s-live-note">{w["live_note"]}</p></aside>'
        # "Keep this module offline" (h4s-book.js shows it where the browser can: service worker + Cache API)
        f'<aside class="h4s-offline" aria-label="{w["offline_label"]}" '
        f'data-h4s-module="{html.escape(src_folder(app, pagename), quote=True)}" data-h4s-words="{script_words}" hidden>'
        f'<p><button type="button" class="h4s-keep">{w["keep"]}</button> '
        '<span class="h4s-offline-status" role="status"></span></p>'
        f'<details class="h4s-kept"><summary>{w["kept_list"]}</summary>'
        '<ul class="h4s-kept-list"></ul></details></aside>'
    )
    if os.environ.get("H4S_PREVIEW") == "1":
        from h4s_kit.build import published
        meta = module_meta(Path(app.env.doc2path(pagename))) or {}
        if not published(meta):
            text = words["preview"].replace("{version}", str(meta.get("version") or "1.0.0")).replace(
                "{status}", str(meta.get("status") or "?"))
            label, _, rest = text.partition(":")
            banner = (f'<aside class="h4s-preview-banner" aria-label="{w["preview_label"]}"><p><strong>'
                      f'{html.escape(label)}:</strong>{html.escape(rest)}</p></aside>') + banner
    body = context.get("body", "")
    i = body.find("</h1>")
    context["body"] = body[: i + 5] + banner + body[i + 5:] if i >= 0 else banner + body


def _json_ld(app, pagename: str) -> str:
    """The page's schema.org LearningResource (issue 19, :mod:`h4s_kit.oer`); nothing when the module's
    metadata is invalid (``h4s check`` names the fault)."""
    from h4s_kit.metadata import validate_metadata
    from h4s_kit.oer import learning_resource, script_tag
    from h4s_widgets._errors import MetadataError
    src = Path(app.env.doc2path(pagename))
    try:
        meta = validate_metadata(module_meta(src), src, folder_name=src.parent.name)
    except MetadataError:
        return ""
    title = str(app.config.html_title or app.config.project or "")
    return "\n" + script_tag(learning_resource(meta, url=Path(pagename).name + ".html", course_name=title or None))


# ------------------------------------------------------------------ a11y fixes
# sphinx-book-theme 1.3 / pydata-sphinx-theme 0.15 markup, fixed after writing.
_FIXES: list[tuple[re.Pattern, str]] = [
    # label-content-name-mismatch: the wide search button shows "Search Ctrl+K" but is named
    # "Search"; drop the aria-label so that its name is its visible text
    (re.compile(r'(<button class="btn search-button-field[^"]*"[^>]*?) aria-label="[^"]*"'), r"\1"),
    # decorative icon-font glyphs: hide them from assistive technology, so the buttons'
    # names (aria-label "Color mode", "Search") are not compared with private-use characters
    (re.compile(r'<i class="(theme-switch |fa-solid fa-magnifying-glass)'), r'<i aria-hidden="true" class="\1'),
    # Font Awesome's JS turns an icon's title into an SVG <title>, which then counts as the
    # button's text ("Light", "Dark", ...); the button's name "Color mode" is the label to keep
    (re.compile(r'(<i aria-hidden="true" class="theme-switch [^"]*" data-mode="[a-z]+")\s+title="[^"]*"'), r"\1"),
    # summary-name: the sidebar's expand/collapse toggle of a page with sub-pages has only an icon
    (re.compile(r'<summary>(\s*<span class="toctree-toggle")'),
     r'<summary aria-label="Show or hide the pages of this section">\1'),
    # region: the book title/logo in the primary sidebar is outside any landmark
    (re.compile(r'(<div class="sidebar-primary-item">\s*)(<a class="navbar-brand logo".*?</a>)', re.S),
     r'\1<nav class="h4s-brand" aria-label="Book home">\2</nav>'),
]


# Speed (issue 7, bench/static_page.py): the theme's scripts in <head> are parser-blocking, and a
# parser-blocking script waits for every stylesheet before it, so the page body (and the quiz runtime
# at its end) waited for CSS *and* ~12 scripts.  They all wait for the DOM anyway (doctools, copybutton,
# togglebutton, design-tabs, search, book theme), so they get `defer`: same order among themselves,
# run before DOMContentLoaded and before the theme's own deferred scripts at the end of the body.
# documentation_options.js stays synchronous: inline scripts after it set DOCUMENTATION_OPTIONS fields.
_HEAD_SCRIPT = re.compile(r'<script(?![^>]*\b(?:defer|async|type=)[^>]*>)([^>]*\ssrc="(?![^"]*documentation_options\.js)[^"]*"[^>]*)>')
# pydata-sphinx-theme's styles/theme.css only @imports ../basic.css: fetch both at once, not one after the other
_THEME_CSS = re.compile(r'(<link href="([^"]*?)styles/theme\.css[^"]*" rel="stylesheet" />)')


# sphinx-thebe comes with Jupyter Book 1.x even when thebe is off (h4s's live version is Voilà, and thebe
# would fetch its code from unpkg.com, a third-party host): its stylesheet blocked rendering, its script
# was fetched for nothing, and its inline `const THEBE_JS_URL` was written twice, so the second copy threw
# "Identifier 'THEBE_JS_URL' has already been declared" on every page.  None of it is used: drop it.
_THEBE = re.compile(r'\s*<link rel="stylesheet" type="text/css" href="[^"]*sphinx-thebe\.css[^"]*" />'
                    r'|\s*<script>const THEBE_JS_URL = [^<]*</script>'
                    r'|\s*<script async="async" src="[^"]*sphinx-thebe\.js[^"]*"></script>'
                    r'|\s*<script type="text/x-thebe-config">.*?</script>', re.S)


def fix_html(text: str) -> str:
    for pat, rep in _FIXES:
        text = pat.sub(rep, text)
    text = _THEBE.sub("", text)
    head, sep, body = text.partition("</head>")
    if sep:
        head = _HEAD_SCRIPT.sub(r"<script defer\1>", head)
        if "basic.css" not in head.split("styles/theme.css", 1)[0]:
            head = _THEME_CSS.sub(r'<link rel="preload" as="style" href="\2basic.css" />\n\1', head, count=1)
        text = head + sep + body
    return text


# inline, or the external tags (the type chunks' and the runtime's)
_RUNTIME_RE = re.compile(r'<script (?:id="h4s-runtime"|id="h4s-lazy"|class="h4s-type")(?: [^>]*)?>.*?</script>\n?', re.S)
_CSS_RE = re.compile(r'<style id="h4s-css">.*?</style>\n?', re.S)


def fresh_quiz_runtime(text: str, runtime_tag: str | None = None) -> str:
    """One current copy of the quiz runtime and CSS in a page with quizzes.

    Executed outputs come from jupyter-cache and carry the runtime of the day the
    notebook last ran; every build puts today's in their place (CSS in the head,
    the script right after the page's first quiz: :func:`h4s_widgets._assets.after_first_quiz`).
    With ``runtime_tag`` (the book's, see :func:`h4s_kit.assets.slim.quiz_runtime_tag`) the
    page gets that tag and no inline CSS (the CSS is in the book's stylesheet)."""
    if 'class="h4s-data"' not in text:
        return text
    from h4s_widgets._assets import after_first_quiz, page_types, runtime_tags, widget_css
    text = _CSS_RE.sub("", _RUNTIME_RE.sub("", text))
    if runtime_tag is None:
        text = text.replace("</head>", f'<style id="h4s-css">{widget_css()}</style>\n</head>', 1)
        script = runtime_tags(page_types(text))
    else:
        script = runtime_tag
    return after_first_quiz(text, script)


# ------------------------------------------------------------------ post-processing
# Sphinx's incremental build writes only the outdated pages; only those (and pages changed
# behind our back) need fix_html + fresh_quiz_runtime again.  A record in the doctree folder
# keeps, per page, (mtime_ns, size) after post-processing and a stamp of what post-processing
# puts in (this file, the quiz runtime and CSS): when the stamp changes, every page is redone.
_POST_RECORD = "h4s-postprocessed.json"


def _record_written(app, pagename, templatename, context, doctree) -> None:
    """Remember the output file of every page Sphinx writes in this build."""
    try:
        out = app.builder.get_outfilename(pagename)
    except Exception:  # noqa: BLE001 - a builder without output files: nothing to post-process
        return
    app.__dict__.setdefault("_h4s_written", set()).add(os.path.normpath(out))


def postprocess_stamp() -> str:
    """Changes whenever post-processing would put something else into a page."""
    import hashlib

    from h4s_widgets._assets import static_lazy, static_runtime, widget_css

    from . import slim
    h = hashlib.sha256(Path(__file__).read_bytes())
    h.update(Path(slim.__file__).read_bytes())
    for part in (static_runtime(), static_lazy(), widget_css()):
        h.update(b"\0" + part.encode("utf-8"))
    return h.hexdigest()


def postprocess_pages(outdir: Path, record_file: Path, written: set[str] | frozenset = frozenset(),
                      node_modules_dir: Path | None = None, slim_pages: bool = True,
                      title: str = "Hack4Society") -> list[Path]:
    """Apply fix_html, fresh_quiz_runtime and (``slim_pages``) :func:`slim.slim_page` to the pages that need it;
    returns them.

    A page needs it when Sphinx wrote it in this build (``written``), when it is not in the
    record with its current (mtime_ns, size), or when the stamp in the record is not current
    (the stamp includes the names of the content-hashed bundle: a new bundle redoes every page)."""
    from h4s_widgets._assets import page_types, static_lazy, static_runtime, type_chunks, widget_css

    from . import slim
    outdir = Path(outdir)
    stamp = postprocess_stamp()
    try:
        rec = json.loads(Path(record_file).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        rec = {}
    if not isinstance(rec, dict):
        rec = {}
    pages = rec.get("pages") if rec.get("stamp") == stamp and isinstance(rec.get("pages"), dict) else {}
    all_pages = [f for f in sorted(outdir.rglob("*.html")) if f != outdir / "offline.html"   # ours, not Sphinx's
                 and not (f.parent != outdir and (outdir / f.relative_to(outdir).parts[0] / ".h4s-language").is_file())]
    # (_build/html/LL/ is the book of a language, post-processed by its own build: h4s_kit/translate/_book.py)
    todo = []
    for f in all_pages:
        st = f.stat()
        rel = f.relative_to(outdir).as_posix()
        if pages.get(rel) != [st.st_mtime_ns, st.st_size] or os.path.normpath(f) in written:
            todo.append(f)
    texts = {f: f.read_text(encoding="utf-8") for f in todo}
    bundle = None
    if slim_pages:
        # what the bundle joins: the files named by the pages as Sphinx wrote them, added to those of
        # earlier builds (an incremental build rewrites a few pages, which may name fewer files)
        css_rel: list[str] = [x for x in rec.get("bundle_css") or [] if (outdir / x).is_file()]
        js_rel: list[str] = [x for x in rec.get("bundle_js") or [] if (outdir / x).is_file()]
        for f in todo:
            if slim.is_sphinx_page(texts[f]):
                c, j = slim.bundle_inputs(fix_html(texts[f]), f, outdir)
                css_rel += [x for x in c if x not in css_rel]
                js_rel += [x for x in j if x not in js_rel]
        bundle = slim.make_bundle(outdir, css_rel, js_rel, extra_css="\n/* h4s quiz */\n" + widget_css(),
                                  quiz_runtime=static_runtime([]), quiz_chunks=type_chunks(), quiz_lazy=static_lazy())
        names = [bundle.css, bundle.js, bundle.quiz, bundle.lazy]
        if rec.get("bundle") != names:      # a new bundle: every page must name it
            for f in all_pages:
                if f not in texts:
                    todo.append(f)
                    texts[f] = f.read_text(encoding="utf-8")
        icons = slim.Icons(slim.fa_svgs(node_modules_dir))
        favicon = slim.favicon_data_uri(outdir / "_static" / "favicon.svg")
        doc_options = slim.doc_options_inline(outdir)
        formulas = sorted({x for f in todo if f.relative_to(outdir).parts[0] != "_static"
                           for x in slim.page_maths(texts[f])})
        mathml = dict(zip(formulas, slim.tex_to_mathml(formulas, node_modules_dir)))
    new: dict[str, list[int]] = {rel: v for rel, v in (pages or {}).items() if (outdir / rel).is_file()}
    done = []
    # no file list at all (the record is gone and Sphinx wrote no page): pages slimmed earlier keep their bundle
    keep_slim = bundle is not None and not (css_rel or js_rel) and any(
        f"_static/{slim.OUT}/book-" in texts[f] for f in todo)
    for f in sorted(todo):
        t = texts[f]
        if keep_slim and f"_static/{slim.OUT}/book-" in t:
            st = f.stat()
            new[f.relative_to(outdir).as_posix()] = [st.st_mtime_ns, st.st_size]
            continue
        n = fix_html(t)
        if bundle is not None and f.relative_to(outdir).parts[0] != "_static":   # not the theme's templates
            n = fresh_quiz_runtime(n, slim.quiz_runtime_tag(slim._page_rel(f, outdir), bundle, page_types(n)))
            n = slim.slim_page(n, f, outdir, bundle, icons, favicon=favicon, doc_options=doc_options, mathml=mathml)
        else:
            n = fresh_quiz_runtime(n)
        if n != t:
            f.write_text(n, encoding="utf-8")
        st = f.stat()
        done.append(f)
        new[f.relative_to(outdir).as_posix()] = [st.st_mtime_ns, st.st_size]
    out = {"stamp": stamp, "pages": new}
    if bundle is not None:
        slim.write_offline_files(outdir, title)
        if not keep_slim:
            slim.remove_stale(outdir, bundle)
        out.update(bundle=names, bundle_css=css_rel, bundle_js=js_rel,
                   icons_missing=sorted(icons.missing))
    Path(record_file).parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(str(record_file) + ".tmp")
    tmp.write_text(json.dumps(out), encoding="utf-8")
    os.replace(tmp, record_file)
    return done


def _build_finished(app, exc) -> None:
    if exc is not None or app.builder.format != "html":
        return
    written = app.__dict__.pop("_h4s_written", set())
    done = postprocess_pages(Path(app.outdir), Path(app.doctreedir) / _POST_RECORD, written,
                             node_modules_dir=node_modules(Path(app.confdir)),
                             title=str(app.config.html_title or app.config.project or "Hack4Society"))
    if os.environ.get("H4S_BUILD_TRACE"):
        print(f"h4s: post-processed {len(done)} page(s): " + " ".join(str(p.relative_to(app.outdir)) for p in done))


def setup(app):
    app.add_config_value("h4s_live_url", "/live/voila/render/{folder}/module.ipynb", "html")
    app.add_config_value("h4s_words", {}, "html")
    app.add_config_value("h4s_book_language", "", "html")     # set by h4s build in a language book's _config.yml
    app.connect("config-inited", _config_inited)
    app.connect("builder-inited", _builder_inited)
    app.connect("html-page-context", _page_context)
    app.connect("html-page-context", _drop_widget_state, priority=900)  # after myst-nb adds it
    app.connect("html-page-context", _record_written)
    app.connect("build-finished", _build_finished, priority=900)   # after the theme rewrites pygments.css
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
