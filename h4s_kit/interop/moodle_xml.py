"""Moodle XML question files to and from h4s questions.

Reading uses the standard library's expat with a tiny tree that keeps line
numbers; document type declarations are refused (no entity tricks).  Question
types: category, multichoice, truefalse, shortanswer, numerical, matching,
essay, multianswer (cloze), ddwtos (drag and drop into text); description and
other types are skipped with a warning.  Writing marks every text
``format="markdown"`` (h4s text is Markdown, and Moodle renders Markdown).
"""
from __future__ import annotations

import html
import re
from html import escape as _xml_escape
from pathlib import Path
from typing import Any
from xml.parsers import expat

from h4s_widgets._errors import ImportFormatError
from h4s_widgets._schema import QuestionBase

from . import (
    ExportResult, IdMaker, ImportResult, Note, category_title, clean_category, finish_import, fmt_number,
    html_to_markdown, looks_like_html, on_moodle_grade_list, plain_to_markdown,
)
from .gift import CATCH_ALL, _opt_ids, _shortanswer_pattern, _wildcard_of


# --------------------------------------------------------------------------- a small tree with line numbers

class El:
    __slots__ = ("tag", "attrs", "children", "parts", "line")

    def __init__(self, tag: str, attrs: dict, line: int):
        self.tag, self.attrs, self.line = tag, attrs, line
        self.children: list[El] = []
        self.parts: list[str] = []

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def find(self, tag: str) -> "El | None":
        for c in self.children:
            if c.tag == tag:
                return c
        return None

    def findall(self, tag: str) -> list["El"]:
        return [c for c in self.children if c.tag == tag]

    def get_text(self, tag: str) -> str | None:
        """``<tag><text>..</text></tag>`` (or ``<tag>..</tag>``) -> text."""
        c = self.find(tag)
        if c is None:
            return None
        t = c.find("text")
        return (t.text if t is not None else c.text)


def parse_xml(data: bytes | str, source: str) -> El:
    root: list[El] = []
    stack: list[El] = []
    p = expat.ParserCreate()

    def start(tag, attrs):
        el = El(tag, attrs, p.CurrentLineNumber)
        if stack:
            stack[-1].children.append(el)
        else:
            root.append(el)
        stack.append(el)

    def end(tag):
        stack.pop()

    def chars(data):
        if stack:
            stack[-1].parts.append(data)

    def doctype(*_a):
        raise ImportFormatError(f"{source}:{p.CurrentLineNumber}: document type declarations are not accepted "
                                "in Moodle XML (remove the <!DOCTYPE ...> line)")

    p.StartElementHandler = start
    p.EndElementHandler = end
    p.CharacterDataHandler = chars
    p.StartDoctypeDeclHandler = doctype
    p.EntityDeclHandler = doctype
    try:
        p.Parse(data, True)
    except expat.ExpatError as e:
        raise ImportFormatError(f"{source}:{e.lineno}: not well-formed XML: {expat.ErrorString(e.code)} "
                                f"(column {e.offset + 1})") from None
    if not root or root[0].tag != "quiz":
        raise ImportFormatError(f"{source}:1: a Moodle XML file starts with <quiz> "
                                f"(found <{root[0].tag if root else 'nothing'}>)")
    return root[0]


# --------------------------------------------------------------------------- reading

class _Q:
    def __init__(self, source: str, line: int, media: dict[str, bytes] | None = None):
        self.source, self.line, self.qid = source, line, None
        self.notes: list[str] = []
        self.media = media if media is not None else {}     # media/<name> -> bytes, for the whole file

    def note(self, msg: str) -> None:
        if msg not in self.notes:
            self.notes.append(msg)

    def error(self, msg: str) -> ImportFormatError:
        who = f" question '{self.qid}':" if self.qid else ""
        return ImportFormatError(f"{self.source}:{self.line}:{who} {msg}")


