"""What the browser gets.

* :func:`public_spec` — everything needed to *show* a question, and no key.
  It is all the live widget syncs; grading results come back one at a time.
* :func:`static_key` — the key for pages without a kernel: choice, true/false,
  exact short text, cloze, matching, ordering and drag-the-words keys become
  salted SHA-256 hashes; numeric answers, the numbers of cloze gaps and regular
  expressions stay plaintext (a hash cannot be compared with a tolerance or a pattern).
* :func:`feedback_texts` — feedback id -> HTML.
* :func:`solution_html` — the worked answer; obfuscated in static pages.
"""
from __future__ import annotations

import base64
import hashlib
import html
import random
import re
from typing import Any

from ._grading import gap_numbers, norm_text
from ._i18n import gettext
from ._markdown import md, md_inline
from .types import UNITS, hook
from ._schema import (
    GAP_RE, Cloze, CodeExercise, DragWords, Essay, Flashcards, Likert, Matching, MultipleResponse, Numeric,
    Ordering, QuestionBase, ShortText, SingleChoice, TrueFalse,
)

GAP_TOKEN = "\u27e6H4SGAP{}\u27e7"
_GAP_TOKEN_RE = re.compile("\u27e6H4SGAP(\\d+)\u27e7")


def _text_with_gaps(text: str) -> str:
    """Markdown with ``[[...]]`` replaced by empty gap placeholders (the key stays out)."""
    counter = iter(range(1, 10_000))
    tokenised = GAP_RE.sub(lambda m: GAP_TOKEN.format(next(counter)), text)
    rendered = md(tokenised)
    return _GAP_TOKEN_RE.sub(lambda m: f'<span class="h4s-gap" data-gap="{m.group(1)}"></span>', rendered)


def _rng(q: QuestionBase, seed: Any) -> random.Random:
    return random.Random(f"{q.id}:{seed}")


def public_spec(q: QuestionBase, seed: Any = 0) -> dict:
    spec: dict[str, Any] = {
        "id": q.id, "type": q.type, "title": q.title, "points": q.points, "graded": q.auto_graded,
        "hints": [md(h) for h in q.hints], "max_attempts": q.max_attempts,
        "show_solution_after": q.show_solution_after,
    }
    own = hook(q.type, "public_spec")
    if own is not None:
        spec.update(own(q, seed))
        return spec
    if isinstance(q, (Cloze, DragWords)):
        spec["text_html"] = _text_with_gaps(q.text)
        spec["gaps"] = len(GAP_RE.findall(q.text))
    else:
        spec["text_html"] = md(q.text)
    if isinstance(q, (SingleChoice, MultipleResponse)):
        opts = list(q.options)
        if q.shuffle:
            _rng(q, seed).shuffle(opts)
        spec["options"] = [{"id": o.id, "html": md_inline(o.text)} for o in opts]
        spec["multiple"] = isinstance(q, MultipleResponse)
    elif isinstance(q, Numeric):
        spec["unit"] = q.unit
    elif isinstance(q, Matching):
        spec["lefts"] = [{"id": p.id, "html": md_inline(p.left)} for p in q.pairs]
        spec["rights"] = sorted([p.right for p in q.pairs] + list(q.distractors), key=str.casefold)
    elif isinstance(q, Ordering):
        items = list(q.items)
        rng = _rng(q, seed)
        for _ in range(10):
            rng.shuffle(items)
            if [i.id for i in items] != [i.id for i in q.items]:
                break
        if [i.id for i in items] == [i.id for i in q.items]:
            items = items[1:] + items[:1]
        spec["items"] = [{"id": i.id, "html": (html.escape(i.text) if q.code else md_inline(i.text))}
                         for i in items]
        spec["code"] = q.code
    elif isinstance(q, DragWords):
        words = [w.strip() for w in GAP_RE.findall(q.text)] + list(q.distractors)
        spec["words"] = sorted(words, key=str.casefold)
    elif isinstance(q, CodeExercise):
        spec["starter"] = q.starter
        spec["test_names"] = [t.name for t in q.tests]
        spec["timeout_s"] = q.timeout_s
    elif isinstance(q, Essay):
        spec["min_words"] = q.min_words
        spec["keywords"] = list(q.keywords)
    elif isinstance(q, Likert):
        spec["statements"] = [{"id": s.id, "html": md_inline(s.text)} for s in q.statements]
        spec["scale"] = list(q.scale)
        spec["bands"] = [{"min": b.min, "max": b.max, "label": b.label} for b in q.bands]
    elif isinstance(q, Flashcards):
        spec["cards"] = [{"id": c.id, "front_html": md(c.front), "back_html": md(c.back)} for c in q.cards]
    return spec


