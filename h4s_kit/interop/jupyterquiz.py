"""jupyterquiz JSON (a list of questions) to h4s questions.

jupyterquiz types: ``multiple_choice`` (one right answer, radio-like),
``many_choice`` (several right answers), ``numeric`` (answers of type value,
range and default; optional ``precision`` in significant digits) and
``string`` (answers matched exactly, optionally case-sensitive or fuzzy).
"""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from h4s_widgets._errors import ImportFormatError

from . import IdMaker, ImportResult, Note, finish_import
from .gift import CATCH_ALL, _opt_ids


def _item_lines(text: str) -> list[int]:
    """Line number of the start of each element of the top-level JSON array."""
    lines, depth, line, in_str, esc = [], 0, 1, False, False
    for c in text:
        if c == "\n":
            line += 1
        if in_str:
            if esc:
                esc = False
            elif c == "\\":
                esc = True
            elif c == '"':
                in_str = False
            continue
        if c == '"':
            in_str = True
        elif c in "[{":
            if depth == 1:
                lines.append(line)
            depth += 1
        elif c in "]}":
            depth -= 1
    return lines


def _code_block(code: str) -> str:
    fence = "```"
    while fence in code:
        fence += "`"
    return f"{fence}python\n{code.rstrip()}\n{fence}"


def _inline_code(code: str) -> str:
    if "\n" in code:
        return _code_block(code)
    tick = "`"
    while tick in code:
        tick += "`"
    pad = " " if code.startswith("`") or code.endswith("`") else ""
    return f"{tick}{pad}{code}{pad}{tick}"


def _precision_interval(value: float, digits: int) -> tuple[float, float]:
    """jupyterquiz rounds the learner's number to ``digits`` significant digits and compares it with the
    rounded value: the answers accepted form an interval around the rounded value."""
    if value == 0:
        return 0.0, 0.0
    rounded = float(f"{value:.{digits}g}")
    exp = math.floor(math.log10(abs(rounded))) if rounded else 0
    half = 0.5 * 10 ** (exp - digits + 1)
    return rounded, half