def _md(q: _Q, el: El | None, what: str = "") -> str:
    """Markdown of a ``<x format=".."><text>..</text></x>`` element."""
    if el is None:
        return ""
    t_el = el.find("text")
    raw = t_el.text if t_el is not None else el.text
    fmt = (el.attrs.get("format") or "html").lower()
    raw = _embedded_files(q, el, raw.strip(), what)
    if fmt == "html" or (fmt == "moodle_auto_format" and looks_like_html(raw)):
        md, formatting, lossy = html_to_markdown(raw)
        if formatting:
            q.note("[html] formatting converted to Markdown" + (f" in {what}" if what else ""))
        for lost in sorted(lossy):
            q.note(f"{lost} left out")
    elif fmt in ("moodle_auto_format", "plain_text"):
        md = plain_to_markdown(raw)   # Moodle shows these characters as they are; Markdown would not
    else:
        md = raw
    if "@@PLUGINFILE@@" in md:
        q.note(f"a link or image in {what or 'a text'} points to a file embedded in the Moodle question "
               "(@@PLUGINFILE@@), which h4s does not have: add the file to the module's media/ folder and change "
               "the link")
    return md


def _old_picture(q: _Q, el: El) -> str | None:
    """Moodle 1.9's picture of a question (``<image>`` name, ``<image_base64>`` data): a media file shown under
    the text (Markdown), or None."""
    import base64
    name = (el.get_text("image") or "").strip() if el.find("image") is not None else ""
    data64 = "".join((el.get_text("image_base64") or "").split()) if el.find("image_base64") is not None else ""
    if not name and not data64:
        return None
    if not data64:
        q.note(f"Moodle 1.9 picture {name!r} left out: it is not in the file (no <image_base64>)")
        return None
    try:
        data = base64.b64decode(data64, validate=True)
    except ValueError:
        q.note("Moodle 1.9 picture (<image_base64>) is not valid base64: left out")
        return None
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", name.split("/")[-1]).strip("-.") or f"{q.qid}-picture.png"
    target = safe if q.media.get(safe, data) == data else f"{q.qid}-{safe}"
    q.media[target] = data
    q.note(f"Moodle 1.9 picture saved as media/{target} and shown under the question text")
    return f"![]({'media/' + target})"


def _embedded_files(q: _Q, el: El, raw: str, what: str) -> str:
    """Files embedded in a text (``<file name=.. encoding="base64">``, linked as ``@@PLUGINFILE@@/name``)
    become media files of the module: ``media/<name>`` (a name taken by other bytes gets the question id in
    front), and the links point there."""
    import base64
    from urllib.parse import quote
    for f in el.findall("file"):
        name = (f.attrs.get("name") or "").strip()
        if not name or (f.attrs.get("encoding") or "base64") != "base64":
            continue
        try:
            data = base64.b64decode("".join(f.text.split()), validate=True)
        except ValueError:
            q.note(f"embedded file {name!r} in {what or 'a text'} is not valid base64: left out")
            continue
        safe = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.") or "file"
        target = safe
        if q.media.get(target, data) != data:
            target = f"{q.qid or 'q'}-{safe}"
        q.media[target] = data
        for link in {name, quote(name)}:
            raw = raw.replace(f"@@PLUGINFILE@@/{link}", f"media/{target}")
        q.note(f"embedded file {name!r} in {what or 'a text'} saved as media/{target}")
    return raw


def _fraction(q: _Q, a: El) -> float:
    try:
        return float(a.attrs.get("fraction", "0"))
    except ValueError:
        raise q.error(f"answer fraction {a.attrs.get('fraction')!r} is not a number (line {a.line})") from None


def _on_list(fraction_percent: str) -> bool:
    try:
        return on_moodle_grade_list(float(fraction_percent) / 100.0)
    except ValueError:
        return True     # not a number: refused elsewhere


def _num(q: _Q, s: str | None, what: str) -> float:
    try:
        return float((s or "").strip())
    except ValueError:
        raise q.error(f"{what} {s!r} is not a number") from None


def _bool(s: str | None) -> bool:
    return (s or "").strip().lower() in ("1", "true", "yes")