# ------------------------------------------------------------------ keys

def key_hash(salt: str, qid: str, value: str) -> str:
    """Salted hash of one key value; ``grader.js`` computes the same."""
    return hashlib.sha256(f"{salt}\x1f{qid}\x1f{value}".encode("utf-8")).hexdigest()[:24]


#: types whose static key is hashed; the others (numeric, regex answers) carry plaintext
HASHED_TYPES = ("single_choice", "multiple_response", "true_false", "cloze", "short_text", "matching",
                "ordering", "drag_words") + tuple(n for n, m in UNITS.items() if getattr(m, "HASHED", False))


def static_key(q: QuestionBase, salt: str) -> dict:
    """The question as the JS grader needs it, with keys hashed where the type allows."""
    own = hook(q.type, "static_key")
    if own is not None:
        return own(q, salt)
    d = q.model_dump(mode="json", exclude_none=True)
    for k in ("hints", "feedback", "title", "text_html"):
        d.pop(k, None)
    H = lambda v: key_hash(salt, q.id, v)  # noqa: E731
    if q.type not in HASHED_TYPES:
        if isinstance(q, CodeExercise):  # hidden tests and solution never leave the kernel
            for k in ("tests", "solution", "setup"):
                d.pop(k, None)
        if isinstance(q, Essay):  # the model answer is the solution: only obfuscated, in `sol`
            d.pop("model_answer", None)
        if isinstance(q, Numeric):
            for a in d["answers"]:
                a.pop("feedback", None)
        return d
    d["salt"] = salt
    if isinstance(q, SingleChoice):
        d["answer"] = H(q.answer)
        d["options"] = [{"id": o.id} for o in q.options]
        if q.scores:
            d["scores"] = {H(k): v for k, v in sorted(q.scores.items())}
        else:
            d.pop("scores", None)
    elif isinstance(q, MultipleResponse):
        d["answers"] = sorted(H(a) for a in q.answers)
        d["options"] = [{"id": o.id} for o in q.options]
    elif isinstance(q, TrueFalse):
        d["answer"] = H("true" if q.answer else "false")
        d.pop("feedback_true", None)
        d.pop("feedback_false", None)
    elif isinstance(q, Cloze):
        d["text"] = GAP_RE.sub("[[?]]", q.text)
        d["gaps"] = [sorted({H(norm_text(a, q.case_sensitive, q.ignore_whitespace)) for a in alts})
                     for alts in q.gap_answers()]
        nums = [gap_numbers(alts) for alts in q.gap_answers()]
        if any(nums):  # numbers are compared as numbers: plaintext, as in numeric questions
            d["gap_numbers"] = nums
        d.pop("gap_feedback", None)
    elif isinstance(q, DragWords):
        d["text"] = GAP_RE.sub("[[?]]", q.text)
        d["gaps"] = [[H(norm_text(w.strip(), True))] for w in GAP_RE.findall(q.text)]
        d.pop("distractors", None)
    elif isinstance(q, ShortText):
        out = []
        for a in q.answers:
            e: dict[str, Any] = {"score": a.score}
            if a.text is not None:
                e["text"] = H(norm_text(a.text, q.case_sensitive))
            else:
                e["regex"] = a.regex
            out.append(e)
        d["answers"] = out
    elif isinstance(q, Matching):
        d["pairs"] = [{"id": p.id, "right": H(p.right)} for p in q.pairs]
        d.pop("distractors", None)
    elif isinstance(q, Ordering):
        d["items"] = [{"id": H(f"{pos}:{i.id}")} for pos, i in enumerate(q.items)]
        d["ids"] = sorted(i.id for i in q.items)
    return d


# -------------------------------------------------------------- feedback

