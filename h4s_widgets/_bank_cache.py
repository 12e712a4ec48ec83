"""Validated question banks kept as plain data, so that a quiz from a bank file shows without YAML or a validator.

``Quiz("questions/x.yml")`` validates the bank as ever the first time (a bank that does not validate gives
its one-line error and is never kept), then keeps the validated questions as JSON in the user's own cache
folder: ``$H4S_CACHE_DIR`` if set (``off``: no cache), else ``$XDG_CACHE_HOME/h4s`` or ``~/.cache/h4s`` on
Linux and the platform's user cache folder elsewhere, in ``banks/``.  Next time the questions are rebuilt
from it without YAML, a validator or even pydantic: each question is kept with what a quiz shows of it
(its public spec, feedback and solution in the quiz's language, and its static key as a template whose
hashes are made for each page's salt: ``_spec.key_from_template``), all made by the validated models when the
bank was kept; the question's model is built (pydantic's ``model_construct``, importing only its type unit)
when it is first graded or asked for (:class:`Kept`).  An entry is used only when

* its key matches: SHA-256 over the bank file's bytes (the very bytes validated), h4s's and pydantic's
  versions and the source of the schema (``_schema.py``, ``_bank.py``, ``types/*.py``): changing the bank,
  updating h4s or pydantic, or editing the schema in a checkout makes it miss;
* the folder, its parent and the file belong to this user and nobody else may write them, and the file is
  not a link (POSIX): a cache in a shared or foreign place is never read, so nobody else can make a quiz
  show what its bank does not say.  The cache never lives next to the bank (a course repository or a
  learner's folder is not a trusted place);
* rebuilding it gave models equal to the validated ones (type, fields, fields set) when it was written; a
  bank whose values JSON cannot carry exactly is not kept.  A question whose key the template does not give
  exactly (checked with a fresh salt when it is kept), a quiz in another language or with another seed
  shows from the model instead.

Grading, attempts and records do not depend on where the models came from: the models are the same.
Anything unexpected (unreadable, foreign, malformed, a type that no longer exists) is a miss, never an error.
"""
from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
import types
import typing
from pathlib import Path
from typing import Any, Optional

FORMAT = 2
_HERE = Path(__file__).resolve().parent
_fingerprint: Optional[str] = None


class _Unsupported(Exception):
    """A value the plain-data form cannot carry exactly."""


def cache_dir() -> Optional[Path]:
    """The folder of the kept banks, or None when the cache is off."""
    env = os.environ.get("H4S_CACHE_DIR")
    if env is not None:
        return None if env.strip().lower() in ("", "off", "0", "false", "no") else Path(env) / "banks"
    if sys.platform.startswith("linux"):   # platformdirs' rule, without importing it
        base = os.environ.get("XDG_CACHE_HOME", "").strip() or os.path.expanduser("~/.cache")
        return Path(base) / "h4s" / "banks"
    import platformdirs
    return Path(platformdirs.user_cache_dir("h4s", appauthor=False)) / "banks"


def _mine(st: os.stat_result) -> bool:
    """Owned by this user and writable by nobody else (always true where there are no POSIX owners)."""
    if not hasattr(os, "getuid"):
        return True
    return st.st_uid == os.getuid() and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _trusted_dir(d: Path) -> bool:
    try:
        for p in (d, d.parent):
            st = os.lstat(p)
            if not stat.S_ISDIR(st.st_mode) or not _mine(st):
                return False
        return True
    except OSError:
        return False


def _code_fingerprint() -> Optional[str]:
    """Versions and the schema's source: what decides whether a bank is valid and what its models hold."""
    global _fingerprint
    if _fingerprint is None:
        from ._version import __version__
        pydantic_version = _pydantic_version()
        if pydantic_version is None:
            return None
        h = hashlib.sha256(f"h4s-bank-cache {FORMAT} {__version__} {pydantic_version}".encode())
        try:
            for p in [_HERE / "_schema.py", _HERE / "_bank.py", _HERE / "_markdown.py", _markdown_it_version(),
                      *sorted((_HERE / "types").glob("*.py"))]:
                h.update(p.name.encode() + b"\0" + p.read_bytes() + b"\0")
        except (OSError, TypeError):
            return None   # no sources to fingerprint (e.g. a bytecode-only install): no cache
        _fingerprint = h.hexdigest()
    return _fingerprint


def _pydantic_version() -> Optional[str]:
    """pydantic's version, read from its ``version.py`` without importing pydantic (``VERSION = '2.x.y'``;
    tests/test_bank_cache.py checks that this is ``pydantic.VERSION``)."""
    import importlib.util
    import re
    spec = importlib.util.find_spec("pydantic")
    if spec is None or not spec.origin:
        return None
    try:
        text = (Path(spec.origin).parent / "version.py").read_text(encoding="utf-8")
    except OSError:
        return None
    m = re.search(r"""^VERSION\s*=\s*['"]([^'"]+)['"]""", text, re.M)
    return m.group(1) if m else None


