"""Render a module notebook as one static HTML page (for SCORM and other offline uses).

* Markdown cells -> HTML (CommonMark + tables; ``$...$`` and ``$$...$$`` kept for MathJax);
* code cells: tagged ``remove-input`` -> only their outputs; ``remove-cell`` -> nothing; ``remove-output`` ->
  only the code; others -> the code and the outputs;
* outputs: ``text/html`` (quiz static fallbacks, figures), images (SVG inline, PNG/JPEG as files), Markdown,
  plain text and streams;
* the notebook is run with nbclient first when no code cell has outputs (``H4S_RECORDS=off``, cwd = module);
* the quiz CSS and runtime, which the fallbacks carry once per kernel, are taken out and put once in the page;
* local files the Markdown refers to (``media/...``) are listed so that the packager copies them.
"""
from __future__ import annotations

import base64
import html
import os
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import nbformat
from markdown_it import MarkdownIt

from h4s_widgets._errors import ExportError

_MD = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False}).enable("table")
_BLOCK_MATH = re.compile(r"\$\$(.+?)\$\$", re.S)
_INLINE_MATH = re.compile(r"(?<![\\$])\$(?!\s)([^$\n]+?)(?<!\s)\$(?!\d)")
_TOKEN = "\u27e6H4SM{}\u27e7"
_TOKEN_RE = re.compile("\u27e6H4SM(\\d+)\u27e7")
_RUNTIME_RE = re.compile(r'<script id="h4s-(?:runtime|lazy)"[^>]*>.*?</script>', re.S)
_CSS_RE = re.compile(r'<style id="h4s-css">.*?</style>', re.S)
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_QUIZ_RE = re.compile(r'<script type="application/json" class="h4s-data">(.*?)</script>', re.S)


@dataclass
class Page:
    html: str
    title: str
    language: str
    meta: dict
    files: dict[str, bytes] = field(default_factory=dict)     # path in package -> content
    copies: dict[str, Path] = field(default_factory=dict)     # path in package -> local file
    has_math: bool = False
    quizzes: list[dict] = field(default_factory=list)         # the static payloads found
    warnings: list[str] = field(default_factory=list)


def md_to_html(text: str) -> tuple[str, bool]:
    """(HTML, has maths)."""
    found: list[tuple[str, bool]] = []

    def keep_block(m: re.Match) -> str:
        found.append((m.group(1), True))
        return _TOKEN.format(len(found) - 1)

    def keep_inline(m: re.Match) -> str:
        found.append((m.group(1), False))
        return _TOKEN.format(len(found) - 1)

    t = _BLOCK_MATH.sub(keep_block, text)
    t = _INLINE_MATH.sub(keep_inline, t)
    out = _MD.render(t)

    def back(m: re.Match) -> str:
        tex, block = found[int(m.group(1))]
        tex = html.escape(tex)
        return f'<span class="h4s-math">\\[{tex}\\]</span>' if block else f'<span class="h4s-math">\\({tex}\\)</span>'

    return _TOKEN_RE.sub(back, out), bool(found)


@contextmanager
def _env(**values: str | None):
    old = {k: os.environ.get(k) for k in values}
    try:
        for k, v in values.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def execute_notebook(nb, cwd: Path, module_id: str, timeout: int = 300):
    from nbclient import NotebookClient
    with _env(H4S_RECORDS="off", H4S_LIVE=None, H4S_MODULE_ID=module_id, MPLBACKEND="Agg"):
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(cwd)}})
        try:
            client.execute()
        except Exception as e:  # CellExecutionError and friends: one line for people
            first = str(e).strip().splitlines()
            raise ExportError(f"{cwd}: the notebook failed while running: {first[-1] if first else e}") from None
    return nb


def _is_local(url: str) -> bool:
    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc and not url.startswith(("#", "/", "mailto:"))


def _localise(fragment: str, module_dir: Path, page: Page, what: str) -> str:
    """Copy local files that ``src``/``href`` attributes refer to; refuse to load anything from other hosts."""
    def fix_src(m: re.Match) -> str:
        attr, quote, url = m.group(1), m.group(2), m.group(3)
        if url.startswith("data:") or url in page.files:      # inline data, or a file made for the page
            return m.group(0)
        if _is_local(url):
            rel = unquote(urlsplit(url).path)
            src = (module_dir / rel).resolve()
            if not src.is_file() or module_dir.resolve() not in src.parents:
                page.warnings.append(f"{what}: {url} not found in the module folder; left out")
                return f'{attr}={quote}{quote}'
            page.copies[Path(rel).as_posix().lstrip("./")] = src
            return m.group(0)
        page.warnings.append(f"{what}: {url} is on another host; not loaded (SCORM packages are self-contained)")
        return f'{attr}={quote}{quote} data-h4s-external={quote}{html.escape(url)}{quote}'

    fragment = re.sub(r'\b(src)=(["\'])(.*?)\2', fix_src, fragment)

    def fix_href(m: re.Match) -> str:
        url = m.group(3)
        if _is_local(url):
            rel = unquote(urlsplit(url).path)
            src = (module_dir / rel).resolve()
            if src.is_file() and module_dir.resolve() in src.parents:
                page.copies[Path(rel).as_posix().lstrip("./")] = src
        return m.group(0)

    return re.sub(r'\b(href)=(["\'])(.*?)\2', fix_href, fragment)