_CLOZE_RE = re.compile(r"\{(\d*):([A-Z_]+):((?:\\.|[^}\\])*)\}")
_SA = {"SHORTANSWER", "SA", "MW"}
_SAC = {"SHORTANSWER_C", "SAC", "MWC"}
_NUM = {"NUMERICAL", "NM"}
_MC = {"MULTICHOICE", "MC", "MULTICHOICE_V", "MCV", "MULTICHOICE_H", "MCH", "MULTICHOICE_S", "MCS",
       "MULTICHOICE_VS", "MCVS", "MULTICHOICE_HS", "MCHS"}
_MR = {"MULTIRESPONSE", "MR", "MULTIRESPONSE_H", "MRH", "MULTIRESPONSE_S", "MRS", "MULTIRESPONSE_HS", "MRHS"}


# One answer alternative of a cloze gap, as Moodle's multianswer reads it (qtype/multianswer/questiontype.php):
# an optional fraction, the answer up to an unescaped ~ # or } (not after a backslash, "&" or "&amp;", so that
# entities can stand for those characters), then an optional "#feedback" up to an unescaped ~ or }.
_ALT_RE = re.compile(r"~?(=|%(-?[0-9]+(?:[.,][0-9]*)?)%)?(.+?(?<!\\)(?<!&)(?<!&amp;)(?=[~#}]|$))"
                     r"(#(.*?(?<!\\)(?=[~}]|$)))?", re.S)


def _moodle_unescape(s: str) -> str:
    """What Moodle does to a gap's answer or feedback: HTML entities decoded, then only \\} and \\# unescaped."""
    return html.unescape(s).replace("\\}", "}").replace("\\#", "#")


def _cloze_alternatives(s: str) -> list[tuple[float, str, str | None]]:
    """``=a#fb~%50%b`` -> [(fraction in %, answer, feedback or None)] as Moodle reads them."""
    out = []
    rest = s
    while True:
        m = _ALT_RE.search(rest)
        if not m:
            break
        if m.group(1) == "=":
            w = 100.0
        elif m.group(2):
            w = float(m.group(2).replace(",", "."))
        else:
            w = 0.0
        fb = _moodle_unescape(m.group(5)) if m.group(4) is not None else None
        out.append((w, _moodle_unescape(m.group(3)), fb))
        rest = rest[m.end():]
    return out


def _cloze_answer(a: str) -> str:
    """One right answer of a short-answer gap, written so that Moodle reads back exactly ``a``: a star is
    escaped (Moodle's short answers take ``*`` as a wildcard), ``\\ & ~`` become entities, which Moodle
    decodes, and ``}`` and ``#`` get the backslash Moodle removes (it removes no other)."""
    rep = {"*": "\\*", "\\": "&#92;", "&": "&#38;", "~": "&#126;", "}": "\\}", "#": "\\#"}
    return "".join(rep.get(c, c) for c in a)


def _cloze_feedback(md_text: str) -> str:
    """Gap feedback: Moodle keeps it as HTML (after decoding entities once), so the Markdown is rendered and then
    protected like an answer (``#`` needs nothing in feedback)."""
    from h4s_widgets._markdown import md_inline
    rep = {"\\": "&#92;", "&": "&#38;", "~": "&#126;", "}": "\\}"}
    html_text = _MATH_SPAN.sub(r"\1", md_inline(md_text))    # maths as \(...\), what Moodle's MathJax reads
    return "".join(rep.get(c, c) for c in html_text)


_MATH_SPAN = re.compile(r'<span class="h4s-math">(.*?)</span>', re.S)
_TEX_INLINE = re.compile(r"\\\((.+?)\\\)", re.S)


