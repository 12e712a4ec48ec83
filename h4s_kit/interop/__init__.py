"""Moving questions and modules in and out of h4s: GIFT, Moodle XML, jupyterquiz JSON and SCORM.

Importers turn a foreign file into an h4s question bank (``schema_version: 1``)
and a list of warnings, one line per question that could only partly be
converted.  Exporters turn h4s questions into a foreign file and say, per
question, what could not be exported and why.  Everything here is written for
h4s; no code is taken from Moodle or other projects.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any, Iterable

from h4s_widgets._errors import ImportFormatError
from h4s_widgets._schema import ID_PATTERN, parse_bank

__all__ = [
    "ImportResult", "ExportResult", "Note", "IdMaker", "html_to_markdown", "looks_like_html", "finish_import",
    "ImportFormatError", "fmt_number",
]

_ID_RE = re.compile(ID_PATTERN)


@dataclass
class Note:
    """One warning about one question: ``file:line: question 'id': message``."""
    source: str
    line: int | None
    qid: str | None
    message: str

    def __str__(self) -> str:
        where = self.source + (f":{self.line}" if self.line else "")
        who = f" question '{self.qid}':" if self.qid else ""
        return f"{where}:{who} {self.message}"


@dataclass
class ImportResult:
    bank: dict                      # the h4s bank (validated)
    warnings: list[Note] = field(default_factory=list)
    skipped: int = 0                # questions left out (with a warning each)
    categories: dict[str, str] = field(default_factory=dict)   # question id -> Moodle category path
    refused: list[str] = field(default_factory=list)   # "file:line: question 'id': why", one per refused question
    lines: dict[str, int] = field(default_factory=dict)  # question id -> line where it starts in the file
    media: dict[str, bytes] = field(default_factory=dict)  # files embedded in the questions: media/<name> -> bytes

    @property
    def count(self) -> int:
        return len(self.bank["questions"])


@dataclass
class ExportResult:
    text: str
    exported: int
    warnings: list[str] = field(default_factory=list)


class IdMaker:
    """Stable, unique h4s ids from Moodle id numbers, names or positions."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    @staticmethod
    def slug(text: str) -> str:
        t = unicodedata.normalize("NFKD", text)
        t = "".join(c for c in t if not unicodedata.combining(c))
        t = t.replace("ß", "ss").replace("ø", "o").replace("Ø", "O").replace("ł", "l").replace("Ł", "L")
        t = t.replace("đ", "d").replace("Đ", "D").replace("æ", "ae").replace("œ", "oe").replace("þ", "th")
        t = re.sub(r"[^A-Za-z0-9]+", "-", t).strip("-").lower()
        return t[:48].strip("-")

    def make(self, preferred: str | None, name: str | None, n: int) -> str:
        base = None
        if preferred and _ID_RE.match(preferred):
            base = preferred
        elif name:
            base = self.slug(name) or None
        if not base:
            base = f"q{n}"
        cand, k = base, 2
        while cand in self.used:
            cand = f"{base[:58]}-{k}"
            k += 1
        self.used.add(cand)
        return cand


def fmt_number(x: float) -> str:
    """Shortest text that reads back as the same float (``3``, ``0.01``, ``-2.5``, ``1e-07``)."""
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    return repr(float(x))


# ---------------------------------------------------------------- HTML -> Markdown

_BLOCK = {"p", "div", "section", "article", "blockquote", "table", "tr", "ul", "ol", "h1", "h2", "h3", "h4", "h5",
          "h6", "pre", "figure"}
_PLAIN_TAGS = {"p", "br", "div", "span"}
_HTML_TAG = re.compile(r"<\s*/?\s*([A-Za-z][A-Za-z0-9]*)\b[^>]*>")


def looks_like_html(text: str) -> bool:
    return bool(_HTML_TAG.search(text or ""))


def _md_escape(text: str) -> str:
    return re.sub(r"([\\`*_\[\]<>])", r"\\\1", text)


