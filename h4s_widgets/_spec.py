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
import random
import re
from typing import Any

import json
from typing import TYPE_CHECKING

from ._markdown import md, md_inline
from .types import hook

if TYPE_CHECKING:
    from ._schema import QuestionBase

GAP_TOKEN = "\u27e6H4SGAP{}\u27e7"
_GAP_TOKEN_RE = re.compile("\u27e6H4SGAP(\\d+)\u27e7")


def _text_with_gaps(text: str) -> str:
    """Markdown with ``[[...]]`` replaced by empty gap placeholders (the key stays out)."""
    from ._schema import GAP_RE
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
    own = hook(q.type, "public_spec") or _spec_text
    spec.update(own(q, seed))
    return spec


# ------------------------------------------- helpers of the types' public_spec (q, seed) -> fields

def _spec_text(q, seed) -> dict:
    return {"text_html": md(q.text)}


def options_spec(q, seed, multiple: bool) -> dict:
    """The public spec of a choice among ``q.options`` (shuffled with the seed when ``q.shuffle``)."""
    opts = list(q.options)
    if q.shuffle:
        _rng(q, seed).shuffle(opts)
    return {"text_html": md(q.text), "options": [{"id": o.id, "html": md_inline(o.text)} for o in opts],
            "multiple": multiple}


def options_feedback(q) -> dict:
    """``option:<id>`` -> the option's feedback."""
    return {f"option:{o.id}": md_inline(o.feedback) for o in q.options if o.feedback}


# ------------------------------------------------------------------ keys

#: the salt of a key template: ``static_key(q, TEMPLATE_SALT)`` is the key with every hash still to be made
#: (see :func:`key_from_template`); a salt that :func:`Quiz.static_payload` never draws (hex digits only)
TEMPLATE_SALT = "\x00h4s-key-template\x00"


def key_hash(salt: str, qid: str, value: str) -> str:
    """Salted hash of one key value; ``grader.js`` computes the same.  With :data:`TEMPLATE_SALT`, a
    placeholder holding ``qid`` and ``value`` instead."""
    if salt == TEMPLATE_SALT:
        return "\x00" + json.dumps([qid, value], ensure_ascii=False) + "\x00"
    return hashlib.sha256(f"{salt}\x1f{qid}\x1f{value}".encode("utf-8")).hexdigest()[:24]


def key_from_template(template: Any, salt: str) -> Any:
    """``static_key(q, salt)`` from ``static_key(q, TEMPLATE_SALT)``, without the question: the template salt
    becomes ``salt``, each placeholder its hash, and a list made of placeholders only is sorted once hashed
    (the types sort hashed answers: multiple response, cloze gaps, select the words).  A kept bank
    (:mod:`h4s_widgets._bank_cache`) keeps the template only for questions where this gives the very key
    ``static_key`` gives."""
    def one(v: Any) -> tuple[Any, bool]:
        if isinstance(v, str):
            if v == TEMPLATE_SALT:
                return salt, False
            if len(v) > 2 and v[0] == "\x00" and v[-1] == "\x00":
                qid, value = json.loads(v[1:-1])
                return key_hash(salt, qid, value), True
            return v, False
        if isinstance(v, list):
            out = [one(x) for x in v]
            vals = [x for x, _ in out]
            return (sorted(vals) if out and all(h for _, h in out) else vals), False
        if isinstance(v, dict):
            return {one(k)[0]: one(x)[0] for k, x in v.items()}, False
        return v, False
    return one(template)[0]


def static_key(q: QuestionBase, salt: str) -> dict:
    """The question as the JS grader needs it, with keys hashed where the type allows."""
    own = hook(q.type, "static_key")
    return own(q, salt) if own is not None else dumped_key(q, salt, hashed=False)


class _NotPlain(Exception):
    pass


def _plain(v: Any) -> Any:
    from ._schema import _Model
    if v is None or isinstance(v, (str, bool, int, float)):
        return v
    if isinstance(v, list):
        return [_plain(x) for x in v]
    if isinstance(v, dict) and all(isinstance(k, str) for k in v):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, _Model):   # a model of the schema
        return {k: _plain(x) for k, x in v.__dict__.items() if x is not None}
    raise _NotPlain(type(v))


def json_dump(q: QuestionBase) -> dict:
    """``q.model_dump(mode="json", exclude_none=True)``, without building pydantic's serializer when the
    question holds only text, numbers, true/false, lists, text-keyed mappings and the schema's models (its
    models have no serializers, computed or excluded fields: tests/test_import_lazy.py checks both).  A
    quiz from a kept bank (h4s_widgets/_bank_cache.py) then builds no validator or serializer at all."""
    try:
        return _plain(q)
    except _NotPlain:
        return q.model_dump(mode="json", exclude_none=True)


def dumped_key(q: QuestionBase, salt: str, fill=None, hashed: bool = True) -> dict:
    """The common part of a static key: the question's dump without hints, feedback and title (with the salt
    when ``hashed``); ``fill(q, d, H)`` (H: the salted hash of a value) then replaces or drops the type's key
    fields in ``d``."""
    d = json_dump(q)
    for k in ("hints", "feedback", "title", "text_html"):
        d.pop(k, None)
    if hashed:
        d["salt"] = salt
    if fill is not None:
        fill(q, d, lambda v: key_hash(salt, q.id, v))
    return d


def __getattr__(name: str) -> Any:
    # HASHED_TYPES: the types whose static key is hashed (a unit's ``HASHED``); the others (numeric, regex
    # answers) carry plaintext.  Made on first use: it imports every type unit
    if name == "HASHED_TYPES":
        from . import types
        value = tuple(n for n, m in types.UNITS.items() if getattr(m, "HASHED", False))
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# -------------------------------------------------------------- feedback

def feedback_texts(q: QuestionBase, lang: str | None = None) -> dict[str, str]:
    fb: dict[str, str] = {}
    if q.feedback:
        fb["general"] = md(q.feedback)
    own = hook(q.type, "feedback_texts")
    if own is not None:
        fb.update(own(q))
    return fb


def solution_html(q: QuestionBase, lang: str | None = None) -> str:
    own = hook(q.type, "solution_html")
    return own(q, lang) if own is not None else ""


# -------------------------------------------- helpers of the types' solution_html

def gaps_solution(q, lang=None) -> str:
    """The text with each gap's (first) answer in bold (cloze, drag the words)."""
    from ._schema import GAP_RE
    return md(GAP_RE.sub(lambda m: f"**{m.group(1).split('|')[0].strip()}**", q.text))


def obfuscate(text: str, salt: str, qid: str) -> str:
    """XOR with a SHA-256 keystream, base64: keeps the solution out of view-source (not a secret)."""
    data = text.encode("utf-8")
    stream = bytearray()
    counter = 0
    while len(stream) < len(data):
        stream += hashlib.sha256(f"{salt}\x1f{qid}\x1fsolution\x1f{counter}".encode()).digest()
        counter += 1
    return base64.b64encode(bytes(b ^ k for b, k in zip(data, stream))).decode("ascii")