def _markdown_it_version() -> Path:
    """markdown-it's ``__init__.py`` (it holds its version), found without importing it."""
    import importlib.util
    spec = importlib.util.find_spec("markdown_it")
    if spec is None or not spec.origin:
        raise OSError("markdown-it not found")
    return Path(spec.origin)


def _key(raw: bytes) -> Optional[str]:
    code = _code_fingerprint()
    return None if code is None else hashlib.sha256(code.encode() + b"\0" + raw).hexdigest()


def _entry(path: str | Path) -> Optional[Path]:
    d = cache_dir()
    if d is None:
        return None
    name = hashlib.sha256(os.path.abspath(path).encode("utf-8", "surrogateescape")).hexdigest()[:40]
    return d / f"{name}.json"


# ------------------------------------------------------------------ plain data <-> models

def _value(ann: Any, v: Any) -> Any:
    from pydantic import BaseModel
    if v is None:
        return None
    origin, args = typing.get_origin(ann), typing.get_args(ann)
    if origin is typing.Annotated:
        return _value(args[0], v)
    if isinstance(ann, type) and issubclass(ann, BaseModel):
        if not isinstance(v, dict):
            raise _Unsupported(ann)
        return _build(ann, v)
    if origin is typing.Union or origin is types.UnionType:
        rest = [a for a in args if a is not type(None)]
        if len(rest) == 1:
            return _value(rest[0], v)
        if any(_has_model(a) for a in rest):
            raise _Unsupported(ann)
        return v
    if origin is list:
        if not isinstance(v, list):
            raise _Unsupported(ann)
        return [_value(args[0], x) for x in v]
    if origin is dict:
        if not isinstance(v, dict):
            raise _Unsupported(ann)
        return {k: _value(args[1], x) for k, x in v.items()}
    if origin is not None and origin is not typing.Literal:
        raise _Unsupported(ann)   # tuple, set, ...: JSON has no such thing
    if isinstance(ann, (str, typing.ForwardRef)):
        raise _Unsupported(ann)
    return v


def _has_model(ann: Any) -> bool:
    from pydantic import BaseModel
    if isinstance(ann, type):
        return issubclass(ann, BaseModel)
    return any(_has_model(a) for a in typing.get_args(ann))


def _build(cls: Any, data: dict) -> Any:
    fields = cls.model_fields
    values = {}
    for k, v in data.items():
        if k not in fields:
            raise _Unsupported(k)
        values[k] = _value(fields[k].annotation, v)
    return cls.model_construct(**values)   # the fields set are the keys given, as when it was validated


def _question(data: Any) -> Any:
    from ._schema import _REGISTRY
    from .types import unit
    if not isinstance(data, dict) or not isinstance(data.get("type"), str) or unit(data["type"]) is None:
        raise _Unsupported(data)
    return _build(_REGISTRY[data["type"]], data)


def _same(a: Any, b: Any) -> bool:
    """Equal in type, fields, fields set and values, all the way down."""
    from pydantic import BaseModel
    if type(a) is not type(b):
        return False
    if isinstance(a, BaseModel):
        return (a.model_fields_set == b.model_fields_set and list(a.__dict__) == list(b.__dict__)
                and all(_same(a.__dict__[k], b.__dict__[k]) for k in a.__dict__)
                and a.__pydantic_extra__ == b.__pydantic_extra__ and a.__pydantic_private__ == b.__pydantic_private__)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    return a == b or (a != a and b != b)   # NaN equals NaN here


# ------------------------------------------------------------------ load / store

class Kept:
    """A question of a kept bank: its data and, when it was kept in this quiz's language, what a quiz shows of
    it (``shown``: ``spec``, ``fb``, ``sol``, ``key``: see :func:`_shown`).  :meth:`model` builds the question's
    model (the first time: pydantic and the type's unit are imported then)."""

    __slots__ = ("id", "title", "type", "shown", "_data", "_model")

    def __init__(self, data: dict, shown: Optional[dict]):
        self.id, self.title, self.type = data["id"], data.get("title"), data["type"]
        self.shown, self._data, self._model = shown, data, None

    def model(self) -> Any:
        if self._model is None:
            self._model = _question(self._data)
        return self._model


def _kept(q: Any, shown: Any) -> Kept:
    if not isinstance(q, dict) or not isinstance(q.get("id"), str) or not isinstance(q.get("type"), str) \
            or not isinstance(q.get("title", ""), (str, type(None))):
        raise _Unsupported(q)
    if shown is not None and not (isinstance(shown, dict) and isinstance(shown.get("spec"), dict)
                                  and isinstance(shown.get("fb"), dict) and isinstance(shown.get("sol"), str)
                                  and isinstance(shown.get("key"), dict)):
        raise _Unsupported(shown)
    return Kept(q, shown)


