"""The translatable messages of a module, and the same places written back with translations.

A message is one unit a translator sees: a markdown block (paragraph, heading, list item, table row,
MyST directive fence), a learner-visible string of a code cell (``_("...")``, the ``alt``/``caption``/
``credit`` of ``show_figure``, the ``title`` of ``Quiz``/``show``), a translatable field of a question
bank, a title in ``media/credits.yml`` or a field of the notebook metadata (title, summary, outcomes).

Its **context** (gettext ``msgctxt``) is its place, stable while the source is edited elsewhere, e.g.
``module.ipynb:cell-04/b3``, ``questions/practice.yml:principles/pairs/min/left``.  Ids, option keys,
numbers, scores and code are never messages, so a catalogue cannot change how a language-independent question is
graded; answers that are words in a language (cloze and drag-the-words gaps, short-text answers and their regular
expressions) are messages, checked by ``h4s check`` (:mod:`._verify`).
"""
from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import yaml

NOTEBOOK = "module.ipynb"

#: bank fields whose strings are words in a language (lists of strings count string by string)
BANK_TEXT_FIELDS = frozenset({
    "title", "text", "feedback", "hints", "feedback_true", "feedback_false", "gap_feedback", "left", "right",
    "distractors", "model_answer", "keywords", "scale", "label", "advice", "front", "back", "name", "unit",
    "passage", "regex",
})
#: code-cell calls whose keyword strings learners see
CALL_KEYWORDS = {"show_figure": ("alt", "caption", "credit"), "Quiz": ("title",), "show": ("title",)}
META_FIELDS = ("title", "summary", "outcomes")
#: a str.format placeholder in a code string ({n}, {hours:.1f}), which a translation must keep
PLACEHOLDER_RE = re.compile(r"(?<!\{)\{[A-Za-z_][A-Za-z0-9_]*(?:![rsa])?(?::[^{}]*)?\}(?!\})")

_NOTES = {
    "text": "Question or item text (Markdown).",
    "passage": "Passage of a select-the-words question: keep exactly as many [bracketed] units, "
               "around the translated words that are right.",
    "keywords": "Essay keyword: a word a good answer in this language would use.",
    "distractors": "A wrong word/item offered to the learner.",
    "unit": "Unit shown after the number box.",
}


@dataclass
class Msg:
    context: str
    id: str
    location: tuple[str, int]
    comment: str = ""


@dataclass
class Source:
    """A module's messages, with what is needed to write a translated copy."""
    folder: Path
    messages: list[Msg] = field(default_factory=list)

    def add(self, context: str, text: str, where: str, line: int = 0, comment: str = "") -> None:
        if isinstance(text, str) and text.strip() and re.search(r"[^\W\d_]", text):
            self.messages.append(Msg(context, text, (where, line), comment))


# ----------------------------------------------------------------------------------------------- markdown
_MD = None


def _parser():
    global _MD
    if _MD is None:
        from markdown_it import MarkdownIt
        _MD = MarkdownIt("commonmark").enable("table")
    return _MD


_ITEM = re.compile(r"^(\s*(?:[-*+]|\d{1,9}[.)])(?:\s+|$))")
_HEADING = re.compile(r"^(\s{0,3}#{1,6}\s+)(.*?)\s*$")
_TARGET = re.compile(r"^\s*\(\S+\)=\s*$")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")


@dataclass
class Segment:
    """Lines [start, end) of a markdown source, shown to translators as ``text``; ``put`` writes a translation."""
    key: str
    start: int
    end: int
    text: str
    put: Callable[[str], list[str]]


def _trim(lines: list[str], start: int, end: int) -> int:
    while end > start and not lines[end - 1].strip():
        end -= 1
    return end