def _gap_feedback_md(q: _Q, h: str) -> str:
    """Gap feedback (HTML in Moodle) as Markdown; Moodle's inline maths \\(...\\) becomes $...$."""
    maths: list[str] = []

    def keep(m: re.Match) -> str:          # kept out of the Markdown escaping, put back as $...$
        maths.append(html.unescape(m.group(1)))
        return f"\ue020{len(maths) - 1}\ue021"
    h = _TEX_INLINE.sub(keep, _MATH_SPAN.sub(r"\1", h))
    if looks_like_html(h):
        md, _formatting, lossy = html_to_markdown(h)
        for lost in sorted(lossy):
            q.note(f"{lost} left out")
    else:       # text as Moodle shows it: its backslashes, stars and dollars are no Markdown
        md = plain_to_markdown(html.unescape(h).strip())
    return re.sub("\ue020(\\d+)\ue021", lambda m: "$" + maths[int(m.group(1))] + "$", md)


def _cloze(q: _Q, el: El) -> dict:
    qt = el.find("questiontext")
    t_el = qt.find("text") if qt is not None else None
    raw = (t_el.text if t_el is not None else "") if qt is not None else ""
    gaps: list[list[str]] = []
    gap_fb: list[str | None] = []
    case = []

    def repl(m: re.Match) -> str:
        kind = m.group(2)
        answers = []
        fb_wrong = None
        for w, txt, fb in _cloze_alternatives(m.group(3)):
            wild = re.search(r"(?<!\\)\*", txt) is not None   # an unescaped * is Moodle's wildcard
            t = txt.strip()
            if (kind in _SA or kind in _SAC) and not wild:
                t = t.replace("\\*", "*")
            answers.append((w, t, _gap_feedback_md(q, fb.strip()) if fb and fb.strip() else None, wild))
        right = [a for a in answers if a[0] == 100]
        if kind in _NUM:
            q.note(f"numerical gap {len(gaps) + 1}: tolerance not kept (the number must be typed exactly)")
            alts = []
            for a in answers:
                if a[1] and a[1] != "*":
                    try:
                        value = float(a[1].split(":")[0].replace(",", "."))
                    except ValueError:   # Moodle refuses it too ("the answer must be a number or *")
                        raise q.error(f"numerical gap {len(gaps) + 1}: answer {a[1]!r} is not a number") from None
                    if a[0] == 100:
                        alts.append(fmt_number(value))
        elif kind in _MC or kind in _MR:
            if len([a for a in answers if a[1]]) < 2:   # Moodle refuses such a question as well
                raise q.error(f"choice gap {len(gaps) + 1} has fewer than two choices")
            q.note(f"gap {len(gaps) + 1}: a drop-down or choice gap becomes a typed gap (the options are not kept)")
            alts = [a[1] for a in right]
        elif kind in _SA or kind in _SAC:
            alts = [a[1] for a in right if not a[3]]
            case.append(kind in _SAC)
        else:
            raise q.error(f"unknown cloze gap type {kind!r}")
        for w, txt, fb, wild in answers:
            if w == 0 and wild and txt == "*" and fb:
                fb_wrong = fb
            elif 0 < w < 100 or (w == 100 and wild and kind not in _NUM):
                q.note(f"gap {len(gaps) + 1}: partly right or wildcard answers not kept")
        alts = [a for a in alts if a and "|" not in a and "]]" not in a]
        if not alts:
            raise q.error(f"cloze gap {len(gaps) + 1} has no right answer that h4s can use")
        gaps.append(alts)
        gap_fb.append(fb_wrong)
        return f"\ue010{len(gaps) - 1}\ue011"

    tokenised = _CLOZE_RE.sub(repl, raw)
    if not gaps:
        raise q.error("cloze question without any {1:SHORTANSWER:=...} gap")
    fake = El("questiontext", dict(qt.attrs) if qt is not None else {}, el.line)
    fake.parts = [tokenised]
    text = _md(q, fake, "the question text")
    text = re.sub("\ue010(\\d+)\ue011", lambda m: "[[" + "|".join(gaps[int(m.group(1))]) + "]]", text)
    out: dict[str, Any] = {"type": "cloze", "text": text}
    if case and all(case):
        out["case_sensitive"] = True
    elif any(case):
        q.note("some gaps are case-sensitive and some not: h4s uses one setting (not case-sensitive)")
    if any(gap_fb):
        while gap_fb and gap_fb[-1] is None:
            gap_fb.pop()
        out["gap_feedback"] = gap_fb
    return out


