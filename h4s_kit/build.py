"""``h4s build``: the static web book (Jupyter Book 1.x) of all modules.

Steps: regenerate ``_toc.yml`` from the modules, run Jupyter Book in a
subprocess (so kernels get ``H4S_RECORDS=off`` and the build log can be
followed line by line to show which notebook is being executed), then check
every built page: no ``<script>``, ``<link>``, ``<img>``, ``<iframe>`` (and
friends) may load anything from another host.  Self-hosted assets (MathJax,
our CSS/JS) are copied by the Sphinx extension ``h4s_kit.assets.h4s_book``.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Callable

from h4s_widgets._errors import BuildError

from .toc import toc_modules, toc_text, write_toc

#: tag -> attributes that make the browser fetch something
FETCHING = {
    "script": ("src",), "link": ("href",), "img": ("src", "srcset"), "iframe": ("src",),
    "source": ("src", "srcset"), "video": ("src", "poster"), "audio": ("src",), "embed": ("src",),
    "object": ("data",), "track": ("src",),
}
_EXTERNAL = re.compile(r"^\s*(?:https?:)?//", re.I)
_CSS_URL = re.compile(r"""(?:url\(\s*['"]?|@import\s+['"])\s*((?:https?:)?//[^'")\s]+)""", re.I)
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
#: a bank error raised while a notebook ran (Quiz("...") on a bad bank), as the kernel printed it
_BANK_ERROR = re.compile(r"^\s*(?:h4s_widgets\._errors\.)?(?:QuestionError|BankFileError): (?P<msg>.+)$")
#: Sphinx's own closing words after an exception: not the author's business
_SPHINX_BOILERPLATE = re.compile(r"(full traceback has been saved|report (?:the|this)|bug report can be filed|"
                                 r"Exception occurred:)", re.I)
#: findings of `h4s check`'s questions step that are about the notebook, not a bank: they do not stop a build
_NOT_A_BANK_FAULT = re.compile(r"( says module=|the code cannot be read|is also used in )")
_PROGRESS = re.compile(r"(?P<path>[^\s:]+\.ipynb): (?:WARNING: )?(?P<msg>Executing notebook using .*|Executed notebook in .*|"
                       r"Using cached notebook.*|Executing notebook failed.*)")


#: runs in the build subprocess: Jupyter Book's Sphinx entry point with our paths.  After the
#: build it runs the atexit handlers and leaves with os._exit: tearing down the interpreter
#: (garbage-collecting Sphinx's environment, doctrees and notebook outputs) took 0.3-1 s per build.
_DRIVER = """
import atexit, os, sys
from pathlib import Path
from jupyter_book.sphinx import build_sphinx
root, out, toc = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[5]
r = build_sphinx(str(root), str(out / "html"), noconfig=True, confdir=str(root),
                 path_config=str(root / "_config.yml"),
                 confoverrides={"external_toc_path": toc, "latex_individualpages": False}, builder="html",
                 freshenv=sys.argv[3] == "1", keep_going=True, verbosity=int(sys.argv[4]))
