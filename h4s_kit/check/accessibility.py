"""Step 4: accessibility lint (WCAG basics a trainer can fix in the notebook).

- markdown images ``![alt](src)``, HTML ``<img>`` and MyST ``{figure}``/``{image}`` have non-empty alt text;
  local images exist;
- headings in order: the first heading is ``#`` (H1), no level is skipped (``##`` then ``####``);
- no link texts that say nothing out of context ("click here", "here", "read more", ...);
- no image outputs (matplotlib ``image/png``) without alt text: figures go through ``show_figure``.
"""
from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from h4s_kit.modules import Module

from . import Context, Finding, Step

VAGUE_LINKS = {"click here", "here", "read more", "more", "click", "link", "this link", "this", "go",
               "learn more", "see here", "more info", "details"}
IMAGE_MIMES = ("image/png", "image/jpeg", "image/gif", "image/svg+xml", "image/webp")
_FILE_LIKE = re.compile(r"^[\w.-]+\.(png|jpe?g|gif|svg|webp)$", re.I)


def _md():
    from markdown_it import MarkdownIt
    return MarkdownIt("commonmark")


class _HTMLScan(HTMLParser):
    """<img> tags and the text of <a> elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.images: list[dict] = []
        self.links: list[str] = []
        self._in_a = 0
        self._a_text: list[str] = []
        self._a_label = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "img":
            self.images.append(a)
            if self._in_a:
                self._a_text.append(a.get("alt") or "")
        elif tag == "a":
            self._in_a += 1
            self._a_text = []
            self._a_label = a.get("aria-label") or a.get("title") or ""

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "a" and self._in_a:
            self._in_a -= 1
            self.links.append(self._a_label or "".join(self._a_text))

    def handle_data(self, data):
        if self._in_a:
            self._a_text.append(data)


def _norm(text: str) -> str:
    return re.sub(r"[\s.,:;!?…»«\"'()\[\]-]+", " ", text).strip().lower()


class AccessibilityStep(Step):
    name = "accessibility"

    def run(self, module: Module, ctx: Context) -> list[Finding]:
        if module.nb is None:
            return []
        out: list[Finding] = []
        md = _md()
        last_level = 0
        seen_heading = False
        flagged: set[int] = set()
        for n, cell in enumerate(module.nb.cells, start=1):
            place = module.cell_place(n)
            if cell.cell_type == "markdown":
                tokens = md.parse(cell.source)
                for level, text in _headings(tokens):
                    if not seen_heading and level != 1:
                        out.append(self.error(
                            module, place, f"the first heading is level {level} (\"{'#' * level} {text}\"); "
                                           f"the module must start with one level-1 heading",
                            f"in cell {n} write the module title as '# {text}' (one # and a space)"))
                    elif seen_heading and level > last_level + 1:
                        out.append(self.error(
                            module, place, f"heading \"{'#' * level} {text}\" jumps from level {last_level} to "
                                           f"level {level}; screen-reader users navigate by heading levels",
                            f"in cell {n} write it as '{'#' * (last_level + 1)} {text}' "
                            f"(or add the missing level above it)"))
                    seen_heading = True
                    last_level = level
                out.extend(self._markdown(module, n, cell.source, tokens))
            elif cell.cell_type == "code":
                for o in cell.get("outputs", []):
                    data = o.get("data", {}) if isinstance(o, dict) else {}
                    mime = next((m for m in IMAGE_MIMES if m in data), None)
                    if mime and n not in flagged:
                        flagged.add(n)
                        out.append(self._figure_finding(module, n, mime))
        if not seen_heading:
            out.append(self.error(module, module.nb_place, "the notebook has no heading",
                                  "make the first cell a markdown cell with '# ' and the module title"))
        ctx.put("image_outputs", module, flagged)
        return out

    def _figure_finding(self, module: Module, n: int, mime: str | None = None) -> Finding:
        what = f"the saved cell output is a picture ({mime}, e.g. a matplotlib chart)" if mime else \
            "when run, the cell shows a picture (e.g. a matplotlib chart)"
        return self.error(
            module, module.cell_place(n),
            f"{what} without alt text",
            f"in cell {n} show the figure with: from h4s_kit.figures import show_figure; "
            f"show_figure(fig, alt=\"what the chart shows\", caption=\"...\") instead of plt.show() "
            f"or leaving the figure as the last line")

    def _markdown(self, module: Module, n: int, source: str, tokens) -> list[Finding]:
        out: list[Finding] = []
        place = module.cell_place(n)
        scan = _HTMLScan()
        for t in tokens:
            if t.type == "html_block":
                scan.feed(t.content)
            elif t.type == "fence" and re.match(r"^\{(figure|image)\}", t.info.strip()):
                src = t.info.strip().split("}", 1)[1].strip()
                alt = re.search(r"^:alt:[ \t]*(\S.*)$", t.content, re.M)
                if not alt:
                    out.append(self.error(
                        module, place, f"the figure {src} has no alt text",
                        f"in cell {n} add a line ':alt: what the picture shows' under the {{figure}} line"))
                out.extend(self._local_file(module, n, src))
            elif t.type == "inline":
                buf: list[str] = []
                link_text: list[str] | None = None
                for c in t.children or []:
                    if c.type == "image":
                        src = c.attrs.get("src", "")
                        alt = c.content.strip()
                        if link_text is not None:
                            link_text.append(alt)
                        if not alt:
                            out.append(self.error(
                                module, place, f"the image {src} has no alt text",
                                f"in cell {n} describe what the picture shows between the brackets: "
                                f"![what it shows]({src})"))
                        elif _FILE_LIKE.match(alt):
                            out.append(self.warning(
                                module, place, f"the alt text of the image {src} is a file name ({alt})",
                                f"in cell {n} replace it by a short description of what the picture shows"))
                        out.extend(self._local_file(module, n, src))
                    elif c.type == "link_open":
                        link_text = []
                        href = c.attrs.get("href", "")
                    elif c.type == "link_close" and link_text is not None:
                        text = "".join(link_text)
                        if _norm(text) in VAGUE_LINKS:
                            out.append(self._vague(module, n, text, href))
                        link_text = None
                    elif c.type == "html_inline":
                        buf.append(c.content)
                    elif c.type in ("text", "code_inline"):
                        if link_text is not None:
                            link_text.append(c.content)
                        buf.append(html.escape(c.content))
                    elif c.type in ("softbreak", "hardbreak"):
                        buf.append(" ")
                scan.feed("".join(buf))
        scan.close()
        for a in scan.images:
            src = a.get("src", "")
            if not (a.get("alt") or "").strip():
                out.append(self.error(
                    module, place, f"the <img> {src} has no alt text",
                    f"in cell {n} add alt=\"what the picture shows\" inside the <img ...> tag"))
            else:
                out.extend(self._local_file(module, n, src))
        for text in scan.links:
            if _norm(text) in VAGUE_LINKS:
                out.append(self._vague(module, n, text, ""))
        return out

    def _vague(self, module: Module, n: int, text: str, href: str) -> Finding:
        target = f" to {href}" if href else ""
        return self.error(
            module, module.cell_place(n),
            f"the link text \"{text.strip()}\"{target} does not say where the link goes",
            f"in cell {n} use the name of the target as the link text, e.g. "
            f"[the EQF level descriptors]({href or 'https://...'}) instead of \"{text.strip()}\"")

    def _local_file(self, module: Module, n: int, src: str) -> list[Finding]:
        if not src or re.match(r"^[a-z][a-z0-9+.-]*:", src, re.I) or src.startswith(("#", "/")):
            return []
        rel = src.split("#")[0].split("?")[0]
        if (module.folder / rel).exists():
            return []
        return [self.error(module, module.cell_place(n), f"the image {src} does not exist",
                           f"in cell {n} correct the path (relative to the module folder, e.g. media/chart.svg) "
                           f"or add the file")]


def _headings(tokens) -> list[tuple[int, str]]:
    out = []
    for i, t in enumerate(tokens):
        if t.type == "heading_open":
            text = tokens[i + 1].content if i + 1 < len(tokens) else ""
            out.append((int(t.tag[1]), text))
    return out