def _ddwtos(q: _Q, el: El) -> dict:
    text = _md(q, el.find("questiontext"), "the question text")
    boxes = []
    for b in el.findall("dragbox"):
        boxes.append(((b.get_text("text") if b.find("text") is not None else b.text) or "").strip())
        if (b.get_text("group") or "1").strip() != "1":
            q.note("drag-box groups are not kept (h4s has one word bank)")
    used = set()

    def repl(m: re.Match) -> str:
        k = int(m.group(1))
        if not 1 <= k <= len(boxes):
            raise q.error(f"[[{k}]] names drag box {k}, but there are {len(boxes)}")
        used.add(k)
        return f"[[{boxes[k - 1]}]]"

    text = re.sub(r"\[\[(\d+)\]\]", repl, text.replace("\\[\\[", "[[").replace("\\]\\]", "]]"))
    out: dict[str, Any] = {"type": "drag_words", "text": text}
    d = [b for i, b in enumerate(boxes, 1) if i not in used]
    if d:
        out["distractors"] = d
    return out


def _question(q: _Q, el: El, ids: IdMaker, n: int) -> dict | None:
    qtype = el.attrs.get("type", "")
    name = (el.get_text("name") or "").strip() or None
    idnumber = (el.get_text("idnumber") or "").strip() or None
    q.qid = ids.make(idnumber, name, n)
    if qtype == "description":
        q.note("description (text only, no question): skipped")
        return None
    text = _md(q, el.find("questiontext"), "the question text")
    out: dict[str, Any]
    answers = el.findall("answer")
    if qtype == "multichoice":
        single = _bool(el.get_text("single") if el.find("single") is not None else "true")
        opts = []
        for oid, a in zip(_opt_ids(len(answers)), answers):
            t = _md(q, a, "an option")
            if not t:
                raise q.error(f"option {oid} is empty (line {a.line})")
            o = {"id": oid, "text": t}
            f = _md(q, a.find("feedback"), "feedback")
            if f:
                o["feedback"] = f
            opts.append((o, _fraction(q, a)))
        if len(opts) < 2:
            raise q.error("a multiple-choice question needs at least two answers")
        full = [o for o, w in opts if w >= 99.99]
        positive = [o for o, w in opts if w > 0]
        if single:
            # Moodle's one-answer question: the chosen option's fraction is the mark (at least one is 100 %)
            if not full:
                raise q.error("one-answer question without an option with fraction 100 (Moodle refuses it too)")
            out = {"type": "single_choice", "options": [o for o, _ in opts], "answer": full[0]["id"]}
            scores = {o["id"]: round(min(w, 100.0) / 100.0, 7) for o, w in opts if o is not full[0] and w > 0}
            if scores:
                out["scores"] = scores
            if any(w < 0 for _, w in opts):
                q.note("negative marks on wrong options are not kept (single choice: a wrong answer scores 0)")
        else:
            if not positive:
                raise q.error("no option has a positive fraction (no right answer)")
            share = 100.0 / len(positive)
            if any(abs(w - share) > 0.01 for _, w in opts if w > 0) or any(
                    abs(w + share) > 0.01 for _, w in opts if w <= 0):
                ws = ", ".join(f"{w:g}%" for _, w in opts)
                q.note(f"fractions ({ws}) approximated: h4s gives each right option {share:.4g}% and takes "
                       f"{share:.4g}% off for each wrong one chosen (never below 0)")
            out = {"type": "multiple_response", "options": [o for o, _ in opts], "answers": [o["id"] for o in positive]}
        if _bool(el.get_text("shuffleanswers")):
            out["shuffle"] = True
        for tag in ("correctfeedback", "partiallycorrectfeedback", "incorrectfeedback"):
            if _md(q, el.find(tag)):
                q.note("combined feedback (correct / partly correct / incorrect) not kept")
    elif qtype == "truefalse":
        out = {"type": "true_false"}
        found = False
        for a in answers:
            val = (a.get_text("text") if a.find("text") is not None else a.text).strip().lower()
            if val not in ("true", "false"):
                raise q.error(f"true/false answer must be 'true' or 'false' (got {val!r}, line {a.line})")
            if _fraction(q, a) >= 99.99:
                out["answer"] = val == "true"
                found = True
            f = _md(q, a.find("feedback"), "feedback")
            if f:
                out["feedback_" + val] = f
        if not found:
            raise q.error("true/false question without an answer with fraction 100")
    elif qtype == "shortanswer":
        items = []
        for a in answers:
            t = (a.get_text("text") if a.find("text") is not None else a.text).strip()
            if not t:
                continue
            val, is_re = _shortanswer_pattern(t)
            w = _fraction(q, a) / 100.0
            it: dict[str, Any] = {("regex" if is_re else "text"): val, "score": round(max(0.0, min(1.0, w)), 6)}
            f = _md(q, a.find("feedback"), "feedback")
            if f:
                it["feedback"] = f
            items.append(it)
        if not any(i["score"] == 1 for i in items):
            raise q.error("short-answer question without an answer with fraction 100")
        out = {"type": "short_text", "answers": items}
        if _bool(el.get_text("usecase")):
            out["case_sensitive"] = True
    elif qtype == "numerical":
        items, catch = [], None
        for a in answers:
            t = (a.get_text("text") if a.find("text") is not None else a.text).strip()
            f = _md(q, a.find("feedback"), "feedback") or None
            w = round(max(0.0, min(1.0, _fraction(q, a) / 100.0)), 6)
            if t == "*":
                catch = {"min": -CATCH_ALL, "max": CATCH_ALL, "score": w}
                if f:
                    catch["feedback"] = f
                continue
            it: dict[str, Any] = {"value": _num(q, t, "numerical answer"),
                                  "tolerance": abs(_num(q, a.get_text("tolerance") or "0", "tolerance")), "score": w}
            if f:
                it["feedback"] = f
            items.append(it)
        if catch:
            items.append(catch)
        if not any(i["score"] == 1 for i in items):
            raise q.error("numerical question without an answer with fraction 100")
        out = {"type": "numeric", "answers": items}
        units = el.find("units")
        if units is not None:
            us = units.findall("unit")
            base = [u for u in us if abs(_num(q, u.get_text("multiplier") or "1", "multiplier") - 1) < 1e-12]
            if base:
                out["unit"] = (base[0].get_text("unit_name") or "").strip() or None
                if out["unit"] is None:
                    del out["unit"]
            if len(us) > len(base[:1]):
                q.note("unit conversions (several units) not kept")
    elif qtype == "matching":
        pairs, distractors = [], []
        for s in el.findall("subquestion"):
            left = _md(q, s, "a left-hand item")
            right = (s.get_text("answer") or "").strip()
            if not right:
                continue
            if left:
                pairs.append({"left": left, "right": right})
            else:
                distractors.append(right)
        for pid, p in zip(_opt_ids(len(pairs)), pairs):
            p["id"] = pid
        out = {"type": "matching", "pairs": [{"id": p["id"], "left": p["left"], "right": p["right"]} for p in pairs]}
        if distractors:
            out["distractors"] = distractors
        if len(pairs) < 2:
            raise q.error("a matching question needs at least two pairs")
    elif qtype == "essay":
        out = {"type": "essay"}
        if _md(q, el.find("graderinfo"), "grader information"):
            # Moodle shows it to graders only; an h4s model answer is shown to learners
            q.note("information for graders (graderinfo) left out: h4s would show it to learners as the model "
                   "answer; keep it in your trainer notes")
        mw = el.get_text("minwordlimit")
        if mw and mw.strip() and int(float(mw)) > 0:
            out["min_words"] = int(float(mw))
        if _md(q, el.find("responsetemplate")):
            q.note("response template not kept")
        if _bool(el.get_text("attachments")) or (el.get_text("attachments") or "0").strip() not in ("0", ""):
            q.note("attachments not kept (h4s essays are typed text)")
    elif qtype in ("cloze", "multianswer"):
        out = _cloze(q, el)
        text = out.pop("text")
    elif qtype == "ddwtos":
        out = _ddwtos(q, el)
        text = out.pop("text")
    else:
        q.note(f"question type {qtype!r} has no h4s equivalent; skipped")
        return None
    tags = [(t.get_text("text") if t.find("text") is not None else t.text).strip()
            for tg in el.findall("tags") for t in tg.findall("tag")]
    if any(tags):
        q.note(f"tags ({', '.join(t for t in tags if t)}) left out: h4s questions have no tags")
    picture = _old_picture(q, el)
    off = sorted({a.attrs.get("fraction") for a in answers if a.attrs.get("fraction") is not None
                  and not _on_list(a.attrs.get("fraction"))})
    if off:
        q.note(f"fraction(s) {', '.join(x + '%' for x in off)} not on Moodle's grade list: Moodle itself refuses "
               "this question unless the import chooses 'nearest grade'")
    d: dict[str, Any] = {"type": out.pop("type"), "id": q.qid}
    if name and name != q.qid:
        d["title"] = name
    if not text:
        if not name:
            raise q.error("the question has no text")
        text = name
        q.note("no question text: the name is used as the text")
    d["text"] = text + (f"\n\n{picture}" if picture else "")
    d.update(out)
    gen = _md(q, el.find("generalfeedback"), "general feedback")
    if gen:
        d["feedback"] = gen
    grade = el.get_text("defaultgrade")
    if grade is not None and grade.strip():
        pts = _num(q, grade, "defaultgrade")
        if pts >= 0:
            d["points"] = pts
    hints = [_md(q, h, "a hint") for h in el.findall("hint")]
    hints = [h for h in hints if h]
    if hints:
        d["hints"] = hints
    return d