def load(path: str | Path, raw: bytes, ids: Optional[typing.Sequence[str]] = None, lang: Optional[str] = None
         ) -> Optional[tuple[Any, Any, list[Kept]]]:
    """``(pass_mark, draw, questions)`` of the bank whose file ``path`` holds ``raw``, if kept; else None.
    The questions are :class:`Kept`, with what a quiz shows of them when they were kept in ``lang``.

    With ``ids`` that the bank all has, only those questions (in the bank's order)."""
    entry = _entry(path)
    key = _key(raw) if entry is not None else None
    if entry is None or key is None or not _trusted_dir(entry.parent):
        return None
    try:
        fd = os.open(entry, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        with os.fdopen(fd, "rb") as f:
            if not _mine(os.fstat(f.fileno())):
                return None
            data = json.loads(f.read())
        if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("key") != key:
            return None
        qs, shown = data["questions"], data.get("shown")
        if not isinstance(qs, list) or not qs or not isinstance(shown, list) or len(shown) != len(qs):
            return None
        if data.get("lang") != lang:
            shown = [None] * len(qs)
        pairs = list(zip(qs, shown))
        if ids is not None and set(ids) <= {q.get("id") for q in qs if isinstance(q, dict)}:
            pairs = [(q, sh) for q, sh in pairs if q.get("id") in set(ids)]
        questions = [_kept(q, sh) for q, sh in pairs]
        known = {(k, t): h for k, t, h in data.get("html", [])
                 if k in ("md", "inline") and isinstance(t, str) and isinstance(h, str)}
        from . import _markdown
        _markdown.KNOWN.update(known)
        return data.get("pass_mark"), data.get("draw"), questions
    except Exception:   # malformed: validate the file instead
        return None


def _shown(q: Any, lang: Optional[str]) -> Optional[dict]:
    """What a quiz shows of ``q`` in ``lang`` (public spec with seed 0, feedback, solution, static key template),
    as JSON gives it back; None when the template does not give ``static_key``'s very key for a fresh salt."""
    import secrets
    from ._spec import TEMPLATE_SALT, feedback_texts, key_from_template, public_spec, solution_html, static_key
    shown = json.loads(json.dumps({"spec": public_spec(q, 0), "fb": feedback_texts(q, lang),
                                   "sol": solution_html(q, lang), "key": static_key(q, TEMPLATE_SALT)},
                                  ensure_ascii=False))
    salt = secrets.token_hex(8)
    if shown["spec"] != public_spec(q, 0) or key_from_template(shown["key"], salt) != static_key(q, salt):
        return None
    return shown


def _html_of(bank: Any, lang: Optional[str]) -> list:
    """What the bank's texts render to (question, options, feedback, solution) in ``lang``: the Markdown
    each text gives, recorded while the questions are shown once."""
    from . import _markdown
    from ._spec import feedback_texts, public_spec, solution_html
    seen: dict = {}
    _markdown._recording.append(seen)
    try:
        for q in bank.questions:
            public_spec(q, 0)
            feedback_texts(q, lang)
            solution_html(q, lang)
    except Exception:
        return []   # shown the slow way, as ever
    finally:
        _markdown._recording.remove(seen)
    return [[k, t, h] for (k, t), h in seen.items()]


def store(path: str | Path, raw: bytes, bank: Any, lang: Optional[str] = None) -> bool:
    """Keep the validated ``bank`` (read from ``raw``, the bytes of ``path``) and the HTML of its texts in
    ``lang``; True when it was kept."""
    entry = _entry(path)
    key = _key(raw) if entry is not None else None
    if entry is None or key is None:
        return False
    try:
        questions = [q.model_dump(mode="python", exclude_unset=True) for q in bank.questions]
        try:
            shown = [_shown(q, lang) for q in bank.questions]
        except Exception:   # shown from the models, as ever
            shown = [None] * len(questions)
        text = json.dumps({"format": FORMAT, "key": key, "pass_mark": bank.pass_mark, "draw": bank.draw,
                           "questions": questions, "lang": lang, "shown": shown,
                           "html": _html_of(bank, lang)}, ensure_ascii=False)
        again = [_question(q) for q in json.loads(text)["questions"]]
        if not all(_same(a, b) for a, b in zip(again, bank.questions)) or len(again) != len(bank.questions):
            return False
        entry.parent.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        entry.parent.mkdir(mode=0o700, exist_ok=True)
        if not _trusted_dir(entry.parent):
            return False
        import tempfile
        fd, tmp = tempfile.mkstemp(dir=entry.parent, prefix=".tmp-", suffix=".json")   # mode 0600
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
            os.replace(tmp, entry)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
        return True
    except Exception:   # a value JSON cannot carry, a full or read-only disk: no cache, same quiz
        return False
