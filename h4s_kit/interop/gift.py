"""GIFT (Moodle's plain-text question format) to and from h4s questions.

Reading: questions are separated by blank lines (outside braces); ``//`` lines
are comments (``// [id:x]`` carries Moodle's ID number); ``$CATEGORY:`` lines
name categories; ``::title::`` names a question; ``[html]``, ``[markdown]``,
``[plain]`` and ``[moodle]`` set the text format; ``\\~ \\= \\# \\{ \\} \\: \\\\`` and
``\\n`` are escapes.  Writing escapes every special character and marks the
text ``[markdown]`` (h4s text is Markdown).
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from h4s_widgets._errors import ImportFormatError
from h4s_widgets._schema import QuestionBase

from . import (
    ExportResult, IdMaker, ImportResult, Note, category_title, clean_category, finish_import, fmt_number,
    html_to_markdown, looks_like_html, on_moodle_grade_list, plain_to_markdown,
)

# --------------------------------------------------------------------------- escapes

_SPECIAL = "~=#{}:"
#: escaped character -> private-use placeholder (so that structure can be found with plain string operations)
_PROTECT = {"\\": "\ue000", "~": "\ue001", "=": "\ue002", "#": "\ue003", "{": "\ue004", "}": "\ue005",
            ":": "\ue006", "n": "\ue007"}
_RESTORE = {v: ("\n" if k == "n" else k) for k, v in _PROTECT.items()}
_RESTORE_RE = re.compile("[\ue000-\ue007]")
_FORMATS = ("html", "moodle", "plain", "markdown")
_FORMAT_RE = re.compile(r"^\s*\[(html|moodle|plain|markdown)\]", re.I)
CATCH_ALL = 1e300   # numeric answer that matches any number ("~#feedback for every other answer")


def _protect(text: str) -> str:
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n and text[i + 1] in _PROTECT:
            out.append(_PROTECT[text[i + 1]])
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


def _restore(text: str) -> str:
    return _RESTORE_RE.sub(lambda m: _RESTORE[m.group(0)], text)


def escape(text: str) -> str:
    """Text as GIFT: every special character escaped, newlines as ``\\n``, backslashes kept readable."""
    out = []
    for i, c in enumerate(text):
        if c == "\\":
            nxt = text[i + 1] if i + 1 < len(text) else ""
            # escaped when it could join the next character into an escape (a newline becomes \n too)
            out.append("\\\\" if (nxt == "" or nxt in _SPECIAL or nxt in "\\n\n\r") else "\\")
        elif c in _SPECIAL:
            out.append("\\" + c)
        elif c == "\n":
            out.append("\\n")
        elif c == "\r":
            continue
        else:
            out.append(c)
    return "".join(out)


# --------------------------------------------------------------------------- reading

class _Q:
    """One question being converted: collects notes."""

    def __init__(self, source: str, line: int, qid: str | None = None):
        self.source, self.line, self.qid = source, line, qid
        self.notes: list[str] = []

    def note(self, msg: str) -> None:
        if msg not in self.notes:
            self.notes.append(msg)

    def error(self, msg: str, line: int | None = None) -> ImportFormatError:
        who = f" question '{self.qid}':" if self.qid else ""
        return ImportFormatError(f"{self.source}:{line or self.line}:{who} {msg}")


def _text(q: _Q, raw: str, fmt: str, what: str = "") -> tuple[str, str]:
    """(markdown, format) of one protected GIFT fragment."""
    m = _FORMAT_RE.match(raw)
    if m:
        fmt = m.group(1).lower()
        raw = raw[m.end():]
    t = _restore(raw).strip()
    if fmt == "html" or (fmt == "moodle" and looks_like_html(t)):
        md, formatting, lossy = html_to_markdown(t)
        if formatting:
            q.note(f"[html] formatting converted to Markdown{(' in ' + what) if what else ''}")
        for lost in sorted(lossy):
            q.note(f"{lost} left out")
        t = md
    elif fmt in ("moodle", "plain"):
        t = plain_to_markdown(t)      # Moodle shows these characters as they are; Markdown would not
    _check_links(q, t)
    return t, fmt


def _check_links(q: _Q, md_text: str) -> None:
    if "@@PLUGINFILE@@" in md_text:
        q.note("a link or image to a file embedded in the Moodle question (@@PLUGINFILE@@) points nowhere in h4s: "
               "add the file to the module's media/ folder and change the link")


def _answer_text(raw: str) -> str:
    """An answer to type (short answer): Moodle drops a leading [format] tag and keeps the rest as it is."""
    t = _restore(raw).strip()
    m = _FORMAT_RE.match(t)
    return t[m.end():].strip() if m else t


def _split_answers(q: _Q, s: str, line: int) -> list[tuple[str, str]]:
    """``=a ~b`` -> [("=", "a"), ("~", "b")]."""
    parts = re.split(r"(?=[=~])", s)
    if parts and parts[0].strip():
        raise q.error(f"answer text {_restore(parts[0].strip())[:30]!r} must start with '=' (right) or '~' (wrong); "
                      "escape a literal = or ~ as \\= or \\~", line)
    return [(p[0], p[1:]) for p in parts if p]


_WEIGHT = re.compile(r"^\s*%(-?\d+(?:[.,]\d+)?)%")


def _weight(body: str, q: "_Q | None" = None) -> tuple[float | None, str]:
    m = _WEIGHT.match(body)
    if not m:
        return None, body
    w = float(m.group(1).replace(",", "."))
    if q is not None and not on_moodle_grade_list(w / 100.0):
        q.note(f"weight {w:g}% is not on Moodle's grade list: Moodle itself refuses this question unless the "
               "import chooses 'nearest grade'")
    return w, body[m.end():]


def _split_feedback(body: str) -> tuple[str, str | None]:
    if "#" in body:
        a, fb = body.split("#", 1)
        return a, fb
    return body, None


def _opt_ids(n: int) -> list[str]:
    out = []
    for i in range(n):
        s, k = "", i
        while True:
            s = chr(ord("a") + k % 26) + s
            k = k // 26 - 1
            if k < 0:
                break
        out.append(s)
    return out


def _number(q: _Q, s: str, line: int) -> float:
    try:
        return float(s.strip().replace("\u2212", "-"))
    except ValueError:
        raise q.error(f"{_restore(s.strip())!r} is not a number (numeric answers look like "
                      "{#3.14:0.01}, {#1..5} or {#=3.14:0.01 =%50%3:0.5})", line) from None


def _numeric(q: _Q, body: str, line: int, fmt: str) -> dict:
    s = body.strip()
    parts = re.split(r"(?=[=~])", s)
    items = [("=", parts[0])] if parts[0].strip() else []   # {#3:2 ~#feedback}: the first answer needs no '='
    items += [(p[0], p[1:]) for p in parts[1:] if p]
    answers, catch_all = [], None
    for mark, item in items:
        w, item = _weight(item, q)
        val, fb = _split_feedback(item)
        fb_md = _text(q, fb, fmt, "feedback")[0] or None if fb is not None else None
        score = (100.0 if mark == "=" else 0.0) if w is None else w
        if score < 0:
            q.note(f"negative weight {w:g}% becomes 0")
            score = 0.0
        if score > 100:
            raise q.error(f"weight {w:g}% is above 100%", line)
        val = val.strip()
        if not val:
            if mark == "=":
                raise q.error("a right numeric answer ('=') needs a number", line)
            catch_all = {"min": -CATCH_ALL, "max": CATCH_ALL, "score": 0.0, "feedback": fb_md}
            continue
        a: dict[str, Any] = {}
        if ".." in val:
            lo, hi = val.split("..", 1)
            a["min"], a["max"] = _number(q, lo, line), _number(q, hi, line)
            if a["min"] > a["max"]:
                raise q.error(f"range {val!r}: the first number must not be greater than the second", line)
        elif ":" in val:
            v, tol = val.split(":", 1)
            a["value"], a["tolerance"] = _number(q, v, line), abs(_number(q, tol, line))
        else:
            a["value"] = _number(q, val, line)
        a["score"] = round(score / 100.0, 6)
        if fb_md:
            a["feedback"] = fb_md
        answers.append(a)
    if catch_all:
        answers.append({k: v for k, v in catch_all.items() if v is not None})
    if not any(a["score"] == 1 for a in answers):
        raise q.error("numeric question has no fully right answer (give one '=' answer without a weight or with %100%)",
                      line)
    return {"type": "numeric", "answers": answers}


def _shortanswer_pattern(text: str) -> tuple[str, bool]:
    """Moodle short-answer text: ``*`` is a wildcard, ``\\*`` a literal star.  -> (text or regex, is_regex)."""
    parts, cur, wild, i = [], [], False, 0
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text) and text[i + 1] == "*":
            cur.append("*")
            i += 2
            continue
        if c == "*":
            parts.append("".join(cur))
            cur = []
            wild = True
        else:
            cur.append(c)
        i += 1
    parts.append("".join(cur))
    if not wild:
        return parts[0], False
    return ".*".join(re.escape(p) for p in parts), True


def _wildcard_of(regex: str) -> str | None:
    """The Moodle wildcard text for a regex made by :func:`_shortanswer_pattern`, else None."""
    pieces = regex.split(".*")
    out = []
    for p in pieces:
        lit = re.sub(r"\\(.)", r"\1", p)
        if re.escape(lit) != p:
            return None
        out.append(lit.replace("*", "\\*"))
    return "*".join(out)


_MOODLE_WEIGHT = re.compile(r"^%-*[0-9]{1,2}\.?[0-9]*%")


def _choices(q: _Q, block: str, fmt: str, line: int) -> dict:
    """A multiple choice as Moodle reads it: the answers are what '~' and '=' separate (text before the first
    one is a wrong answer); '=' gives full marks (a %weight% after it is text to Moodle); '~%w%' gives w %.  With
    an '=' it is a one-answer question: h4s single choice with per-option marks; without, a multiple answer."""
    pieces = block.replace("=", "~=").split("~")
    if pieces and not pieces[0].strip():
        pieces = pieces[1:]
    if len(pieces) < 2:
        raise q.error("a multiple-choice question needs at least two answers", line)
    opts = []
    for oid, piece in zip(_opt_ids(len(pieces)), pieces):
        body = piece.strip()
        if body.startswith("="):
            weight, body = 100.0, body[1:]
            if _WEIGHT.match(body):
                w, rest = _weight(body)
                q.note(f"'={_restore(body.split('#')[0]).strip()[:30]}': Moodle gives an '=' answer full marks "
                       f"whatever weight follows ({w:g}% ignored, as Moodle does)")
                body = rest
        elif _WEIGHT.match(body):
            if not _MOODLE_WEIGHT.match(body.strip()):
                q.note(f"weight {body.strip().split('%')[1]}% is one Moodle reads as part of the answer text "
                       "(it takes one or two digits before the point); h4s takes the weight")
            weight, body = _weight(body, q)
        else:
            weight = 0.0
        text, fb = _split_feedback(body)
        t, _ = _text(q, text, fmt, "an option")
        if not t:
            raise q.error("an answer option is empty", line)
        f = _text(q, fb, fmt, "feedback")[0] if fb is not None else None
        opts.append({"id": oid, "text": t, "feedback": f or None, "w": weight})
    clean = [{k: o[k] for k in ("id", "text", "feedback") if o[k] is not None} for o in opts]
    if "=" in block:
        full = [o for o in opts if o["w"] >= 100]
        if not full:
            raise q.error("no answer has full marks", line)
        if any(o["w"] > 100 for o in opts):
            q.note("a weight above 100% counts as 100%")
        if any(o["w"] < 0 for o in opts):
            q.note("negative marks on wrong options are not kept (single choice: a wrong answer scores 0)")
        out: dict[str, Any] = {"type": "single_choice", "options": clean, "answer": full[0]["id"]}
        scores = {o["id"]: round(min(o["w"], 100.0) / 100.0, 7) for o in opts if o is not full[0] and o["w"] > 0}
        if scores:
            out["scores"] = scores
        return out
    right = [o for o in opts if o["w"] > 0]
    if not right:
        raise q.error("no answer is right: mark one with '=' or give positive weights like ~%50%", line)
    share = 100.0 / len(right)
    wrong = [o for o in opts if o["w"] <= 0]
    if any(abs(o["w"] - share) > 0.01 for o in right) or any(abs(o["w"] + share) > 0.01 for o in wrong):
        ws = ", ".join(f"{o['w']:g}%" for o in opts)
        q.note(f"weights ({ws}) approximated: h4s gives each right option {share:.4g}% and takes "
               f"{share:.4g}% off for each wrong one chosen (never below 0)")
    return {"type": "multiple_response", "options": clean, "answers": [o["id"] for o in right]}


def _question(q: _Q, text: str, title: str | None, gift_id: str | None, ids: IdMaker, n: int) -> dict | None:
    """One protected question chunk (no comment lines) -> h4s question dict (or None when skipped)."""
    line0 = q.line
    body = text.strip()
    if body.startswith("::"):
        end = body.find("::", 2)
        if end < 0:
            raise q.error("title is not closed: write ::title:: (escape a colon in the title as \\:)")
        title = _restore(body[2:end]).strip() or None
        body = body[end + 2:]
    m = _FORMAT_RE.match(body)
    fmt = m.group(1).lower() if m else "moodle"
    qid = ids.make(gift_id, title or _restore(body.split("{")[0])[:40], n)
    q.qid = qid
    start = body.find("{")
    if start < 0:
        t, _ = _text(q, body, fmt)
        q.note("no answers in braces: a description, not a question; skipped")
        return None
    end = body.find("}", start)
    if end < 0:
        raise q.error("'{' is not closed by '}' (escape literal braces as \\{ and \\})",
                      line0 + body[:start].count("\n"))
    inner_open = body.find("{", start + 1)
    if 0 <= inner_open < end:
        raise q.error("'{' inside the answers: escape literal braces as \\{ and \\}", line0 + body[:inner_open].count("\n"))
    before, block, after = body[:start], body[start + 1:end], body[end + 1:]
    if "{" in after:
        raise q.error("a second answer block '{...}': a GIFT question has one; separate questions by a blank line",
                      line0 + body[:end + 1 + after.find("{")].count("\n"))
    if "}" in after:
        raise q.error("'}' without '{' (escape a literal brace as \\})", line0 + body[:end + 1 + after.find("}")].count("\n"))
    line = line0 + body[:start].count("\n")
    before_md, fmt = _text(q, before, fmt, "the question text")
    after_md = _text(q, after, fmt)[0] if after.strip() else ""
    general = None
    g = block.rfind("####")
    if g >= 0:
        general = _text(q, block[g + 4:], fmt, "general feedback")[0] or None
        block = block[:g]
    s = block.strip()
    out: dict[str, Any]
    blank = "\\_\\_\\_\\_\\_"
    if not s:
        out = {"type": "essay"}
    elif s.startswith("#"):
        out = _numeric(q, s[1:], line, fmt)
    elif "~" not in s and not ("=" in s and "->" in s) and (s.split("#", 1)[0].strip() if s.find("#") > 0 else s) in (
            "T", "F", "TRUE", "FALSE"):          # Moodle: exactly these, in capitals ({true} is a short answer)
        parts = s.split("#")
        if len(parts) > 3:
            raise q.error("true/false takes at most two feedbacks: {TRUE#if wrong#if right}", line)
        ans = parts[0].strip().upper() in ("T", "TRUE")
        wrong = _text(q, parts[1], fmt, "feedback")[0] if len(parts) > 1 else ""
        right = _text(q, parts[2], fmt, "feedback")[0] if len(parts) > 2 else ""
        out = {"type": "true_false", "answer": ans}
        fb_t, fb_f = (right, wrong) if ans else (wrong, right)
        if fb_t:
            out["feedback_true"] = fb_t
        if fb_f:
            out["feedback_false"] = fb_f
    else:
        # Moodle's order: a '~' anywhere makes a multiple choice; '=' and '->' a matching; the rest is a short
        # answer, whose text before the first '=' is an answer too ({One} is a short answer "One")
        if "~" in s:
            out = _choices(q, s, fmt, line)
        elif "=" in s and "->" in s:
            items = _split_answers(q, s, line)
            out = _matching(q, items, fmt, line)
        else:
            out = _short(q, [("=", x) for x in s.split("=") if x.strip()], fmt, line)
            if after_md:  # missing word with typed answers -> cloze (spaces around the gap kept)
                b = before_md + (" " if before_md and _restore(before)[-1:].isspace() else "")
                a = (" " if _restore(after)[:1].isspace() else "") + after_md
                return _finish(q, _to_cloze(q, out, b, a), qid, title, general)
    if after_md:
        if out["type"] == "essay":
            text_md = (before_md + " " + after_md).strip()
        else:
            text_md = f"{before_md} {blank} {after_md}".strip()
            q.note("text after the answers: kept with a blank (_____) where the answers were")
    else:
        text_md = before_md
    out["text"] = text_md
    if not out["text"]:
        if title:
            out["text"] = title
            q.note("no question text: the title is used as the text")
        else:
            raise q.error("the question has no text", line)
    return _finish(q, out, qid, title, general)


def _finish(q: _Q, out: dict, qid: str, title: str | None, general: str | None) -> dict:
    d: dict[str, Any] = {"type": out.pop("type"), "id": qid}
    if title and title != qid:
        d["title"] = title
    d["text"] = out.pop("text")
    d.update(out)
    if general:
        d["feedback"] = general
    return d


def _matching(q: _Q, items, fmt: str, line: int) -> dict:
    pairs, distractors = [], []
    for mark, body in items:
        if "->" not in body:
            raise q.error("every matching answer needs 'left -> right'", line)
        w, body = _weight(body)
        left, right = body.split("->", 1)
        if "#" in right:
            right = right.split("#", 1)[0]
            q.note("feedback in a matching answer is not kept")
        lt = _text(q, left, fmt, "a left-hand item")[0]
        rt = _text(q, right, fmt, "a right-hand item")[0]
        if not rt:
            raise q.error("a matching answer has an empty right-hand side", line)
        if lt:
            pairs.append({"left": lt, "right": rt})
        else:
            distractors.append(rt)
    for pid, p in zip(_opt_ids(len(pairs)), pairs):
        p["id"] = pid
    pairs = [{"id": p["id"], "left": p["left"], "right": p["right"]} for p in pairs]
    rights = [p["right"] for p in pairs] + distractors
    if len(set(rights)) != len(rights):
        raise q.error("two matching answers have the same right-hand side", line)
    if len(pairs) < 2:
        raise q.error("a matching question needs at least two pairs", line)
    out: dict[str, Any] = {"type": "matching", "pairs": pairs}
    if distractors:
        out["distractors"] = distractors
    return out


def _short(q: _Q, items, fmt: str, line: int) -> dict:
    answers = []
    for _mark, body in items:
        w, body = _weight(body, q)
        text, fb = _split_feedback(body)
        t = _answer_text(text)
        if not t:
            raise q.error("a short answer is empty", line)
        val, is_re = _shortanswer_pattern(t)
        score = 1.0 if w is None else w / 100.0
        if score < 0:
            q.note("a negative weight becomes 0")
            score = 0.0
        a: dict[str, Any] = {("regex" if is_re else "text"): val, "score": round(score, 6)}
        f = _text(q, fb, fmt, "feedback")[0] if fb is not None else ""
        if f:
            a["feedback"] = f
        answers.append(a)
    if not any(a["score"] == 1 for a in answers):
        raise q.error("no fully right answer: give one '=' answer without a weight", line)
    return {"type": "short_text", "answers": answers}


def _to_cloze(q: _Q, short: dict, before: str, after: str) -> dict:
    alts, gap_fb = [], None
    for a in short["answers"]:
        if a["score"] == 1 and "text" in a:
            if "|" in a["text"] or "]]" in a["text"]:
                q.note(f"answer {a['text']!r} contains '|' or ']]' and cannot be a gap alternative; left out")
                continue
            alts.append(a["text"])
            if a.get("feedback"):
                q.note("feedback on a right answer is not kept in a cloze gap")
        elif a.get("regex") == ".*" and a["score"] == 0 and a.get("feedback"):
            gap_fb = a["feedback"]
        else:
            q.note("partly right or wildcard answers are not kept in a cloze gap")
    if not alts:
        raise q.error("missing-word question has no right answer that can fill the gap")
    out: dict[str, Any] = {"type": "cloze", "text": f"{before}[[{'|'.join(alts)}]]{after}".strip()}
    if gap_fb:
        out["gap_feedback"] = [gap_fb]
    return out


def parse_gift(text: str, source: str = "<gift>") -> ImportResult:
    """Read GIFT text into an h4s bank."""
    if text.startswith("\ufeff"):
        text = text[1:]
    text = _protect(text.replace("\r\n", "\n").replace("\r", "\n"))
    ids = IdMaker()
    questions: list[dict] = []
    warnings: list[Note] = []
    categories: list[str] = []
    cat_of: dict[str, str] = {}
    line_of: dict[str, int] = {}
    skipped = 0
    refused: list[str] = []
    chunks = _chunks(text, source, refused)
    n = 0
    for first, lines, comms in chunks:
        if lines[0].strip().startswith("$CATEGORY:"):
            categories.append(clean_category(_restore(lines[0].strip()[len("$CATEGORY:"):])))
            lines = lines[1:]
            first += 1
            if not any(x.strip() for x in lines):
                continue
        n += 1
        gift_id = None
        tags: list[str] = []
        for c in comms:
            m = re.search(r"\[id:([^\]]+)\]", _restore(c))
            if m:
                gift_id = m.group(1).strip()
            tags += [t.strip() for t in re.findall(r"\[tag:([^\]]+)\]", _restore(c))]
        q = _Q(source, first)
        try:
            d = _question(q, "\n".join(lines), None, gift_id, ids, n)
        except ImportFormatError as e:       # this question is refused; the others are read on
            refused.append(str(e))
            continue
        if tags:
            q.note(f"tags ({', '.join(tags)}) left out: h4s questions have no tags")
        for msg in q.notes:
            warnings.append(Note(source, first, q.qid, msg))
        if d is None:
            skipped += 1
        else:
            questions.append(d)
            line_of[d["id"]] = first
            if categories:
                cat_of[d["id"]] = categories[-1]
    return finish_import(questions, warnings, source, skipped, title=category_title(categories), categories=cat_of,
                         refused=refused, lines=line_of)


def _chunks(text: str, source: str, refused: list[str]) -> list[tuple[int, list[str], list[str]]]:
    """(first line, lines, comment lines) of each question: separated by blank lines outside braces.  Where the
    braces do not balance, that question is refused and the rest is split at blank lines, as Moodle does."""
    chunks: list[tuple[int, list[str], list[str]]] = []
    cur: list[str] = []
    comments: list[str] = []
    first, depth, open_line, bad = 0, 0, 0, False
    all_lines = text.split("\n")
    no = 0
    while no < len(all_lines):
        line = all_lines[no]
        no += 1
        stripped = line.strip()
        if stripped.startswith("//"):
            comments.append(stripped)
            continue
        if not stripped and (depth == 0 or bad):
            if cur and not bad:
                chunks.append((first, cur, comments))
            cur, comments, depth, bad = [], [], 0, False
            continue
        if not cur:
            first = no
        cur.append(line)
        if bad:
            continue
        for c in line:
            if c == "{":
                if depth == 0:
                    open_line = no
                depth += 1
            elif c == "}":
                depth -= 1
                if depth < 0:
                    refused.append(f"{source}:{no}: '}}' without '{{' (escape a literal brace as \\}})")
                    bad = True
                    break
    if depth > 0 and not bad:
        refused.append(f"{source}:{open_line}: '{{' is not closed by '}}' (escape literal braces as \\{{ and \\}})")
        # what follows the unclosed brace is read again, split at blank lines as Moodle splits questions
        after = _chunks_after(open_line, all_lines)
        chunks += [c for c in _chunks(after, source, refused) if c[0] > open_line]
    elif cur and not bad:
        chunks.append((first, cur, comments))
    return chunks


def _chunks_after(open_line: int, all_lines: list[str]) -> str:
    """The text from the first blank line after ``open_line`` on (earlier lines blanked, numbering kept)."""
    out = []
    seen_blank = False
    for i, ln in enumerate(all_lines, start=1):
        if i > open_line and not ln.strip():
            seen_blank = True
        out.append(ln if seen_blank else "")
    return "\n".join(out)


def read_gift(path: str | Path) -> ImportResult:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise ImportFormatError(f"{path.name}: is not UTF-8 text (byte {e.start}); save it as UTF-8") from None
    return parse_gift(text, source=path.name)


# --------------------------------------------------------------------------- writing

_COMMON_LOST = ("hints", "max_attempts", "show_solution_after")


def question_to_gift(q: QuestionBase) -> tuple[str | None, list[str]]:
    """(GIFT text or None when the type cannot be written, problems)."""
    from h4s_widgets.types import hook

    from . import Writer, lost_fields
    problems = [f"{f} not exported (GIFT has no such field)" for f in lost_fields(q, _COMMON_LOST)]
    if q.auto_graded and q.points != 1:
        problems.append(f"points ({q.points:g}) not exported (GIFT has no points; set the mark in Moodle)")
    E = escape
    head = f"// [id:{q.id}]\n::{E(q.title or q.id)}::[markdown]"
    gen = f"####{E(q.feedback)}" if q.feedback else ""
    fb = lambda f: f"#{E(f)}" if f else ""  # noqa: E731
    writer = hook(q.type, "to_gift")
    if writer is None:
        return None, problems + [f"type {q.type} has no GIFT equivalent"]
    lost: list[str] = []
    body = writer(q, Writer(problems, head=head, gen=gen, E=E, fb=fb, lost=lost, wildcard=_wildcard_of,
                               num=fmt_number, catch_all=CATCH_ALL, lost_fields=lost_fields))
    if body is None:
        return None, problems
    problems += [f"{f} not exported" for f in lost]
    return body, problems


def to_gift(questions: list[QuestionBase], category: str | None = None,
            categories: list[str | None] | None = None, draws: dict[str, int] | None = None) -> ExportResult:
    """GIFT text for ``questions``; ``categories`` (one per question) adds ``$CATEGORY:`` lines.  GIFT has no
    random draw: a pool (``draws``: category -> a bank's ``draw: n``) is exported whole, with a comment and a
    warning saying how to draw n of it in the Moodle quiz."""
    parts, warnings, done, last_cat = [], [], 0, None
    for c, n in (draws or {}).items():
        warnings.append(f"category '{c}': draw: {n} not exported (GIFT has no random draw): the whole pool is in "
                        f"this category; in the Moodle quiz, 'Add a random question' {n} times from it")

    def cat_line(c: str) -> str:     # Moodle: a path under the course's question bank
        return f"$CATEGORY: {c if c.startswith('$') else '$course$/' + c}\n"

    if category:
        parts.append(cat_line(category))
        last_cat = category
    for i, q in enumerate(questions):
        cat = categories[i] if categories else None
        text, problems = question_to_gift(q)
        for p in problems:
            warnings.append(f"question '{q.id}': {p}" + ("; skipped" if text is None and p is problems[-1] else ""))
        if text is None:
            continue
        if cat and cat != last_cat:
            parts.append(cat_line(cat))
            last_cat = cat
            if cat in (draws or {}):
                parts.append(f"// a pool: the quiz shows {draws[cat]} of these questions per attempt "
                             f"(in Moodle: {draws[cat]} random questions from this category)\n")
        parts.append(text + "\n")
        done += 1
    return ExportResult("\n".join(parts), done, warnings)
