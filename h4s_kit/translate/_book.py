"""The book per language: ``_build/html/LL/`` beside the English book at the root of ``_build/html``.

For each language LL: a translated copy of every module that has the language is written to
``_build/lang/LL/src/modules/`` (files rewritten only when their bytes change), with a ``_config.yml``
(``language: LL``), a home page and ``_toc.yml``; Jupyter Book builds it with the same Sphinx
extension as the English book into ``_build/html/LL`` (doctrees and execution cache in
``_build/lang/LL/``, so an unchanged language rebuilds nothing and a changed catalogue rebuilds only
its pages).  Then every module page and home page, in English and in each language, gets a language
switcher (links only to the languages that exist for that page, in their own language and with
``lang``/``hreflang``) and ``<link rel="alternate" hreflang>`` in its head.

Which languages: a module's language is published when it is complete (``h4s check`` refuses it
otherwise) and not a draft; ``langs`` names languages to build, drafts included.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Callable

import yaml

from h4s_widgets._errors import BuildError

from ._apply import translate_module
from ._catalog import is_draft, languages, status

GLOSSARY = "_glossary"       # modules/_glossary/LL.yml: terms for translators and the book's own words
MARK = ".h4s-language"       # in _build/html/LL: the English post-processing leaves this folder alone
_NAV = re.compile(r"\n<!-- h4s-languages -->.*?<!-- /h4s-languages -->", re.S)      # exactly what decorate adds
_HEAD = re.compile(r"<!-- h4s-hreflang -->.*?<!-- /h4s-hreflang -->\n", re.S)

_DRIVER = """
import atexit, os, sys
from pathlib import Path
from jupyter_book.sphinx import build_sphinx
src, html, work, lang = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4]
r = build_sphinx(str(src), str(html), doctreedir=str(work / ".doctrees"), noconfig=True, confdir=str(src),
                 path_config=str(src / "_config.yml"),
                 confoverrides={"external_toc_path": str(src / "_toc.yml"), "latex_individualpages": False,
                                "language": lang, "nb_execution_cache_path": str(work / ".jupyter_cache")},
                 builder="html", freshenv=sys.argv[5] == "1", keep_going=True, verbosity=int(sys.argv[6]))
