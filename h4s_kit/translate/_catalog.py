"""gettext catalogues of a module, read and written with Babel.

Layout: ``modules/NN-slug/locales/module.pot`` (the template) and
``modules/NN-slug/locales/LL/LC_MESSAGES/module.po`` per language; a file
``locales/LL/draft.txt`` marks the language as a draft (built only on request, never published).
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po, write_po

from h4s_widgets._errors import H4SError

from ._extract import Source, collect

DOMAIN = "module"
HEADER = """\
# Translations of the h4s module {module}.
# Made by `h4s translate extract/update` from the module's notebook and question banks:
# translators edit the msgstr lines only (ids, option keys and numbers are not in this file).
# This file is distributed under the module's licence ({licence}).
#"""


class TranslationError(H4SError):
    """A catalogue that cannot be read or a language that cannot be used."""


def locales_dir(folder: Path) -> Path:
    return Path(folder) / "locales"


def pot_path(folder: Path) -> Path:
    return locales_dir(folder) / f"{DOMAIN}.pot"


def po_path(folder: Path, lang: str) -> Path:
    return locales_dir(folder) / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def languages(folder: Path) -> list[str]:
    d = locales_dir(folder)
    return sorted(p.name for p in d.iterdir() if (p / "LC_MESSAGES" / f"{DOMAIN}.po").is_file()) if d.is_dir() else []


def is_draft(folder: Path, lang: str) -> bool:
    return (locales_dir(folder) / lang / "draft.txt").is_file()


def template(src: Source) -> Catalog:
    import json
    meta = (json.loads((src.folder / "module.ipynb").read_text(encoding="utf-8")).get("metadata") or {}).get("h4s") or {}
    cat = Catalog(project=src.folder.name, domain=DOMAIN, charset="utf-8", fuzzy=False,
                  header_comment=HEADER.format(module=src.folder.name, licence=meta.get("licence", "CC-BY-SA-4.0")))
    for m in src.messages:
        cat.add(m.id, "", locations=[m.location], auto_comments=[m.comment] if m.comment else [], context=m.context)
    return cat


def read(path: Path, lang: str | None = None) -> Catalog:
    try:
        with open(path, "rb") as fh:
            return read_po(fh, locale=lang, abort_invalid=True)
    except Exception as e:   # babel raises PoFileError and friends
        raise TranslationError(f"{path}: cannot read the catalogue ({e}); fix the PO syntax (msgfmt -c shows where)") from e


#: the previous source of a fuzzy entry, as a translator comment: Babel 2.19 writes a multi-line previous msgid
#: (``#|``) as one broken line that msgfmt rejects, so the previous text goes into a ``#`` comment instead
PREVIOUS = "previous source: "
_FORMAT_FLAGS = ("python-format", "python-brace-format")


def _dump(cat: Catalog, **kw) -> bytes:
    for m in cat:
        for f in _FORMAT_FLAGS:          # markdown is not a Python format string ({term}`x` is a MyST role)
            m.flags.discard(f)
    buf = io.BytesIO()
    write_po(buf, cat, width=79, sort_output=False, include_previous=False, **kw)
    return buf.getvalue()


def _write(path: Path, data: bytes) -> bool:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_file() and path.read_bytes() == data:
        return False
    path.write_bytes(data)
    return True


def _stable(data: bytes) -> bytes:
    """Drop the dates Babel writes, so that an unchanged catalogue is byte for byte unchanged."""
    lines = [ln for ln in data.split(b"\n") if not ln.startswith((b'"POT-Creation-Date:', b'"PO-Revision-Date:'))]
    return b"\n".join(lines)


def extract(folder: Path) -> tuple[Path, bool, int]:
    """Write ``locales/module.pot``; returns (path, changed, number of messages)."""
    src = collect(folder)
    cat = template(src)
    return pot_path(folder), _write(pot_path(folder), _stable(_dump(cat))), len(src.messages)


def update(folder: Path, lang: str) -> tuple[Path, bool]:
    """Merge the template into ``lang``'s catalogue (new: empty; changed source: fuzzy with the previous
    msgid; removed: obsolete ``#~``).  Starts the catalogue when it does not exist, as a draft
    (``locales/LL/draft.txt``)."""
    src = collect(folder)
    tmpl = template(src)
    path = po_path(folder, lang)
    if path.is_file():
        cat = read(path, lang)
        cat.update(tmpl, update_header_comment=False)
        import json
        for m in cat:
            # our note is the last comment; Babel wraps long comments over several lines: drop it and its rest
            # (kept while the entry stays fuzzy and Babel has no newer previous source for it)
            at = next((i for i, c in enumerate(m.user_comments) if c.startswith(PREVIOUS)), None)
            if at is not None and (not m.fuzzy or m.previous_id):
                m.user_comments = m.user_comments[:at]
            if m.fuzzy and m.previous_id:
                m.user_comments.append(PREVIOUS + " ".join(json.dumps(p, ensure_ascii=False) for p in m.previous_id))
            m.previous_id = []
    else:                      # a new catalogue starts as a draft: published only when the translator says so
        cat = template(src)
        cat.locale = lang
        cat.fuzzy = False
        draft = locales_dir(folder) / lang / "draft.txt"
        draft.parent.mkdir(parents=True, exist_ok=True)
        draft.write_text(f"{lang} is a draft of this module: delete this file to publish it once h4s translate status "
                         f"says complete.\n", encoding="utf-8")
    return path, _write(path, _stable(_dump(cat)))


@dataclass
class Status:
    module: str
    lang: str
    total: int
    translated: int
    fuzzy: int
    untranslated: int
    obsolete: int
    draft: bool
    has_catalogue: bool = True

    @property
    def percent(self) -> float:
        return 100.0 * self.translated / self.total if self.total else 100.0

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.translated == self.total and not self.fuzzy


def translations(folder: Path, lang: str) -> dict[str, str]:
    """context -> translation, for the entries that translate the current source (not fuzzy, not empty,
    same msgid as the module has now); everything else stays in English."""
    path = po_path(folder, lang)
    if not path.is_file():
        return {}
    src = {m.context: m.id for m in collect(folder).messages}
    out = {}
    for msg in read(path, lang):
        if msg.id and msg.context in src and src[msg.context] == msg.id and msg.string and not msg.fuzzy:
            out[msg.context] = msg.string
    return out


def status(folder: Path, lang: str) -> Status:
    folder = Path(folder)
    src = {m.context: m.id for m in collect(folder).messages}
    path = po_path(folder, lang)
    cat = read(path, lang) if path.is_file() else Catalog()
    have: dict[str, Message] = {m.context: m for m in cat if m.id}
    translated = fuzzy = 0
    for ctx, msgid in src.items():
        m = have.get(ctx)
        if m is None or not m.string:
            continue
        if m.id != msgid or m.fuzzy:      # a changed source counts as fuzzy until `update` marks it so
            fuzzy += 1
        else:
            translated += 1
    return Status(module=folder.name, lang=lang, total=len(src), translated=translated, fuzzy=fuzzy,
                  untranslated=len(src) - translated - fuzzy, obsolete=len(cat.obsolete),
                  draft=is_draft(folder, lang), has_catalogue=path.is_file())