class _ToMarkdown(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.lists: list[list] = []     # [kind, counter]
        self.href: list[str | None] = []
        self.pre = 0
        self.lossy: set[str] = set()
        self.formatting = False

    def _nl(self, n: int = 2) -> None:
        cur = "".join(self.out)
        stripped = cur.rstrip(" ")
        have = len(stripped) - len(stripped.rstrip("\n"))
        if stripped and have < n:
            self.out.append("\n" * (n - have))

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag not in _PLAIN_TAGS:
            self.formatting = True
        if tag in ("b", "strong"):
            self.out.append("**")
        elif tag in ("i", "em"):
            self.out.append("*")
        elif tag == "code" and not self.pre:
            self.out.append("`")
        elif tag == "br":
            self.out.append("  \n" if not self.pre else "\n")
        elif tag in ("p", "div", "section", "article", "figure", "table"):
            self._nl()
        elif tag == "blockquote":
            self._nl()
            self.out.append("> ")
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self._nl()
            self.out.append("#" * int(tag[1]) + " ")
        elif tag in ("ul", "ol"):
            self._nl(2 if not self.lists else 1)
            self.lists.append([tag, 0])
        elif tag == "li":
            self._nl(1)
            if self.lists:
                kind = self.lists[-1]
                kind[1] += 1
                indent = "   " * (len(self.lists) - 1)
                self.out.append(indent + (f"{kind[1]}. " if kind[0] == "ol" else "- "))
            else:
                self.out.append("- ")
        elif tag == "pre":
            self._nl()
            self.out.append("```\n")
            self.pre += 1
        elif tag == "a":
            self.href.append(a.get("href"))
            self.out.append("[")
        elif tag == "img":
            src = a.get("src") or ""
            alt = a.get("alt") or ""
            if src.startswith("@@PLUGINFILE@@") or src.startswith("data:"):
                self.lossy.add("embedded image")
                self.out.append(f"[image: {alt or 'left out'}]")
            else:
                self.out.append(f"![{alt}]({src})")
        elif tag in ("tr",):
            self._nl(1)
        elif tag in ("td", "th"):
            self.out.append(" | ")
        elif tag in ("sup", "sub", "u", "span", "font", "table", "tbody", "thead", "hr", "s", "strike"):
            if tag not in ("span", "tbody", "thead", "table"):
                self.lossy.add(f"<{tag}>")
        elif tag in ("script", "style", "iframe", "object", "embed", "video", "audio"):
            self.lossy.add(f"<{tag}>")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("b", "strong"):
            self.out.append("**")
        elif tag in ("i", "em"):
            self.out.append("*")
        elif tag == "code" and not self.pre:
            self.out.append("`")
        elif tag in ("p", "div", "section", "article", "figure", "blockquote", "table") or tag in (
                "h1", "h2", "h3", "h4", "h5", "h6"):
            self._nl()
        elif tag in ("ul", "ol"):
            if self.lists:
                self.lists.pop()
            self._nl()
        elif tag == "pre":
            self.pre = max(0, self.pre - 1)
            self._nl(1)
            self.out.append("```")
            self._nl()
        elif tag == "a":
            href = self.href.pop() if self.href else None
            self.out.append(f"]({href})" if href else "]")

    def handle_data(self, data: str) -> None:
        if self.pre:
            self.out.append(data)
        else:
            self.out.append(_md_escape(re.sub(r"\s+", " ", data)))


def html_to_markdown(text: str) -> tuple[str, bool, set[str]]:
    """(markdown, had formatting beyond paragraphs, things that were lost)."""
    p = _ToMarkdown()
    p.feed(text)
    p.close()
    md = "".join(p.out)
    md = re.sub(r"[ \t]+\n", lambda m: "  \n" if m.group(0).startswith("  ") else "\n", md)
    md = re.sub(r"\n{3,}", "\n\n", md).strip()
    # tidy "** text**" produced by spaces inside tags
    return md, p.formatting, p.lossy


# ---------------------------------------------------------------- finishing

def clean_category(path: str) -> str:
    """A Moodle category path without its context prefix (``$course$/``, ``top/``)."""
    return re.sub(r"^top/", "", re.sub(r"^\$(course|system|module|cat\d*)\$/", "", path.strip()))


def category_title(categories: list[str]) -> str | None:
    """The bank title when everything came from one category: its last part."""
    return categories[0].split("/")[-1] if len(categories) == 1 else None


def finish_import(questions: list[dict], warnings: list[Note], source: str, skipped: int = 0,
                  title: str | None = None, categories: dict[str, str] | None = None,
                  refused: list[str] | None = None, lines: dict[str, int] | None = None) -> ImportResult:
    """Validate every imported question with the h4s schema: one that fails is refused (named with its line in
    ``refused``) and the others are kept.  Raises ImportFormatError when no question is left."""
    from h4s_widgets._schema import parse_question
    refused = list(refused or [])
    kept = []
    for d in questions:
        try:
            parse_question(d, source=f"{source} (after conversion)")
        except ValueError as e:   # QuestionError
            line = (lines or {}).get(d.get("id"))
            refused.append(f"{source}:{line}: question '{d.get('id')}': {e}" if line else str(e))
            continue
        kept.append(d)
    questions = kept

    def line_of(msg: str) -> int:
        m = re.match(re.escape(source) + r":(\d+):", msg)
        return int(m.group(1)) if m else 0
    refused.sort(key=line_of)               # in the order of the file
    if not questions:
        if refused:
            more = f" (and {len(refused) - 1} more question(s) refused)" if len(refused) > 1 else ""
            raise ImportFormatError(refused[0] + more)
        raise ImportFormatError(f"{source}: no question could be imported" +
                                (f" ({skipped} skipped; see the warnings)" if skipped else ""))
    bank: dict[str, Any] = {"schema_version": 1}
    if title:
        bank["title"] = title
    bank["questions"] = questions
    try:
        parse_bank(bank, source=f"{source} (after conversion)")
    except ValueError as e:  # QuestionError
        raise ImportFormatError(str(e)) from None
    cats = {k: v for k, v in (categories or {}).items() if any(q["id"] == k for q in questions)}
    return ImportResult(bank=bank, warnings=warnings, skipped=skipped, categories=cats, refused=refused,
                        lines={q["id"]: (lines or {}).get(q["id"]) for q in questions if (lines or {}).get(q["id"])})


def lost_fields(q: Any, fields: Iterable[str]) -> list[str]:
    """Names of fields of ``q`` that differ from the schema default (so exporting them loses something)."""
    out = []
    for f in fields:
        if f not in type(q).model_fields:
            continue
        default = type(q).model_fields[f].get_default(call_default_factory=True)
        if getattr(q, f) != default:
            out.append(f)
    return out


# ---------------------------------------------------------------- Moodle's grade list

#: The answer fractions Moodle imports (its fixed grade list, 100 % down to 0 %, and the negatives).  A file
#: with any other fraction is refused question by question unless the teacher picks "nearest grade" on import.
MOODLE_FRACTIONS: tuple[float, ...] = (
    1.0, 0.9, 0.8333333, 0.8, 0.75, 0.7, 0.6666667, 0.6, 0.5, 0.4, 0.3333333, 0.3, 0.25, 0.2, 0.1666667,
    0.1428571, 0.125, 0.1111111, 0.1, 0.05, 0.0)
MOODLE_FRACTIONS_FULL: tuple[float, ...] = MOODLE_FRACTIONS + tuple(-f for f in MOODLE_FRACTIONS if f)
#: How close a fraction must be to a value of the list for Moodle to take it as that value.
MOODLE_FRACTION_TOLERANCE = 0.00001


def on_moodle_grade_list(fraction: float) -> bool:
    """Whether Moodle accepts ``fraction`` (-1..1) as it is."""
    return any(abs(fraction - f) < MOODLE_FRACTION_TOLERANCE for f in MOODLE_FRACTIONS_FULL)


def moodle_fraction(fraction: float) -> float:
    """The value of Moodle's grade list nearest to ``fraction`` (ties go to the higher mark)."""
    return min(MOODLE_FRACTIONS_FULL, key=lambda f: (abs(fraction - f), -f))


def moodle_percent(fraction: float) -> str:
    """A grade-list fraction as Moodle writes the percentage: ``100``, ``33.33333``, ``-12.5``, ``0``."""
    s = f"{fraction * 100:.5f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def snap_fraction(fraction: float, what: str, problems: list[str]) -> float:
    """``fraction`` on Moodle's grade list; when that changes the mark, a line saying so goes to ``problems``."""
    snapped = moodle_fraction(fraction)
    if abs(snapped - fraction) >= MOODLE_FRACTION_TOLERANCE:
        problems.append(f"{what}: mark {_pct_plain(fraction)}% is not "
                        f"on Moodle's grade list; exported as {moodle_percent(snapped)}%")
    return snapped


def _pct_plain(fraction: float) -> str:
    s = f"{fraction * 100:.4f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def moodle_shares(n: int, problems: list[str]) -> list[float]:
    """Fractions of Moodle's grade list for the ``n`` right options of a multiple-answer question.

    Moodle refuses such a question unless the right options' fractions add up to 100 % (rounded to two
    decimals).  ``1/n`` when that is on the list; else the two neighbouring values of the list that add up to
    100 % (11 options: 9 at 10 % and 2 at 5 %), with a line in ``problems``.
    """
    even = 1.0 / n
    if on_moodle_grade_list(even):
        return [moodle_fraction(even)] * n
    best = None
    for hi in MOODLE_FRACTIONS:
        for lo in MOODLE_FRACTIONS:
            if not hi > even > lo > 0:
                continue
            for a in range(1, n):
                if round(a * hi + (n - a) * lo, 2) == 1.0:
                    key = (hi - lo, -a)
                    if best is None or key < best[0]:
                        best = (key, hi, lo, a)
    if best is None:
        snapped = moodle_fraction(even)
        problems.append(f"each of the {n} right options: mark {_pct_plain(even)}% is not on Moodle's grade list and no "
                        f"mix of its values adds up to 100%; exported as {moodle_percent(snapped)}% each (Moodle may "
                        "refuse the question)")
        return [snapped] * n
    _key, hi, lo, a = best
    problems.append(f"the {n} right options: mark {_pct_plain(even)}% each is not on Moodle's grade list; exported as "
                    f"{moodle_percent(hi)}% for the first {a} and {moodle_percent(lo)}% for the other {n - a} (together "
                    "100%)")
    return [hi] * a + [lo] * (n - a)


# ---------------------------------------------------------------- plain text -> Markdown

_MD_INLINE = re.compile(r"([\\`*_\[\]<>$|~&])")
_MD_LINE_START = re.compile(r"^([ \t]*)(#|>|[-+=](?=[ \t]|$)|(\d{1,9})([.)])(?=[ \t]|$))")


def plain_to_markdown(text: str) -> str:
    """Plain text (Moodle's "plain text" format, or its auto-format without HTML) as Markdown that shows the
    same characters: ``2*3*4`` stays ``2*3*4`` instead of putting 3 in italics, ``A \\\\ B`` keeps its backslash,
    ``$5`` is no maths, a line starting with ``#`` or ``1.`` is no heading or list, and a line break stays one
    (Moodle turns newlines into line breaks)."""
    lines = []
    for line in text.split("\n"):
        line = _MD_INLINE.sub(r"\\\1", line.rstrip())

        def start(m: re.Match) -> str:
            if m.group(3):                          # "1." / "1)": escape the dot or bracket
                return m.group(1) + m.group(3) + "\\" + m.group(4)
            return m.group(1) + "\\" + m.group(2)
        line = _MD_LINE_START.sub(start, line.lstrip(" \t"))
        lines.append(line)
    # a line break inside a paragraph: backslash at the end of the line (blank lines stay paragraph breaks)
    out = []
    for i, line in enumerate(lines):
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        out.append(line + ("\\" if line and nxt else ""))
    return "\n".join(out).strip()


class Writer:
    """What an export hook of a type unit (``h4s_widgets/types/<type>.py``: ``to_gift``, ``to_moodle_xml``)
    gets: the format's helpers and the list of problems to report (appended to by the hook)."""

    def __init__(self, problems: list[str], **helpers: Any):
        self.problems = problems
        self.__dict__.update(helpers)

    def shares(self, n: int) -> list[float]:
        """Moodle's marks of ``n`` right options, summing to 100 %."""
        return moodle_shares(n, self.problems)

    def snap(self, fraction: float, what: str) -> float:
        """``fraction`` on Moodle's grade list (a problem is noted when it moves)."""
        return snap_fraction(fraction, what, self.problems)

    @staticmethod
    def percent(fraction: float) -> str:
        return moodle_percent(fraction)