def parse_jupyterquiz(text: str, source: str = "<jupyterquiz>") -> ImportResult:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise ImportFormatError(f"{source}:{e.lineno}: invalid JSON: {e.msg} (column {e.colno})") from None
    if isinstance(data, dict) and "questions" in data and isinstance(data["questions"], list):
        data = data["questions"]
    if not isinstance(data, list):
        raise ImportFormatError(f"{source}:1: a jupyterquiz file is a JSON list of questions")
    lines = _item_lines(text)
    ids = IdMaker()
    questions, warnings = [], []
    skipped = 0
    for n, item in enumerate(data, start=1):
        line = lines[n - 1] if n - 1 < len(lines) else None
        where = f"{source}:{line}" if line else source

        def err(msg: str) -> ImportFormatError:
            return ImportFormatError(f"{where}: question {n}: {msg}")

        if not isinstance(item, dict):
            raise err("each question is a JSON object with 'question', 'type' and 'answers'")
        qtext = item.get("question")
        qtype = item.get("type")
        answers = item.get("answers")
        if not isinstance(qtext, str) or not qtext.strip():
            raise err("'question' (the question text) is missing or empty")
        if not isinstance(answers, list) or not answers:
            raise err("'answers' must be a non-empty list")
        notes: list[str] = []
        qid = ids.make(item.get("id") if isinstance(item.get("id"), str) else None,
                       " ".join(qtext.replace("$", " ").split()[:5]), n)
        text = qtext.strip()
        if isinstance(item.get("code"), str) and item["code"].strip():
            text += "\n\n" + _code_block(item["code"])
        out: dict[str, Any] = {"id": qid, "text": text}
        if qtype in ("multiple_choice", "many_choice"):
            opts, right = [], []
            for oid, a in zip(_opt_ids(len(answers)), answers):
                if not isinstance(a, dict):
                    raise err(f"answer {oid} must be an object with 'answer' (or 'code') and 'correct'")
                if isinstance(a.get("answer"), str) and a["answer"].strip():
                    t = a["answer"].strip()
                elif isinstance(a.get("code"), str) and a["code"].strip():
                    t = _inline_code(a["code"])
                else:
                    raise err(f"answer {oid} has no 'answer' text and no 'code'")
                o = {"id": oid, "text": t}
                if isinstance(a.get("feedback"), str) and a["feedback"].strip():
                    o["feedback"] = a["feedback"].strip()
                opts.append(o)
                if a.get("correct") is True:
                    right.append(oid)
            if not right:
                raise err("no answer has \"correct\": true")
            if len(opts) < 2:
                raise err("a choice question needs at least two answers")
            if qtype == "multiple_choice" and len(right) == 1:
                out.update(type="single_choice", options=opts, answer=right[0])
            else:
                if qtype == "multiple_choice":
                    notes.append("multiple_choice with several right answers: converted to multiple response")
                out.update(type="multiple_response", options=opts, answers=right)
        elif qtype == "numeric":
            prec = item.get("precision")
            if prec is not None and (not isinstance(prec, int) or isinstance(prec, bool) or prec < 1):
                raise err("'precision' must be a whole number of significant digits (1 or more)")
            nums, default_fb = [], None
            for i, a in enumerate(answers):
                if not isinstance(a, dict):
                    raise err(f"answer {i + 1} must be an object")
                fb = a.get("feedback").strip() if isinstance(a.get("feedback"), str) and a["feedback"].strip() else None
                kind = a.get("type") or ("value" if "value" in a else "range" if "range" in a else None)
                score = 1.0 if a.get("correct") is True else 0.0
                if kind == "default":
                    default_fb = fb
                    continue
                if kind == "value":
                    v = a.get("value")
                    if isinstance(v, bool) or not isinstance(v, (int, float)):
                        raise err(f"answer {i + 1}: 'value' must be a number")
                    if prec:
                        rv, half = _precision_interval(float(v), prec)
                        e = {"value": rv, "tolerance": half}
                    else:
                        e = {"value": float(v)}
                elif kind == "range":
                    r = a.get("range")
                    if (not isinstance(r, list) or len(r) != 2 or
                            not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in r)):
                        raise err(f"answer {i + 1}: 'range' must be a list of two numbers [low, high]")
                    lo, hi = float(r[0]), float(r[1])
                    if lo > hi:
                        raise err(f"answer {i + 1}: range low {lo:g} is above high {hi:g}")
                    e = {"min": lo, "max": hi}
                    if "range: high end" not in " ".join(notes):
                        notes.append("range: high end now included (jupyterquiz excludes it)")
                else:
                    raise err(f"answer {i + 1}: type must be value, range or default (got {kind!r})")
                e["score"] = score
                if fb:
                    e["feedback"] = fb
                nums.append(e)
            if default_fb:
                nums.append({"min": -CATCH_ALL, "max": CATCH_ALL, "score": 0.0, "feedback": default_fb})
            if not any(x["score"] == 1 for x in nums):
                raise err("no numeric answer has \"correct\": true")
            out.update(type="numeric", answers=nums)
        elif qtype == "string":
            items, default_fb, case = [], None, None
            for i, a in enumerate(answers):
                if not isinstance(a, dict):
                    raise err(f"answer {i + 1} must be an object")
                fb = a.get("feedback").strip() if isinstance(a.get("feedback"), str) and a["feedback"].strip() else None
                if a.get("type") == "default":
                    default_fb = fb
                    continue
                t = a.get("answer")
                if not isinstance(t, str) or not t.strip():
                    raise err(f"answer {i + 1}: 'answer' must be a non-empty text")
                if a.get("fuzzy_threshold"):
                    notes.append("fuzzy matching not kept (the answer must be typed exactly)")
                mc = bool(a.get("match_case"))
                if case is None:
                    case = mc
                elif case != mc:
                    notes.append("match_case differs between answers: h4s uses one setting per question")
                e = {"text": t.strip(), "score": 1.0 if a.get("correct") is True else 0.0}
                if fb:
                    e["feedback"] = fb
                items.append(e)
            if default_fb:
                items.append({"regex": ".*", "score": 0.0, "feedback": default_fb})
            if not any(x["score"] == 1 for x in items):
                raise err("no string answer has \"correct\": true")
            out.update(type="short_text", answers=items)
            if case:
                out["case_sensitive"] = True
        else:
            notes.append(f"type {qtype!r} has no h4s equivalent; skipped")
            skipped += 1
            warnings += [Note(source, line, qid, m) for m in notes]
            continue
        d = {"type": out.pop("type"), "id": out.pop("id"), "text": out.pop("text")}
        d.update(out)
        questions.append(d)
        warnings += [Note(source, line, qid, m) for m in notes]
    return finish_import(questions, warnings, source, skipped)


def read_jupyterquiz(path: str | Path) -> ImportResult:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise ImportFormatError(f"{path.name}: is not UTF-8 text (byte {e.start}); save it as UTF-8") from None
    return parse_jupyterquiz(text, source=path.name)