def parse_moodle_xml(data: bytes | str, source: str = "<moodle-xml>") -> ImportResult:
    root = parse_xml(data, source)
    ids = IdMaker()
    questions, warnings, categories = [], [], []
    cat_of: dict[str, str] = {}
    line_of: dict[str, int] = {}
    refused: list[str] = []
    skipped, n = 0, 0
    media: dict[str, bytes] = {}
    randoms: dict[str, int] = {}      # category -> "random" questions drawn from it (a pool: draw)
    for el in root.findall("question"):
        if el.attrs.get("type") == "category":
            categories.append(clean_category(el.get_text("category") or ""))
            continue
        if el.attrs.get("type") == "random":
            c = categories[-1] if categories else ""
            randoms[c] = randoms.get(c, 0) + 1
            continue
        n += 1
        q = _Q(source, el.line, media)
        try:
            d = _question(q, el, ids, n)
        except ImportFormatError as e:        # this question is refused; the others are read on
            refused.append(str(e))
            continue
        warnings += [Note(source, el.line, q.qid, m) for m in q.notes]
        if d is None:
            skipped += 1
        else:
            questions.append(d)
            line_of[d["id"]] = el.line
            if categories:
                cat_of[d["id"]] = categories[-1]
    result = finish_import(questions, warnings, source, skipped, title=category_title(categories),
                           categories=cat_of, refused=refused, lines=line_of)
    result.media = media
    _import_draw(result, randoms, source)
    return result