sys.stdout.flush()
atexit._run_exitfuncs()
sys.stdout.flush()
sys.stderr.flush()
os._exit(0 if r == 0 else 1)
"""


#: the book's own words (home page, language switcher, the banners of module pages and "keep offline"), in
#: English; a language's glossary translates them under ``book:`` (modules/_glossary/LL.yml).  ``{size}``,
#: ``{error}`` and ``{title}`` are filled in by the page's script.
BOOK_WORDS = {
    "language": "Language", "modules": "Modules", "home": "Hack4Society: interactive modules for VET",
    "intro": "The modules available in this language:",
    "live_label": "Live version",
    "live_text": "run this module with its Python kernel, with every exercise graded as you go.",
    "live_link": "Open the live version of this module",
    "live_note": "The live version needs the course server; this page works anywhere, also offline.",
    "live_skip": "Skip to the module",
    "live_back": "Back to the book page of this module",
    "live_nav": "Course",
    "offline_label": "Offline",
    "keep": "Keep this module offline",
    "update": "Update the offline copy",
    "kept_list": "Modules kept offline on this device",
    "saving": "Saving this module on this device…",
    "kept": "Kept offline on this device ({size}).",
    "failed": "Could not keep this module offline: {error}",
    "remove": "Remove",
    "remove_label": "Remove {title} from this device",
    "removed": "Removed from this device.",
    "none": "None yet.",
    "preview_label": "Preview",
    "preview": "Preview: version {version} of this module has not passed review yet (status: {status}); it is not part "
               "of the published course.",
}
#: the words the "keep offline" script needs (given to it in the page, so one script serves every language)
SCRIPT_WORDS = ("keep", "update", "saving", "kept", "failed", "remove", "remove_label", "removed", "none")


def words(modules_dir: Path, lang: str) -> dict:
    """The book's own words in ``lang`` (``book:`` of the language's glossary), English where missing."""
    out = dict(BOOK_WORDS)
    g = Path(modules_dir) / GLOSSARY / f"{lang}.yml"
    if lang != "en" and g.is_file():
        data = yaml.safe_load(g.read_text(encoding="utf-8")) or {}
        out.update({k: str(v) for k, v in (data.get("book") or {}).items() if k in out and v})
    return out


def language_books(html_dir) -> dict[str, tuple[Path, Path]]:
    """language -> (its book ``<html_dir>/LL``, its translated modules ``_build/lang/LL/src/modules``), for every
    language book that ``h4s build`` made next to the English book in ``html_dir``."""
    out: dict[str, tuple[Path, Path]] = {}
    if not html_dir:
        return out
    html = Path(html_dir)
    for d in sorted(html.iterdir()) if html.is_dir() else []:
        mods = html.parent / "lang" / d.name / "src" / "modules"
        if d.is_dir() and (d / MARK).is_file() and mods.is_dir():
            out[d.name] = (d, mods)
    return out


def language_name(lang: str) -> str:
    from babel import Locale, UnknownLocaleError
    try:
        name = Locale.parse(lang).get_display_name(lang) or lang
    except (ValueError, TypeError, UnknownLocaleError):
        return lang
    return name[:1].upper() + name[1:]


def plan(modules_dir: Path, folders: list[Path], langs: list[str] | None,
         echo: Callable[[str], None]) -> dict[str, list[Path]]:
    """language -> module folders to build in it."""
    want = None if langs is None else {x for x in langs if x != "en"}
    out: dict[str, list[Path]] = {}
    for f in folders:
        for lang in languages(f):
            if want is not None and lang not in want:
                continue
            if want is None and is_draft(f, lang):
                continue
            if not is_draft(f, lang) and not status(f, lang).complete:
                echo(f"h4s build: {f.name} [{lang}] not built: the language is published but incomplete "
                     f"(h4s translate status; or mark it a draft)")
                continue
            out.setdefault(lang, []).append(f)
    if want:
        for lang in sorted(want - set(out)):
            echo(f"h4s build: warning: no module has a catalogue for --lang {lang}")
    return out


def _write(path: Path, text: str) -> bool:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True


def prepare_source(root: Path, modules_dir: Path, out: Path, lang: str, folders: list[Path]) -> tuple[Path, bool]:
    """The Jupyter Book project of ``lang`` under ``out/lang/LL/src``; returns its folder and whether a file of
    it changed."""
    from h4s_kit.toc import toc_text
    src = out / "lang" / lang / "src"
    mdir = src / "modules"
    names = {f.name for f in folders}
    changed = False
    if mdir.is_dir():
        import shutil
        for d in mdir.iterdir():
            if d.is_dir() and d.name not in names:
                shutil.rmtree(d)
                changed = True
    for f in folders:
        changed |= bool(translate_module(f, lang, mdir / f.name))
    cfg = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8")) or {}
    w = words(modules_dir, lang)
    sph = cfg.setdefault("sphinx", {}).setdefault("config", {})
    sph["language"] = lang
    sph["h4s_words"] = w                           # the Sphinx extension's banners in this language
    sph["h4s_book_language"] = lang                # its module pages link to the live version in this language
    opts = sph.get("html_theme_options")
    if isinstance(opts, dict):
        opts.pop("search_bar_text", None)          # the theme's own, translated placeholder
    changed |= _write(src / "_config.yml", "# Made by h4s build from the book's _config.yml for the language "
           f"{lang}: do not edit.\n" + yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False))
    items = []
    for f in folders:
        nb = json.loads((mdir / f.name / "module.ipynb").read_text(encoding="utf-8"))
        title = ((nb.get("metadata") or {}).get("h4s") or {}).get("title") or f.name
        items.append(f"- [{title}](../modules/{f.name}/module.ipynb)")
    changed |= _write(src / "book" / "index.md", f"# {w['home']}\n\n{w['intro']}\n\n" + "\n".join(items) + "\n")
    toc = toc_text(src, mdir).replace("  - caption: Modules\n", f"  - caption: {json.dumps(w['modules'], ensure_ascii=False)}\n")
    changed |= _write(src / "_toc.yml", toc)
    return src, changed


def run_sphinx(src: Path, html: Path, work: Path, lang: str, out: Path, force: bool, verbose: bool,
               echo: Callable[[str], None]) -> None:
    env = dict(os.environ)
    env["H4S_RECORDS"] = "off"
    env.pop("H4S_LIVE", None)
    env["H4S_BUILD_DIR"] = str(out)
    env["H4S_LANG"] = lang                    # the quiz interface of the executed notebooks
    env.setdefault("PYTHONUNBUFFERED", "1")
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    html.mkdir(parents=True, exist_ok=True)
    (html / MARK).write_text(lang + "\n", encoding="utf-8")
    cmd = [sys.executable, "-c", _DRIVER, str(src), str(html), str(work), lang, "1" if force else "0",
           "1" if verbose else "0"]
    proc = subprocess.run(cmd, cwd=src, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    log = re.sub(r"\x1b\[[0-9;]*m", "", proc.stdout)
    for line in log.splitlines():
        if verbose or "Executed notebook" in line or "Executing notebook failed" in line:
            echo(f"  [{lang}] " + line.strip())
    if proc.returncode != 0 or "ExecutionError" in log:
        for line in log.splitlines()[-30:]:
            echo(f"  [{lang}] | " + line)
        raise BuildError(f"Jupyter Book failed for the language {lang} (exit {proc.returncode}); see the log lines above")


# ------------------------------------------------------------------------------------------ switcher
def _page_langs(html_root: Path, rel: str, built: list[str]) -> list[str]:
    langs = ["en"] if (html_root / rel).is_file() else []
    return langs + [x for x in built if (html_root / x / rel).is_file()]


def _relpath(target: str, start_file: str) -> str:
    return os.path.relpath(target, os.path.dirname(start_file) or ".").replace(os.sep, "/")


def decorate(page: Path, html_root: Path, rel: str, lang: str, langs: list[str], label: str) -> bool:
    """Put the switcher and the hreflang links into one page; True when the page changed."""
    text = page.read_text(encoding="utf-8")
    here = rel if lang == "en" else f"{lang}/{rel}"
    hrefs = {x: _relpath(rel if x == "en" else f"{x}/{rel}", here) for x in langs}
    links = "".join(f'<link rel="alternate" hreflang="{x}" href="{hrefs[x]}">' for x in langs)
    head = f"<!-- h4s-hreflang -->{links}<!-- /h4s-hreflang -->"
    items = " · ".join(
        f'<a href="{hrefs[x]}" hreflang="{x}" lang="{x}"' + (' aria-current="page"' if x == lang else "")
        + f">{language_name(x)}</a>" for x in langs)
    nav = (f'<!-- h4s-languages --><nav class="h4s-languages" aria-label="{label}">'
           f'<p>{label}: {items}</p></nav><!-- /h4s-languages -->')
    new = _HEAD.sub("", _NAV.sub("", text))
    if len(langs) > 1:
        new = new.replace("</head>", head + "\n</head>", 1)
        m = re.search(r"<article\b[^>]*>", new) or re.search(r"<main\b[^>]*>", new) or re.search(r"<body\b[^>]*>", new)
        if m:
            new = new[:m.end()] + "\n" + nav + new[m.end():]
    new = re.sub(r"<html\b([^>]*?)\blang=\"[^\"]*\"", lambda m: f'<html{m.group(1)}lang="{lang}"', new, count=1)
    if new == text:
        return False
    page.write_text(new, encoding="utf-8")
    return True


def _note_done(record: Path, outdir: Path, pages: list[Path]) -> None:
    """Tell the book extension's post-processing record that these pages are done as they are now."""
    try:
        rec = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    if not isinstance(rec, dict) or not isinstance(rec.get("pages"), dict):
        return
    for p in pages:
        rel = p.relative_to(outdir).as_posix()
        if rel in rec["pages"]:
            st = p.stat()
            rec["pages"][rel] = [st.st_mtime_ns, st.st_size]
    tmp = record.with_suffix(".tmp")
    tmp.write_text(json.dumps(rec), encoding="utf-8")
    os.replace(tmp, record)