def markdown_segments(source: str) -> list[Segment]:
    """The translatable blocks of a markdown cell: top-level blocks, list items one by one, table rows one by one.

    Code fences stay out (MyST directive fences ```{name} are one message with their markup); so do
    MyST targets ``(label)=`` and rules."""
    lines = source.split("\n")
    toks = _parser().parse(source)
    segs: list[Segment] = []
    i, n = 0, len(toks)
    block = 0
    while i < n:
        t = toks[i]
        if t.level != 0 or not t.map or t.nesting == -1:
            i += 1
            continue
        s, e = t.map
        e = _trim(lines, s, e)
        block += 1
        key = f"b{block}"
        if t.type in ("bullet_list_open", "ordered_list_open"):
            j, item = i + 1, 0
            while j < n and not (toks[j].type == t.type.replace("_open", "_close") and toks[j].level == 0):
                u = toks[j]
                if u.type == "list_item_open" and u.level == 1 and u.map:
                    item += 1
                    segs.append(_list_item(lines, u.map[0], _trim(lines, *u.map), f"{key}/i{item}"))
                j += 1
            i = j + 1
            continue
        if t.type == "table_open":
            row = 0
            for k in range(s, e):
                if _TABLE_RULE.match(lines[k]) or not lines[k].strip():
                    continue
                row += 1
                segs.append(Segment(f"{key}/r{row}", k, k + 1, lines[k].strip(), lambda tr: [tr.replace("\n", " ")]))
        elif t.type == "heading_open" and _HEADING.match(lines[s]) and e - s == 1:
            m = _HEADING.match(lines[s])
            segs.append(Segment(key, s, e, m.group(2), lambda tr, p=m.group(1): [p + tr.replace("\n", " ")]))
        elif t.type == "fence" and not t.info.strip().startswith("{"):
            pass                                    # code: not translated
        elif t.type == "hr" or (e - s == 1 and _TARGET.match(lines[s])):
            pass
        else:
            segs.append(Segment(key, s, e, "\n".join(lines[s:e]), lambda tr: tr.split("\n")))
        # skip to the end of this block
        if t.nesting == 1:
            depth, j = 0, i
            while j < n:
                depth += toks[j].nesting if toks[j].level == 0 or toks[j].nesting else 0
                if toks[j].level == 0 and toks[j].nesting == -1 and toks[j].type == t.type.replace("_open", "_close"):
                    break
                j += 1
            i = j + 1
        else:
            i += 1
    return segs


def _list_item(lines: list[str], s: int, e: int, key: str) -> Segment:
    m = _ITEM.match(lines[s])
    prefix = m.group(1) if m else ""
    pad = " " * len(prefix)
    body = [lines[s][len(prefix):]]
    for ln in lines[s + 1:e]:
        body.append(ln[len(pad):] if ln.startswith(pad) else ln.lstrip())

    def put(tr: str) -> list[str]:
        out = tr.split("\n")
        return [prefix + out[0]] + [(pad + x) if x.strip() else "" for x in out[1:]]
    return Segment(key, s, e, "\n".join(body), put)


def translate_markdown(source: str, lookup: Callable[[str, str], str]) -> str:
    """``source`` with every segment replaced by ``lookup(key, text)``."""
    lines = source.split("\n")
    out: list[str] = []
    pos = 0
    for seg in markdown_segments(source):
        out += lines[pos:seg.start]
        tr = lookup(seg.key, seg.text)
        out += seg.put(tr) if tr != seg.text else lines[seg.start:seg.end]
        pos = seg.end
    out += lines[pos:]
    return "\n".join(out)


# ----------------------------------------------------------------------------------------------- code
@dataclass
class CodeString:
    key: str
    node: ast.Constant
    text: str


def _call_name(f: ast.expr) -> str:
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""


def code_strings(source: str) -> list[CodeString]:
    """Learner-visible strings of a code cell: ``_("...")`` and the keywords of :data:`CALL_KEYWORDS`."""
    try:
        tree = ast.parse(source)
    except SyntaxError:          # IPython magics and the like: nothing to translate
        return []
    out: list[CodeString] = []
    seen: dict[str, int] = {}
    calls = sorted((n for n in ast.walk(tree) if isinstance(n, ast.Call)), key=lambda c: (c.lineno, c.col_offset))
    for c in calls:
        name = _call_name(c.func)
        found: list[tuple[str, ast.expr]] = []
        if name == "_" and c.args:
            found.append(("_", c.args[0]))
        for kw in c.keywords:
            if kw.arg in CALL_KEYWORDS.get(name, ()):
                found.append((f"{name}.{kw.arg}", kw.value))
        for base, node in found:
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                seen[base] = seen.get(base, 0) + 1
                out.append(CodeString(f"{base}/{seen[base]}", node, node.value))
    return out