def _import_draw(result: ImportResult, randoms: dict[str, int], source: str) -> None:
    """Moodle's random questions from one category that holds every imported question become the bank's
    ``draw``; otherwise a warning says what to set by hand."""
    qs = result.bank["questions"]
    for c, k in randoms.items():
        pool = [q["id"] for q in qs if result.categories.get(q["id"]) == c]
        if len(randoms) == 1 and len(pool) == len(qs) and k <= len(qs):
            result.bank = {**{f: v for f, v in result.bank.items() if f != "questions"}, "draw": k,
                           "questions": qs}
        else:
            result.warnings.append(Note(source, 0, None, f"{k} random question(s) from category '{c or 'none'}' "
                                                         f"not imported; to draw from a pool, put its questions in "
                                                         f"a bank of their own and set draw: {k} there"))


def read_moodle_xml(path: str | Path) -> ImportResult:
    path = Path(path)
    return parse_moodle_xml(path.read_bytes(), source=path.name)


# --------------------------------------------------------------------------- writing

def _x(s: str) -> str:
    return _xml_escape(s, quote=True)


def _text_el(tag: str, text: str | None, fmt: str = "markdown", indent: str = "    ", attrs: str = "") -> str:
    f = f' format="{fmt}"' if fmt else ""
    return f"{indent}<{tag}{attrs}{f}><text>{_x(text or '')}</text></{tag}>\n"