def switchers(out: Path, modules_dir: Path, built: list[str]) -> int:
    from h4s_kit.assets.h4s_book import _POST_RECORD   # the record of the extension's post-processing
    html = out / "html"
    rels = {"book/index.html"}
    for lang in [""] + built:
        base = html / lang if lang else html
        rels |= {p.relative_to(base).as_posix() for p in base.glob("modules/*/module.html")}
    changed: dict[str, list[Path]] = {}
    for rel in sorted(rels):
        langs = _page_langs(html, rel, built)
        for lang in langs:
            page = html / rel if lang == "en" else html / lang / rel
            if decorate(page, html, rel, lang, langs, words(modules_dir, lang)["language"]):
                changed.setdefault(lang, []).append(page)
    for lang, pages in changed.items():
        if lang == "en":
            _note_done(out / ".doctrees" / _POST_RECORD, html, pages)
        else:
            _note_done(out / "lang" / lang / ".doctrees" / _POST_RECORD, html / lang, pages)
    return sum(len(v) for v in changed.values())


def _stamp() -> str:
    """What, besides the language's source folder, makes its pages: the book extension's post-processing
    (runtime, CSS) and the h4s version."""
    from h4s_kit.assets.h4s_book import postprocess_stamp
    from h4s_widgets._version import __version__
    return json.dumps({"post": postprocess_stamp(), "h4s": __version__})


