"""``select_words``: select the words in a text.

Every word of the ``passage`` (a whitespace-separated token without the
punctuation around it) is a unit the learner can select; a ``[bracketed
phrase]`` is one unit and marks a correct one.  The response is the list of
selected unit numbers (0, 1, ... in reading order).  Graded as a multiple
response question whose right options are the bracketed units: with partial
credit (right selections minus wrong ones, over the right ones, not below 0),
or all or nothing.  The browser half is ``_static/types/select_words.js``
(toggle buttons with ``aria-pressed``).
"""
from __future__ import annotations

import html
import re
import unicodedata
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, model_validator

from .._schema import QuestionBase, register

TYPE = "select_words"

# the grader's whitespace (h4s_widgets._grading.WS), repeated here so that this module loads before _grading
_WS = "\t\n\u000b\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_TOKEN = re.compile(f"\\[([^\\[\\]]*)\\]|[^{_WS}\\[\\]]+")
_WS_RUN = re.compile(f"[{_WS}]+")


def _punct(c: str) -> bool:
    return unicodedata.category(c).startswith("P")


def _problem(passage: str) -> str | None:
    """What is wrong with the brackets of ``passage``, in plain words, or None."""
    depth, opened, found = 0, 0, False
    for i, c in enumerate(passage):
        if c == "[":
            if depth:
                return (f"has a '[' inside [...] at character {i + 1}; brackets cannot be nested: mark each "
                        "correct word or phrase with one pair of [ ]")
            depth, opened = 1, i
        elif c == "]":
            if not depth:
                return f"has a ']' without its '[' at character {i + 1}; write the correct words as [word]"
            if not _WS_RUN.sub("", passage[opened + 1:i]):
                return f"has an empty [ ] at character {opened + 1}; put the correct word inside, e.g. [word]"
            depth, found = 0, True
    if depth:
        return f"has a '[' without its ']' at character {opened + 1}; close it: [word]"
    if not found:
        return ("marks no correct word: put the words to select in square brackets, e.g. "
                "'The form asks for your [name] and your [email address].'")
    return None


def pieces(passage: str) -> list[dict]:
    """The passage as pieces in reading order: ``{"text"}`` (not selectable) or ``{"text", "unit"}``, with
    ``"correct": True`` on the bracketed units (the key: never sent to the browser)."""
    out: list[dict] = []

    def plain(t: str) -> None:
        if not t:
            return
        if out and "unit" not in out[-1]:
            out[-1]["text"] += t
        else:
            out.append({"text": t})

    n = 0
    pos = 0
    for m in _TOKEN.finditer(passage):
        plain(passage[pos:m.start()])
        pos = m.end()
        if m.group(1) is not None:
            out.append({"text": _WS_RUN.sub(" ", m.group(1)).strip(" "), "unit": n, "correct": True})
            n += 1
            continue
        tok = m.group(0)
        a, b = 0, len(tok)
        while a < b and _punct(tok[a]):
            a += 1
        while b > a and _punct(tok[b - 1]):
            b -= 1
        plain(tok[:a])
        if a < b:
            out.append({"text": tok[a:b], "unit": n})
            n += 1
        plain(tok[b:])
    plain(passage[pos:])
    return out


@register
class SelectWords(QuestionBase):
    """Select the words in a text: each word of the passage can be selected; the ``[bracketed]`` ones are right.
    Graded like multiple response (right selections minus wrong ones, or all or nothing); exported to GIFT and
    Moodle XML as a multiple choice with several answers whose options are the passage's words."""
    label: ClassVar[str] = "Select the words"
    type: Literal["select_words"] = "select_words"
    text: Annotated[str, Field(min_length=1, description="The instruction (Markdown), e.g. 'Select every piece "
                                                         "of personal data.'")]
    passage: Annotated[str, Field(min_length=1, description="Plain text; every word can be selected, a "
                                                            "[bracketed phrase] is one unit and a correct one")]
    partial_credit: bool = Field(True, description="Give part of the points for a partly right selection "
                                                   "(right ones minus wrong ones); else all or nothing")

    @model_validator(mode="after")
    def _check(self) -> "SelectWords":
        problem = _problem(self.passage)
        if problem:
            raise ValueError(f"passage: {problem}")
        return self

    def units(self) -> list[dict]:
        return [p for p in pieces(self.passage) if "unit" in p]

    def key(self) -> list[int]:
        return [p["unit"] for p in self.units() if p.get("correct")]


# ------------------------------------------------------------------ grading

def _index(v: Any, n: int) -> int | None:
    """A unit number 0..n-1 (an integral float counts: JSON and JS cannot tell 2.0 from 2), else None."""
    if isinstance(v, bool) or not (isinstance(v, int) or (isinstance(v, float) and v.is_integer())):
        return None
    return int(v) if 0 <= v < n else None


def grade(q: SelectWords, r: Any):
    from .._grading import Result, round_score
    points = round_score(q.points)

    def result(frac: float, correct: bool, fb: list[str]) -> Result:
        return Result(round_score(frac * q.points), points, correct, fb)

    if r is None or (isinstance(r, list) and not r):
        return result(0.0, False, ["empty"])
    n = len(q.units())
    chosen = {_index(v, n) for v in r} if isinstance(r, list) else {None}
    if None in chosen:
        return result(0.0, False, ["invalid"])
    key = set(q.key())
    exact = chosen == key
    if q.partial_credit:
        frac = max(0.0, min(1.0, (len(chosen & key) - len(chosen - key)) / len(key)))
    else:
        frac = 1.0 if exact else 0.0
    return result(frac, exact, [f"unit:{i}" for i in sorted(chosen)])