def _output_html(out: Any, n: int, k: int, page: Page) -> str:
    ot = out.get("output_type")
    if ot == "stream":
        return f'<pre class="h4s-stream">{html.escape(_ANSI.sub("", "".join(out.get("text", ""))))}</pre>'
    if ot == "error":
        tb = _ANSI.sub("", "\n".join(out.get("traceback", [])) or f"{out.get('ename')}: {out.get('evalue')}")
        page.warnings.append(f"cell {n}: shows an error output")
        return f'<pre class="h4s-error">{html.escape(tb)}</pre>'
    data = out.get("data", {}) or {}
    meta = out.get("metadata", {}) or {}
    if "text/html" in data:
        h = "".join(data["text/html"]) if isinstance(data["text/html"], list) else data["text/html"]
        return h
    if "image/svg+xml" in data:
        svg = "".join(data["image/svg+xml"]) if isinstance(data["image/svg+xml"], list) else data["image/svg+xml"]
        b64 = base64.b64encode(svg.encode("utf-8")).decode("ascii")
        alt = html.escape(str(meta.get("alt") or f"Figure made by code cell {n}"))
        return f'<img src="data:image/svg+xml;base64,{b64}" alt="{alt}" style="max-width:100%;height:auto">'
    for mime, ext in (("image/png", "png"), ("image/jpeg", "jpg"), ("image/gif", "gif")):
        if mime in data:
            raw = base64.b64decode("".join(data[mime]) if isinstance(data[mime], list) else data[mime])
            name = f"outputs/cell{n}-{k}.{ext}"
            page.files[name] = raw
            alt = html.escape(str((meta.get(mime) or {}).get("alt") or meta.get("alt") or
                                  f"Figure made by code cell {n}"))
            if not meta.get("alt"):
                page.warnings.append(f"cell {n}: image output without alt text; use show_figure(..., alt=...)")
            return f'<img src="{name}" alt="{alt}" style="max-width:100%;height:auto">'
    if "text/markdown" in data:
        md = "".join(data["text/markdown"]) if isinstance(data["text/markdown"], list) else data["text/markdown"]
        h, m = md_to_html(md)
        page.has_math |= m
        return h
    if "text/latex" in data:
        page.has_math = True
        tex = "".join(data["text/latex"]) if isinstance(data["text/latex"], list) else data["text/latex"]
        return f'<div class="h4s-math">{html.escape(tex)}</div>'
    if "text/plain" in data:
        txt = "".join(data["text/plain"]) if isinstance(data["text/plain"], list) else data["text/plain"]
        return f'<pre class="h4s-output">{html.escape(txt)}</pre>'
    return ""


PAGE_CSS = """
:root{color-scheme:light}
body{margin:0;font:1.05rem/1.6 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;color:#1a1a1a;background:#fff}
main{max-width:50rem;margin:0 auto;padding:1.5rem 1rem 4rem}
h1,h2,h3,h4{line-height:1.25}
a{color:#0b57a4}
a:focus-visible,button:focus-visible{outline:3px solid #0b57a4;outline-offset:2px}
img{max-width:100%;height:auto}
table{border-collapse:collapse}
th,td{border:1px solid #8a8a8a;padding:.3rem .5rem;text-align:left;vertical-align:top}
pre{white-space:pre-wrap;word-wrap:break-word;background:#f4f4f4;border:1px solid #d0d0d0;padding:.6rem;border-radius:4px}
code{font-family:ui-monospace,"Cascadia Mono","DejaVu Sans Mono",monospace;font-size:.95em}
figure{margin:1.2rem 0}
figcaption{font-size:.95rem;color:#3d3d3d}
.h4s-scorm-status{border:1px solid #8a8a8a;border-radius:4px;padding:.5rem .75rem;background:#f7f7f7;margin:1rem 0}
.h4s-scorm-status:empty{display:none}
"""


def _quiz_payloads(fragment: str) -> list[dict]:
    import json
    out = []
    for m in _QUIZ_RE.finditer(fragment):
        try:
            out.append(json.loads(m.group(1).replace("<\\/", "</")))
        except ValueError:
            pass
    return out