def _offset(lines: list[str], line: int, col: int) -> int:
    """Character offset in the joined source of (1-based line, UTF-8 byte column)."""
    before = sum(len(x) + 1 for x in lines[:line - 1])
    return before + len(lines[line - 1].encode("utf-8")[:col].decode("utf-8", errors="ignore"))


def translate_code(source: str, lookup: Callable[[str, str], str]) -> str:
    lines = source.split("\n")
    edits = []
    for cs in code_strings(source):
        tr = lookup(cs.key, cs.text)
        if tr != cs.text:
            a = _offset(lines, cs.node.lineno, cs.node.col_offset)
            b = _offset(lines, cs.node.end_lineno, cs.node.end_col_offset)
            edits.append((a, b, json.dumps(tr, ensure_ascii=False)))
    for a, b, rep in sorted(edits, reverse=True):
        source = source[:a] + rep + source[b:]
    return source


def _cell_key(cell: dict, k: int) -> str:
    return str(cell.get("id") or f"cell{k}")


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


# ----------------------------------------------------------------------------------------------- banks
def walk_bank(data: Any, path: str = "", text_field: bool = False, code: bool = False):
    """(context path, string) for every translatable string of a bank's parsed YAML.

    A list of mappings with ``id`` is walked by id (``options/a/text``), other lists by position."""
    if isinstance(data, dict):
        for k, v in data.items():
            sub = f"{path}/{k}" if path else str(k)
            yield from walk_bank(v, sub, k in BANK_TEXT_FIELDS, k == "items" and data.get("code") is True)
    elif isinstance(data, list):
        for i, v in enumerate(data):
            key = str(v["id"]) if isinstance(v, dict) and isinstance(v.get("id"), str) else str(i)
            if code and isinstance(v, dict):      # Parsons items: code lines, not words
                continue
            yield from walk_bank(v, f"{path}/{key}", text_field, code)
    elif isinstance(data, str) and text_field:
        yield path, data


def set_path(data: Any, path: str, value: str) -> None:
    parts = path.split("/")
    cur = data
    for p in parts[:-1]:
        cur = _step(cur, p)
    last = parts[-1]
    if isinstance(cur, dict):
        cur[last] = value
    else:
        cur[_index(cur, last)] = value


def _index(lst: list, p: str) -> int:
    for i, v in enumerate(lst):
        if isinstance(v, dict) and v.get("id") == p:
            return i
    return int(p)


def _step(cur: Any, p: str) -> Any:
    return cur[p] if isinstance(cur, dict) else cur[_index(cur, p)]


def bank_files(folder: Path) -> list[Path]:
    q = folder / "questions"
    return sorted(list(q.glob("*.yml")) + list(q.glob("*.yaml"))) if q.is_dir() else []


def _line_of(text: str, needle: str) -> int:
    first = needle.split("\n", 1)[0][:60]
    i = text.find(first)
    return text.count("\n", 0, i) + 1 if i >= 0 else 0


def read_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


