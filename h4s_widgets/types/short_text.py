"""``short_text``: a short text answer, compared with accepted texts or regular expressions.  The response
is the text."""
from __future__ import annotations

import html
import re
from typing import Annotated, Any, ClassVar, Literal, Optional

from pydantic import Field, model_validator

from .._schema import QuestionBase, _Model, register

TYPE = "short_text"


class TextAnswer(_Model):
    """One accepted text: the exact ``text`` or a ``regex``."""
    text: Optional[str] = Field(None, description="An accepted answer (compared after trimming spaces)")
    regex: Optional[str] = Field(None, description="Regular expression that must match the whole answer")
    score: Annotated[float, Field(ge=0, le=1, description="Fraction of the points (1 = full)")] = 1.0
    feedback: Optional[str] = Field(None, description="Feedback when this answer matches")

    @model_validator(mode="after")
    def _check(self) -> "TextAnswer":
        if (self.text is None) == (self.regex is None):
            found = "neither" if self.text is None else "both"
            raise ValueError(f"needs exactly one of 'text' or 'regex' (found {found})")
        if self.regex is not None:
            try:
                re.compile(self.regex)
            except re.error as e:
                raise ValueError(f"regex: is not a valid regular expression: {e}") from None
            if re.search(r"\(\?P|\(\?<(?![=!])", self.regex):
                raise ValueError("regex: must not use named groups (?P<name>...) or (?<name>...); "
                                 "they work differently in Python and JavaScript")
            bad = _NONPORTABLE_REGEX.search(self.regex)
            if bad:
                tok = bad.group(0)[-2:] if bad.group(0).startswith("\\") else bad.group(0)
                why = _NONPORTABLE_HELP.get(tok, _NONPORTABLE_HELP["(?"])
                raise ValueError(f"regex: must not use {tok}: {why}")
        return self


#: regex pieces that mean different things in Python and in the browser's JavaScript
_NONPORTABLE_REGEX = re.compile(r"(?<!\\)(?:\\\\)*\\[wWdDbBAZzh]|\(\?[aiLmsux#-]")
_NONPORTABLE_HELP = {
    "\\w": "\\w matches any Unicode letter in Python but only A-Z, a-z, 0-9 and _ in the browser; "
            "write the letters out, e.g. [A-Za-zÀ-ÿ]",
    "\\W": "\\W differs between Python and the browser; write the class out, e.g. [^A-Za-zÀ-ÿ]",
    "\\d": "\\d matches any Unicode digit in Python but only 0-9 in the browser; write [0-9]",
    "\\D": "\\D differs between Python and the browser; write [^0-9]",
    "\\b": "word boundaries differ between Python and the browser; the whole answer is matched anyway",
    "\\B": "word boundaries differ between Python and the browser; the whole answer is matched anyway",
    "\\A": "the whole answer is always matched; leave out \\A",
    "\\Z": "the whole answer is always matched; leave out \\Z",
    "\\z": "the whole answer is always matched; leave out \\z",
    "\\h": "\\h is not a regular-expression escape in Python or the browser",
    "(?": "inline flags such as (?i) only exist in Python; use case_sensitive: false on the question instead",
}


@register
class ShortText(QuestionBase):
    """A word or short phrase typed by the learner, compared with accepted texts or patterns."""
    label: ClassVar[str] = "Short text"
    type: Literal["short_text"] = "short_text"
    answers: Annotated[list[TextAnswer], Field(min_length=1, description="Accepted answers, at least one with score 1")]
    case_sensitive: bool = Field(False, description="Count upper and lower case as different")

    @model_validator(mode="after")
    def _check(self) -> "ShortText":
        if not any(a.score == 1 for a in self.answers):
            raise ValueError("answers: needs at least one answer with score 1 (full marks)")
        return self


def grade(q: ShortText, r: Any) -> Result:
    from .._grading import Result, _empty, _invalid, _is_blank, _regex_flags, _result, norm_text
    if _is_blank(r):
        return _empty(q)
    if not isinstance(r, str):
        return _invalid(q)
    folded = norm_text(r, True)
    given = norm_text(r, q.case_sensitive)
    for i, a in enumerate(q.answers):
        if a.text is not None:
            ok = given == norm_text(a.text, q.case_sensitive)
        else:
            ok = re.fullmatch(a.regex, folded, _regex_flags(q.case_sensitive)) is not None
        if ok:
            return _result(q, a.score, a.score == 1, [f"answer:{i}"])
    return _result(q, 0.0, False, ["nomatch"])