sys.stdout.flush()
atexit._run_exitfuncs()
sys.stdout.flush()
sys.stderr.flush()
os._exit(0 if r == 0 else 1)
"""


def find_root(start: Path | None = None) -> Path:
    """The folder holding ``_config.yml``: ``start`` or one of its parents."""
    here = Path(start or Path.cwd()).resolve()
    for d in (here, *here.parents):
        if (d / "_config.yml").is_file():
            return d
    raise BuildError(f"no _config.yml in {here} or its parents: run h4s build in the course folder (a copy of the "
                     "h4s repository, with _config.yml, book/ and modules/)")


class _Fetches(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str]] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        if tag == "style":
            self._in_style = True
        a = dict(attrs)
        if tag == "link" and (a.get("rel") or "").lower() in ("preconnect", "dns-prefetch"):
            if a.get("href"):
                self.found.append((tag, a["href"]))
            return
        for name in FETCHING.get(tag, ()):
            val = a.get(name)
            if not val:
                continue
            urls = [u.strip().split(" ")[0] for u in val.split(",")] if name == "srcset" else [val]
            self.found += [(tag, u) for u in urls if _EXTERNAL.match(u)]
        style = a.get("style")
        if style:
            self.found += [(tag + "[style]", u) for u in _CSS_URL.findall(style)]

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.found += [("style", u) for u in _CSS_URL.findall(data)]


def _scan_file(f: Path) -> list[tuple[str, str]]:
    if f.suffix == ".html":
        p = _Fetches()
        p.feed(f.read_text(encoding="utf-8", errors="replace"))
        p.close()
        return p.found
    return [("css", url) for url in _CSS_URL.findall(f.read_text(encoding="utf-8", errors="replace"))]


def _scanner_stamp() -> str:
    """Changes with the scanner (this file), so that a new rule re-checks every file."""
    import hashlib
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()


def third_party_requests(html_dir: Path, record: Path | None = None) -> list[tuple[Path, str, str]]:
    """(file, tag, url) for every resource a built page would fetch from another host.

    Every ``.html`` and ``.css`` file under ``html_dir`` counts.  With ``record`` (a JSON file kept
    next to the build), a file whose (mtime_ns, size) is the one recorded by an earlier scan is not
    read again: its recorded findings (also the bad ones) count as they are.  A rebuild thus reads
    only the pages Sphinx and the post-processing wrote, and the result still covers the whole book."""
    html_dir = Path(html_dir)
    stamp = _scanner_stamp() if record else ""
    old: dict = {}
    if record:
        try:
            data = json.loads(Path(record).read_text(encoding="utf-8"))
            if data.get("stamp") == stamp:
                old = data["files"]
        except (OSError, ValueError, KeyError, AttributeError):
            old = {}
    new: dict[str, list] = {}
    out = []
    for f in sorted(html_dir.rglob("*")):
        if f.suffix not in (".html", ".css") or not f.is_file():
            continue
        rel = f.relative_to(html_dir).as_posix()
        st = f.stat()
        key = [st.st_mtime_ns, st.st_size]
        hit = old.get(rel)
        if isinstance(hit, list) and len(hit) == 3 and hit[:2] == key:
            found = [tuple(x) for x in hit[2]]
        else:
            found = _scan_file(f)
        new[rel] = key + [[list(x) for x in found]]
        out += [(f, tag, url) for tag, url in found]
    if record:
        tmp = Path(str(record) + ".tmp")
        tmp.write_text(json.dumps({"stamp": stamp, "files": new}), encoding="utf-8")
        os.replace(tmp, record)
    return out


def bank_faults(modules_dir: Path, mods) -> list[str]:
    """One line per question bank fault of the modules, exactly as ``h4s check`` words it (its questions step:
    banks that cannot be read or are invalid, ``Quiz("...")`` naming a missing bank or unknown ids)."""
    from .check import Context
    from .check.questions import QuestionsStep
    from .modules import load_module
    step, ctx = QuestionsStep(), Context(execute=False)
    lines: list[str] = []
    for m in mods:
        try:
            module = load_module(Path(m.path).parent)
            found = step.run(module, ctx)
        except Exception:   # an unreadable notebook: the build itself reports it
            continue
        lines += [f.line() for f in found if f.severity == "error" and not _NOT_A_BANK_FAULT.search(f.message)]
    return lines


def write_book_catalog(root: Path, folders: list[Path], out: Path, langs: list[str]) -> int:
    """``catalog.json`` and ``course.jsonld`` of the built book (issue 19, :mod:`h4s_kit.oer`): every module
    page, in English and in each language built, described by its (translated) notebook's metadata; a module
    whose metadata is invalid is left out (``h4s check`` names its fault).  Returns the number of pages."""
    import yaml
    from .metadata import validate_metadata
    from .oer import write_catalog
    from .toc import read_meta
    from h4s_widgets._errors import MetadataError
    html = out / "html"
    pages = []
    for lang in [""] + list(langs):
        for folder in folders:
            nb = (out / "lang" / lang / "src" / "modules" / folder.name / "module.ipynb") if lang else folder / "module.ipynb"
            page = Path(lang) / "modules" / folder.name / "module.html" if lang else Path("modules") / folder.name / "module.html"
            if not (html / page).is_file() or not nb.is_file():
                continue
            try:
                pages.append((validate_metadata(read_meta(nb), nb, folder_name=folder.name), page.as_posix()))
            except MetadataError:
                continue
    cfg = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8")) or {}
    write_catalog(html, str(cfg.get("title") or "h4s course"), str(cfg.get("description") or cfg.get("title") or ""),
                  pages, base_url=((cfg.get("html") or {}).get("baseurl") or None))
    return len(pages)


@dataclass
class BuildResult:
    html_dir: Path
    seconds: float
    executed: list[str] = field(default_factory=list)   # notebooks executed in this build
    cached: list[str] = field(default_factory=list)     # notebooks taken from the cache
    log: str = ""


def published(meta: dict) -> bool:
    """A module the published book shows: its current version has a review that accepted it (issue 19)."""
    from .metadata import validate_metadata
    from h4s_widgets._errors import MetadataError
    try:
        return validate_metadata(meta).passed_review()
    except MetadataError:
        return False


def build(root: Path | None = None, modules: Path | None = None, out: Path | None = None, force: bool = False,
          echo: Callable[[str], None] = print, verbose: bool = False, langs: list[str] | None = None,
          preview: bool = False) -> BuildResult:
    """Build the book of ``root`` (default: the folder with ``_config.yml``) into ``out``/html.

    ``langs``: also the books of these languages (``None``: every published one) into ``out``/html/LL.
    The book publishes only the modules whose current version passed review (:func:`published`);
    ``preview``: every module, the others marked as previews (default ``out``: ``_build/preview``)."""
    t0 = time.monotonic()
    root = find_root(root)
    modules = Path(modules).resolve() if modules else root / "modules"
    out = Path(out).resolve() if out else root / ("_build/preview" if preview else "_build")
    meta_record = out / ".h4s-module-meta.json"
    try:
        meta_cache = json.loads(meta_record.read_text(encoding="utf-8"))
        if not isinstance(meta_cache, dict):
            meta_cache = {}
    except (OSError, ValueError):
        meta_cache = {}
    mods = toc_modules(modules, cache=meta_cache)
    if not mods:
        echo(f"h4s build: warning: no modules (folders with module.ipynb) in {modules}")
    toc, changed = write_toc(root, modules, mods)
    echo(f"h4s build: {toc.name} {'updated' if changed else 'up to date'}: {len(mods)} module(s) from {modules}")
    held = [m for m in mods if not published(m.meta)]
    if held and not preview:
        echo(f"h4s build: {len(held)} module(s) not published (no accepting review of their current version; "
             f"h4s review, or h4s build --preview): " + ", ".join(m.folder for m in held))
    shown = mods if preview else [m for m in mods if m not in held]
    faults = bank_faults(modules, mods)
    if len(faults) == 1:
        raise BuildError("question bank fault, nothing built: " + re.sub(r"^ERROR\s+\[questions\]\s+", "", faults[0]))
    if faults:
        for line in faults:
            echo("  " + line)
        raise BuildError(f"{len(faults)} question bank faults (listed above), nothing built; `h4s check` shows them too")
    if force and out.exists():
        echo(f"h4s build: --force: removing {out}")
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    meta_record.write_text(json.dumps(meta_cache), encoding="utf-8")
    book_toc = out / "_toc.yml"            # the book's own toc: the published modules (all of them in a preview)
    text = toc_text(root, modules, shown)
    if not book_toc.is_file() or book_toc.read_text(encoding="utf-8") != text:
        book_toc.write_text(text, encoding="utf-8")

    env = dict(os.environ)
    env["H4S_RECORDS"] = "off"               # executing a module for the book records nothing
    env.pop("H4S_LIVE", None)                # the book needs the static fallback of every quiz
    env["H4S_BUILD_DIR"] = str(out)          # where the extension prepares self-hosted assets
    if preview:
        env["H4S_PREVIEW"] = "1"             # the extension marks unreviewed module pages as previews
    else:
        env.pop("H4S_PREVIEW", None)
    env.setdefault("PYTHONUNBUFFERED", "1")
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    html_dir = out / "html"
    cmd = [sys.executable, "-c", _DRIVER, str(root), str(out), "1" if force else "0", "1" if verbose else "0",
           str(book_toc)]
    echo("h4s build: running Jupyter Book (executing changed notebooks only)")
    proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            bufsize=1)
    log_lines: list[str] = []
    res = BuildResult(html_dir=html_dir, seconds=0.0)
    current: dict[str, float] = {}
    assert proc.stdout is not None
    for line in proc.stdout:
        line = _ANSI.sub("", line)
        log_lines.append(line)
        m = _PROGRESS.search(line)
        if m:
            nb = os.path.relpath(m["path"], root)
            msg = m["msg"]
            if msg.startswith("Executing notebook using"):
                current[nb] = time.monotonic()
                echo(f"  executing {nb} ...")
            elif msg.startswith("Executed notebook"):
                res.executed.append(nb)
                echo(f"  executed  {nb} ({msg.split(' in ', 1)[-1]})")
            elif msg.startswith("Using cached"):
                res.cached.append(nb)
                if verbose:
                    echo(f"  cached    {nb}")
            else:
                echo(f"  FAILED    {nb}: {msg}")
        elif verbose or "ERROR" in line:
            echo("  | " + line.rstrip())
    rc = proc.wait()
    res.log = "".join(log_lines)
    if rc != 0 or "ExecutionError" in res.log:
        failed = [os.path.relpath(m["path"], root) for m in map(_PROGRESS.search, log_lines)
                  if m and m["msg"].startswith("Executing notebook failed")]
        bank_errors = list(dict.fromkeys(m["msg"].strip() for m in map(_BANK_ERROR.match, log_lines) if m))
        if bank_errors:   # a bad bank met while running a notebook: its one line, not the traceback around it
            raise BuildError(f"{', '.join(failed) or 'a notebook'}: question bank fault: {bank_errors[0]}")
        for line in log_lines[-40:]:
            if not _SPHINX_BOILERPLATE.search(line):
                echo("  | " + line.rstrip())
        raise BuildError(f"Jupyter Book failed (exit {rc})"
                         + (f": notebook(s) failed to run: {', '.join(failed)}" if failed else "")
                         + "; see the log lines above")
    from .translate import build_languages   # issue 15: _build/html/LL per language, language switcher
    built_langs = build_languages(root, modules, out, langs=langs, force=force, echo=echo, verbose=verbose,
                                  include={m.folder for m in shown})
    from .live import build_live_root      # the Voilà root: the English and the translated modules' live pages
    build_live_root(out, modules)
    n_cat = write_book_catalog(root, [m.path.parent for m in shown], out, built_langs)
    echo(f"h4s build: catalog.json and course.jsonld: {n_cat} module page(s)")
    from .credentials import publish   # issue 19: the issuer's public files, if `h4s credentials init` made them
    if publish(html_dir):
        echo("h4s build: credentials/: issuer profile, public key and status list")
    bad = third_party_requests(html_dir, record=out / ".h4s-third-party-scan.json")
    if bad:
        listing = "; ".join(f"{os.path.relpath(f, html_dir)}: <{tag}> {url}" for f, tag, url in bad[:20])
        raise BuildError(f"{len(bad)} reference(s) to other hosts in the built book (must be self-hosted): {listing}")
    from .server.precompress import precompress
    precompress(html_dir)   # h4s serve sends these .gz copies to browsers that accept gzip
    res.seconds = time.monotonic() - t0
    echo(f"h4s build: done in {res.seconds:.1f} s: {len(res.executed)} notebook(s) executed, "
         f"{len(res.cached)} from the cache; no third-party requests. Open {html_dir / 'index.html'}")
    return res