# ------------------------------------------------------------ browser and key

def public_spec(q: SelectWords, seed: Any = 0) -> dict:
    from .._markdown import md
    shown = [{k: v for k, v in p.items() if k != "correct"} for p in pieces(q.passage)]
    return {"text_html": md(q.text), "pieces": shown, "units": sum(1 for p in shown if "unit" in p)}


HASHED = True


def static_key(q: SelectWords, salt: str) -> dict:
    from .._spec import key_hash
    return {"type": q.type, "id": q.id, "points": q.points, "partial_credit": q.partial_credit,
            "units": len(q.units()), "salt": salt,
            "answers": sorted(key_hash(salt, q.id, str(i)) for i in q.key())}


def solution_html(q: SelectWords, lang: str | None = None) -> str:
    out = []
    for p in pieces(q.passage):
        t = html.escape(p["text"])
        out.append(f"<strong>{t}</strong>" if p.get("correct") else t)
    return "<p>" + "".join(out) + "</p>"


# ------------------------------------------------------------------ records

XAPI_INTERACTION = "choice"


def xapi_components(spec: dict, lang: str) -> dict:
    return {"choices": [{"id": str(p["unit"]), "description": {lang: p["text"]}}
                        for p in spec.get("pieces", []) if "unit" in p]}


def xapi_response(response: Any, spec: dict | None = None) -> str:
    if not isinstance(response, list):
        return ""
    nums = sorted({int(v) for v in response
                   if not isinstance(v, bool) and isinstance(v, (int, float)) and float(v).is_integer()})
    return "[,]".join(str(v) for v in nums)


# ------------------------------------------------------------------ interop

def _passage_text(q: SelectWords) -> str:
    return "".join(p["text"] for p in pieces(q.passage))


def to_gift(q: SelectWords, w) -> str:
    """A multiple-answer multiple choice (GIFT has no word selection): the passage goes into the question
    text, each distinct word becomes an option; the bracketed ones share the marks, the others take them."""
    units = q.units()
    right = [u["text"] for u in units if u.get("correct")]
    wrong = list(dict.fromkeys(u["text"] for u in units if not u.get("correct") and u["text"] not in right))
    w.problems.append("select the words exported as a multiple-answer multiple choice over the passage's words")
    if not q.partial_credit:
        w.problems.append("all-or-nothing marking (partial_credit: false) is not possible in GIFT; "
                          "exported with partial credit")
    shares = iter(w.shares(len(right)))
    minus = w.snap(-1.0 / len(right), "each wrong word")
    lines = [f"~%{'99.99999' if (s := next(shares)) == 1.0 else w.percent(s)}%" + w.E(t) for t in right]
    lines += [f"~%{w.percent(minus)}%" + w.E(t) for t in wrong]
    text = q.text + "\n\n" + _passage_text(q)
    return w.head + w.E(text) + " {\n" + "\n".join("\t" + x for x in lines) + ("\n\t" + w.gen if w.gen else "") + "\n}"


def to_moodle_xml(q: SelectWords, w) -> tuple[str, str]:
    """Moodle's multichoice with several answers (Moodle has no word selection); as :func:`to_gift`."""
    units = q.units()
    right = [u["text"] for u in units if u.get("correct")]
    wrong = list(dict.fromkeys(u["text"] for u in units if not u.get("correct") and u["text"] not in right))
    w.problems.append("select the words exported as a multichoice question with several answers over the "
                      "passage's words")
    if not q.partial_credit:
        w.problems.append("all-or-nothing marking (partial_credit: false) is not possible in a Moodle multichoice; "
                          "exported with partial credit")
    shares = iter(w.shares(len(right)))
    minus = w.snap(-1.0 / len(right), "each wrong word")
    body = ""
    for t, frac in [(t, next(shares)) for t in right] + [(t, minus) for t in wrong]:
        body += (f'    <answer fraction="{w.percent(frac)}" format="markdown">\n      <text>{w.x(t)}</text>\n'
                 "      <feedback><text></text></feedback>\n    </answer>\n")
    body += "    <single>false</single>\n    <shuffleanswers>false</shuffleanswers>\n"
    body += "    <answernumbering>none</answernumbering>\n"
    return "multichoice", body, q.text + "\n\n" + _passage_text(q)


# ------------------------------------------------------------------ example

EXAMPLE = """\
- type: select_words
  id: spot-identifiers
  text: Select the words that name a way to identify a person.
  passage: "The booking form asks for your [name], your [email address] and how many chairs the room needs."
  feedback: A name and an email address point to one person; the number of chairs does not.
"""

#: (fields that make the example invalid, what the one-line error says after the question's name);
#: tests/test_types.py checks them for every type
INVALID = [
    ({"passage": "No word is marked."}, "'passage' marks no correct word"),
    ({"passage": "A [nested [word]] here."}, "'passage' has a '[' inside [...] at character 11"),
    ({"passage": "A word] here."}, "'passage' has a ']' without its '[' at character 7"),
    ({"passage": "A [word here."}, "'passage' has a '[' without its ']' at character 3"),
    ({"passage": "An [ ] empty one and a [word]."}, "'passage' has an empty [ ] at character 4"),
]