# ----------------------------------------------------------------------------------------------- module
def collect(folder: Path) -> Source:
    """Every message of the module in ``folder``, in reading order."""
    folder = Path(folder)
    src = Source(folder)
    nb = json.loads((folder / NOTEBOOK).read_text(encoding="utf-8"))
    meta = (nb.get("metadata") or {}).get("h4s") or {}
    for f in META_FIELDS:
        v = meta.get(f)
        if isinstance(v, list):
            for i, x in enumerate(v):
                src.add(f"{NOTEBOOK}:metadata/{f}/{i}", x, NOTEBOOK, 0, f"Notebook metadata h4s.{f}.")
        else:
            src.add(f"{NOTEBOOK}:metadata/{f}", v, NOTEBOOK, 0, f"Notebook metadata h4s.{f}.")
    for k, cell in enumerate(nb.get("cells") or [], start=1):
        ck = _cell_key(cell, k)
        text = _source(cell)
        if cell.get("cell_type") == "markdown":
            for seg in markdown_segments(text):
                note = "A table row: keep the | separators." if "/r" in seg.key else ""
                src.add(f"{NOTEBOOK}:{ck}/{seg.key}", seg.text, NOTEBOOK, k, note)
        elif cell.get("cell_type") == "code":
            for cs in code_strings(text):
                src.add(f"{NOTEBOOK}:{ck}/{cs.key}", cs.text, NOTEBOOK, k,
                        "Figure text for screen readers and the caption." if cs.key.startswith("show_figure")
                        else "Shown to learners by the code of this cell."
                        + (" Keep every {placeholder} exactly: the code fills it in."
                           if PLACEHOLDER_RE.search(cs.text) else ""))
    for bank in bank_files(folder):
        rel = bank.relative_to(folder).as_posix()
        raw = bank.read_text(encoding="utf-8")
        data = yaml.safe_load(raw)
        for path, text in walk_bank(data):
            fld = path.split("/")[-1] if not path.split("/")[-1].isdigit() else path.split("/")[-2]
            note = _NOTES.get(fld, "")
            if _is_gap_field(data, path):
                note = ("Keep every [[gap]]: translate the accepted answers inside it, alternatives separated by |; "
                        "the number of gaps must stay the same.")
            elif "/answers/" in path and path.endswith("/text"):
                note = "An accepted answer (short text): what a learner may type in this language."
            elif "/answers/" in path and path.endswith("/regex"):
                note = ("Accepted answers as a regular expression (short text; it must match the whole answer, case "
                        "ignored unless the question says otherwise): write the words a learner may type in this "
                        "language, keep codes such as CC BY-SA; keep it a valid expression (h4s check tries it).")
            src.add(f"{rel}:{path}", text, rel, _line_of(raw, text), note)
    credits = folder / "media" / "credits.yml"
    if credits.is_file():
        data = yaml.safe_load(credits.read_text(encoding="utf-8")) or []
        for e in data if isinstance(data, list) else []:
            if isinstance(e, dict) and e.get("file"):
                for f in ("title", "alt"):
                    src.add(f"media/credits.yml:{e['file']}/{f}", e.get(f), "media/credits.yml", 0,
                            "Title or alternative text of a media file.")
    return src


def _is_gap_field(data: Any, path: str) -> bool:
    parts = path.split("/")
    if parts[-1] != "text" or len(parts) != 3 or parts[0] != "questions":
        return False
    try:
        q = _step(data["questions"], parts[1])
    except (KeyError, IndexError, ValueError, TypeError):
        return False
    return isinstance(q, dict) and q.get("type") in ("cloze", "drag_words")


def translated_notebook(folder: Path, lookup: Callable[[str, str], str], lang: str, extra_meta: dict) -> dict:
    nb = json.loads((Path(folder) / NOTEBOOK).read_text(encoding="utf-8"))
    meta = nb.setdefault("metadata", {}).setdefault("h4s", {})
    for f in META_FIELDS:
        v = meta.get(f)
        if isinstance(v, list):
            meta[f] = [lookup(f"{NOTEBOOK}:metadata/{f}/{i}", x) if isinstance(x, str) else x for i, x in enumerate(v)]
        elif isinstance(v, str):
            meta[f] = lookup(f"{NOTEBOOK}:metadata/{f}", v)
    meta["language"] = lang
    meta["translation"] = extra_meta
    for k, cell in enumerate(nb.get("cells") or [], start=1):
        ck = _cell_key(cell, k)
        text = _source(cell)
        if cell.get("cell_type") == "markdown":
            new = translate_markdown(text, lambda key, s: lookup(f"{NOTEBOOK}:{ck}/{key}", s))
        elif cell.get("cell_type") == "code":
            new = translate_code(text, lambda key, s: lookup(f"{NOTEBOOK}:{ck}/{key}", s))
        else:
            continue
        if new != text:
            cell["source"] = new
    return nb


def translated_bank(bank: Path, folder: Path, lookup: Callable[[str, str], str], lang: str) -> Any:
    rel = bank.relative_to(folder).as_posix()
    data = read_yaml(bank)
    for path, text in list(walk_bank(data)):
        tr = lookup(f"{rel}:{path}", text)
        if tr != text:
            set_path(data, path, tr)
    if isinstance(data, dict) and "language" in data:
        data["language"] = lang
    return data


def translated_credits(folder: Path, lookup: Callable[[str, str], str]) -> Any:
    data = read_yaml(Path(folder) / "media" / "credits.yml") or []
    for e in data if isinstance(data, list) else []:
        if isinstance(e, dict) and e.get("file"):
            for f in ("title", "alt"):
                if isinstance(e.get(f), str):
                    e[f] = lookup(f"media/credits.yml:{e['file']}/{f}", e[f])
    return data