def build_languages(root: Path, modules_dir: Path, out: Path, langs: list[str] | None = None, force: bool = False,
                    echo: Callable[[str], None] = print, verbose: bool = False,
                    include: set[str] | None = None) -> list[str]:
    """Build the book of every language (see the module's docstring); returns the languages built.
    ``include``: the module folders (names) the book publishes (``None``: all)."""
    import shutil
    import time
    from . import module_folders
    root, out = Path(root), Path(out)
    folders = module_folders([modules_dir]) if Path(modules_dir).is_dir() else []
    if include is not None:
        folders = [f for f in folders if f.name in include]
    todo = plan(Path(modules_dir), folders, langs, echo)
    html = out / "html"
    for d in html.iterdir() if html.is_dir() else []:          # languages that are gone
        if d.is_dir() and (d / MARK).is_file() and d.name not in todo:
            shutil.rmtree(d)
    for lang, mods in sorted(todo.items()):
        t = time.monotonic()
        src, changed = prepare_source(root, Path(modules_dir), out, lang, mods)
        stamp_file = out / "lang" / lang / ".h4s-stamp"
        stamp = _stamp()
        if (not changed and not force and (html / lang / "book" / "index.html").is_file()
                and stamp_file.is_file() and stamp_file.read_text(encoding="utf-8") == stamp):
            echo(f"h4s build: {lang}: {len(mods)} module(s) up to date")     # no Sphinx run: nothing it reads changed
            continue
        run_sphinx(src, html / lang, out / "lang" / lang, lang, out, force, verbose, echo)
        stamp_file.write_text(stamp, encoding="utf-8")
        echo(f"h4s build: {lang}: {len(mods)} module(s) in {html / lang} ({time.monotonic() - t:.1f} s)")
    n = switchers(out, Path(modules_dir), sorted(todo))
    if todo:
        echo(f"h4s build: languages {', '.join(['en'] + sorted(todo))}; language switcher on {n} page(s) updated")
    return sorted(todo)