def question_to_xml(q: QuestionBase) -> tuple[str | None, list[str]]:
    from h4s_widgets.types import hook

    from . import Writer, lost_fields
    problems = [f"{f} not exported (Moodle sets this in the quiz, not the question)"
                for f in lost_fields(q, ("max_attempts", "show_solution_after"))]
    writer = hook(q.type, "to_moodle_xml")
    if writer is None:
        return None, [f"type {q.type} has no Moodle XML equivalent"]
    made = writer(q, Writer(problems, x=_x, text_el=_text_el, wildcard=_wildcard_of, num=fmt_number,
                            catch_all=CATCH_ALL, cloze_answer=_cloze_answer, cloze_feedback=_cloze_feedback))
    if made is None:
        return None, problems
    mtype, body, head_extra = made
    text = head_extra or q.text
    out = f'  <question type="{mtype}">\n'
    out += f"    <name><text>{_x(q.title or q.id)}</text></name>\n"
    out += _text_el("questiontext", text)
    out += _text_el("generalfeedback", q.feedback or "")
    out += f"    <defaultgrade>{fmt_number(q.points)}</defaultgrade>\n"
    out += "    <penalty>0</penalty>\n    <hidden>0</hidden>\n"
    out += f"    <idnumber>{_x(q.id)}</idnumber>\n"
    out += body
    for h in q.hints:
        out += _text_el("hint", h)
    out += "  </question>\n"
    return out, problems


def _random_el(category: str) -> str:
    """A Moodle "random" question: at each attempt Moodle shows one question drawn from ``category`` (the
    one it is in; question text 0 = not from subcategories)."""
    return (f'  <question type="random">\n    <name><text>Random ({_x(category)})</text></name>\n'
            '    <questiontext format="html"><text>0</text></questiontext>\n'
            '    <generalfeedback format="html"><text></text></generalfeedback>\n'
            "    <defaultgrade>1</defaultgrade>\n    <penalty>0</penalty>\n    <hidden>0</hidden>\n"
            "  </question>\n")


def to_moodle_xml(questions: list[QuestionBase], category: str | None = None,
                  categories: list[str | None] | None = None, draws: dict[str, int] | None = None) -> ExportResult:
    """Moodle XML for ``questions``; ``draws`` (category -> n, a bank's ``draw: n``) adds n "random"
    questions to each such category, Moodle's own way to draw n questions of a pool per attempt."""
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n']
    warnings: list[str] = []
    done, last = 0, None

    def cat_el(c: str) -> str:
        return (f'  <question type="category">\n    <category><text>$course$/{_x(c)}</text></category>\n'
                f"  </question>\n")

    if category:
        parts.append(cat_el(category))
        last = category
    for i, q in enumerate(questions):
        text, problems = question_to_xml(q)
        for p in problems:
            warnings.append(f"question '{q.id}': {p}" + ("; skipped" if text is None else ""))
        if text is None:
            continue
        c = categories[i] if categories else None
        if c and c != last:
            parts.append(cat_el(c))
            last = c
        parts.append(text)
        done += 1
    for c, n in (draws or {}).items():
        parts.append(cat_el(c) + _random_el(c) * n)
        warnings.append(f"category '{c}': draw: {n} exported as {n} random questions of this category (the "
                        f"pool); add them to the quiz (or, where your Moodle does not import random questions, "
                        f"'Add a random question' {n} times from this category)")
    parts.append("</quiz>\n")
    return ExportResult("".join(parts), done, warnings)