def public_spec(q: ShortText, seed: Any = 0) -> dict:
    from .._markdown import md
    return {"text_html": md(q.text)}


HASHED = True


def _key(q, d, H) -> None:
    from .._grading import norm_text
    out = []
    for a in q.answers:
        e: dict[str, Any] = {"score": a.score}
        if a.text is not None:
            e["text"] = H(norm_text(a.text, q.case_sensitive))
        else:
            e["regex"] = a.regex
        out.append(e)
    d["answers"] = out


def static_key(q: ShortText, salt: str) -> dict:
    """Exact texts become salted hashes; regular expressions stay plaintext."""
    from .._spec import dumped_key
    return dumped_key(q, salt, _key)


def feedback_texts(q: ShortText) -> dict:
    from .._markdown import md_inline
    return {f"answer:{i}": md_inline(a.feedback) for i, a in enumerate(q.answers) if a.feedback}


def solution_html(q, lang) -> str:
    a = next((a for a in q.answers if a.score == 1 and a.text is not None), None)
    return f"<p>{html.escape(a.text)}</p>" if a else "<p><code>" + html.escape(q.answers[0].regex) + "</code></p>"


XAPI_INTERACTION = "fill-in"


def xapi_response(response: Any, spec: dict | None = None) -> str:
    from ._xapi import other
    return other(response)


def to_gift(q, w) -> str | None:
    E, fb, gen, head, problems = w.E, w.fb, w.gen, w.head, w.problems
    lines = []
    for a in q.answers:
        if a.text is not None:
            t = a.text.replace("*", "\\*")
        else:
            t = w.wildcard(a.regex)
            if t is None:
                problems.append(f"regular-expression answer {a.regex!r} left out (Moodle short answers know only "
                                "the * wildcard)")
                continue
        sc = w.snap(a.score, f"answer {t!r}")
        wt = "" if sc == 1 else f"%{w.percent(sc)}%"
        lines.append("=" + wt + E(t) + fb(a.feedback))
    if not any(ln.startswith("=") and not ln.startswith("=%") for ln in lines):
        problems += ["no fully right answer is left that Moodle can check (regular expressions "
                     "cannot be exported)"]
        return None
    if q.case_sensitive:
        problems.append("case_sensitive not exported (GIFT short answers ignore case; change it in Moodle)")
    body = head + E(q.text) + " {\n" + "\n".join("\t" + x for x in lines) + ("\n\t" + gen if gen else "") + "\n}"
    return body


def to_moodle_xml(q, w) -> tuple[str, str, str] | None:
    problems = w.problems
    head_extra = ""
    body = ""
    mtype = "shortanswer"
    body += f"    <usecase>{1 if q.case_sensitive else 0}</usecase>\n"
    if not any(a.score == 1 and (a.text is not None or w.wildcard(a.regex) is not None) for a in q.answers):
        problems += ["no fully right answer is left that Moodle can check (regular expressions "
                                 "cannot be exported)"]
        return None
    for a in q.answers:
        if a.text is not None:
            t = a.text.replace("*", "\\*")
        else:
            t = w.wildcard(a.regex)
            if t is None:
                problems.append(f"regular-expression answer {a.regex!r} left out (Moodle short answers know only "
                                "the * wildcard)")
                continue
        frac = w.snap(a.score, f"answer {t!r}")
        body += f'    <answer fraction="{w.percent(frac)}" format="moodle_auto_format">\n      <text>{w.x(t)}</text>\n'
        body += w.text_el("feedback", a.feedback or "", indent="      ")
        body += "    </answer>\n"
    return mtype, body, head_extra


EXAMPLE = """\
- type: short_text
  id: cc-credit
  text: Which two letters in a Creative Commons licence mean that users must credit the author?
  answers:
    - text: BY
    - regex: "(cc[ -]?)?by"
"""

INVALID = [
    ({"answers": [{"text": "BY", "regex": "by"}]}, "'answers[0]' needs exactly one of 'text' or 'regex' (found both)"),
    ({"answers": [{"regex": "\\d+"}]}, "'answers[0].regex' must not use \\d"),
    ({"answers": [{"regex": "(?P<x>by)"}]}, "'answers[0].regex' must not use named groups"),
]