def render_module(module_dir: str | Path, execute: bool = True) -> Page:
    """The module in ``module_dir`` (``module.ipynb``) as one HTML page plus the files it needs."""
    module_dir = Path(module_dir)
    nb_path = module_dir / "module.ipynb"
    if not nb_path.is_file():
        raise ExportError(f"{module_dir}: no module.ipynb (a module folder holds module.ipynb, questions/, media/)")
    nb = nbformat.read(nb_path, as_version=4)
    meta = dict(nb.metadata.get("h4s") or {})
    module_id = meta.get("id") or module_dir.resolve().name
    lang = meta.get("language") or "en"
    title = meta.get("title") or module_id
    page = Page(html="", title=title, language=lang, meta=meta)
    code_cells = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    if code_cells and not any(c.get("outputs") for c in code_cells):
        if execute:
            execute_notebook(nb, module_dir, module_id)
        else:
            page.warnings.append("the notebook has no outputs and --no-execute was given: quizzes and figures "
                                 "are missing")
    body: list[str] = []
    for n, cell in enumerate(nb.cells, start=1):
        tags = set((cell.get("metadata") or {}).get("tags") or [])
        if "remove-cell" in tags:
            continue
        if cell.cell_type == "markdown":
            source = cell.source
            for name, bundle in (cell.get("attachments") or {}).items():   # pasted images
                for mime, data in bundle.items():
                    if mime.startswith("image/"):
                        safe = re.sub(r"[^A-Za-z0-9_.-]", "-", name)
                        path = f"attachments/cell{n}-{safe}"
                        raw = data.encode("utf-8") if mime == "image/svg+xml" and "<svg" in data else \
                            base64.b64decode(data)
                        page.files[path] = raw
                        source = source.replace(f"attachment:{name}", path)
                        break
            h, m = md_to_html(source)
            page.has_math |= m
            body.append(_localise(h, module_dir, page, f"cell {n}"))
        elif cell.cell_type == "code":
            if "parameters" in tags:
                continue
            parts = []
            if "remove-input" not in tags and cell.source.strip():
                src = f'<pre class="h4s-code"><code class="language-python">{html.escape(cell.source)}</code></pre>'
                if "hide-input" in tags:
                    src = f"<details><summary>Code</summary>{src}</details>"
                parts.append(src)
            if "remove-output" not in tags:
                for k, out in enumerate(cell.get("outputs", []), start=1):
                    frag = _output_html(out, n, k, page)
                    if frag:
                        page.quizzes += _quiz_payloads(frag)
                        frag = _CSS_RE.sub("", _RUNTIME_RE.sub("", frag))
                        if "h4s-math" in frag or "\\(" in frag:
                            page.has_math = True
                        parts.append(_localise(frag, module_dir, page, f"cell {n}"))
            if "Quiz(" in cell.source and "remove-output" not in tags and not any(
                    "h4s-data" in p for p in parts):
                page.warnings.append(f"cell {n}: a quiz without its static fallback (was the notebook run with "
                                     "H4S_LIVE=1?); clear the outputs and export again")
            if parts:
                body.append('<div class="h4s-cell">' + "".join(parts) + "</div>")
        # raw cells are left out
    page.html = "\n".join(body)
    return page


def page_document(page: Page, head_extra: str = "", body_end: str = "") -> str:
    """The complete HTML document around a rendered page."""
    from h4s_widgets._assets import after_first_quiz, page_types, runtime_tags, widget_css
    desc = page.meta.get("summary") or ""
    quiz = bool(page.quizzes)
    mathjax = ""
    if page.has_math:
        mathjax = ('<script>window.MathJax={tex:{inlineMath:[["\\\\(","\\\\)"]],displayMath:[["\\\\[","\\\\]"]]},'
                   'options:{enableMenu:false},startup:{typeset:true}};</script>'
                   '<script defer src="mathjax/tex-chtml.js"></script>')
    doc = (
        "<!DOCTYPE html>\n"
        f'<html lang="{html.escape(page.language)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(page.title)}</title>\n"
        f'<meta name="description" content="{html.escape(desc)}">\n'
        f'<meta name="h4s-module" content="{html.escape(str(page.meta.get("id") or ""))}">\n'
        f"<style>{PAGE_CSS}</style>\n"
        + (f'<style id="h4s-css">{widget_css()}</style>\n' if quiz else "")
        + head_extra + mathjax +
        "\n</head>\n<body>\n<main id=\"main\">\n"
        '<div class="h4s-scorm-status" role="status" aria-live="polite"></div>\n'
        + page.html +
        "\n</main>\n" + body_end
        + "</body>\n</html>\n"
    )
    if not quiz:
        return doc
    # the quiz JS right after the first quiz, which is then drawn while the rest of the page is parsed; after
    # ``body_end`` when there is one (the SCORM runtime: it offers the learner's earlier answers at mount)
    script = runtime_tags(page_types(page.html))
    if body_end:
        head, sep, tail = doc.rpartition("</body>")
        return f"{head}{script}\n{sep}{tail}"
    return after_first_quiz(doc, script)