def feedback_texts(q: QuestionBase, lang: str | None = None) -> dict[str, str]:
    fb: dict[str, str] = {}
    if q.feedback:
        fb["general"] = md(q.feedback)
    own = hook(q.type, "feedback_texts")
    if own is not None:
        fb.update(own(q))
    if isinstance(q, (SingleChoice, MultipleResponse)):
        for o in q.options:
            if o.feedback:
                fb[f"option:{o.id}"] = md_inline(o.feedback)
    elif isinstance(q, TrueFalse):
        if q.feedback_true:
            fb["true"] = md_inline(q.feedback_true)
        if q.feedback_false:
            fb["false"] = md_inline(q.feedback_false)
    elif isinstance(q, (Numeric, ShortText)):
        for i, a in enumerate(q.answers):
            if a.feedback:
                fb[f"answer:{i}"] = md_inline(a.feedback)
    elif isinstance(q, Cloze):
        for i, f in enumerate(q.gap_feedback):
            if f:
                fb[f"gap:{i + 1}:wrong"] = md_inline(f)
    elif isinstance(q, Matching):
        for p in q.pairs:
            if p.feedback:
                fb[f"pair:{p.id}:wrong"] = md_inline(p.feedback)
    elif isinstance(q, Likert):
        for i, b in enumerate(q.bands):
            fb[f"band:{i}"] = f"<strong>{html.escape(b.label)}</strong> {md_inline(b.advice)}"
    elif isinstance(q, CodeExercise):
        for i, t in enumerate(q.tests):
            if t.feedback:
                fb[f"test:{i}:failed"] = md_inline(t.feedback)
    return fb


def solution_html(q: QuestionBase, lang: str | None = None) -> str:
    T = lambda s: html.escape(gettext(s, lang))  # noqa: E731
    own = hook(q.type, "solution_html")
    if own is not None:
        return own(q, lang)
    if isinstance(q, SingleChoice):
        o = next(o for o in q.options if o.id == q.answer)
        return f"<p>{md_inline(o.text)}</p>"
    if isinstance(q, MultipleResponse):
        return "<ul>" + "".join(f"<li>{md_inline(o.text)}</li>" for o in q.options if o.id in q.answers) + "</ul>"
    if isinstance(q, TrueFalse):
        return f"<p>{T('True') if q.answer else T('False')}</p>"
    if isinstance(q, (Cloze, DragWords)):
        filled = GAP_RE.sub(lambda m: f"**{m.group(1).split('|')[0].strip()}**", q.text)
        return md(filled)
    if isinstance(q, Numeric):
        a = next(a for a in q.answers if a.score == 1)
        unit = f" {html.escape(q.unit)}" if q.unit else ""
        if a.value is not None:
            tol = f" (± {a.tolerance:g})" if a.tolerance else ""
            return f"<p>{a.value:g}{unit}{tol}</p>"
        return f"<p>{a.min:g} – {a.max:g}{unit}</p>"
    if isinstance(q, ShortText):
        a = next((a for a in q.answers if a.score == 1 and a.text is not None), None)
        return f"<p>{html.escape(a.text)}</p>" if a else "<p><code>" + html.escape(q.answers[0].regex) + "</code></p>"
    if isinstance(q, Matching):
        return "<ul>" + "".join(f"<li>{md_inline(p.left)} → {md_inline(p.right)}</li>" for p in q.pairs) + "</ul>"
    if isinstance(q, Ordering):
        if q.code:
            return "<pre><code>" + html.escape("\n".join(i.text for i in q.items)) + "</code></pre>"
        return "<ol>" + "".join(f"<li>{md_inline(i.text)}</li>" for i in q.items) + "</ol>"
    if isinstance(q, CodeExercise):
        return "<pre><code>" + html.escape(q.solution) + "</code></pre>"
    if isinstance(q, Essay) and q.model_answer:
        return md(q.model_answer)
    return ""


def obfuscate(text: str, salt: str, qid: str) -> str:
    """XOR with a SHA-256 keystream, base64: keeps the solution out of view-source (not a secret)."""
    data = text.encode("utf-8")
    stream = bytearray()
    counter = 0
    while len(stream) < len(data):
        stream += hashlib.sha256(f"{salt}\x1f{qid}\x1fsolution\x1f{counter}".encode()).digest()
        counter += 1
    return base64.b64encode(bytes(b ^ k for b, k in zip(data, stream))).decode("ascii")
