"""What ``h4s check`` verifies of a module's translations, per language.

- a published language (no ``locales/LL/draft.txt``) is 100 % translated with no fuzzy entry;
- the translated banks are valid; a translated cloze / drag-the-words text has the same number of gaps
  as the source and every gap keeps at least one accepted answer; a select-the-words passage keeps its
  number of [bracketed] units;
- everything a catalogue cannot translate (ids, option keys, scores, numbers, code) is identical in the
  translated bank, so choice, numeric, ordering and matching questions grade the same in every language;
- catalogue entries for places that do not exist (e.g. an attempt to translate an id) are reported.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path

from h4s_widgets._errors import H4SError
from h4s_widgets._schema import GAP_RE, parse_bank

from ._apply import lookup_for
from ._catalog import read, po_path, status
from ._extract import bank_files, collect, read_yaml, translated_bank, walk_bank

_UNIT = __import__("re").compile(r"\[([^\[\]]*)\]")


@dataclass
class Problem:
    lang: str
    place: str          # file relative to the module, with the question when there is one
    message: str
    fix: str
    error: bool = True


def frozen(data):
    """The bank with every translatable string blanked: what no catalogue may change."""
    data = copy.deepcopy(data)
    from ._extract import set_path
    for path, _ in list(walk_bank(data)):
        set_path(data, path, "")
    if isinstance(data, dict):
        data.pop("language", None)
    return data


def _gaps(text: str) -> list[str]:
    return GAP_RE.findall(text or "")


def verify(folder: Path, lang: str) -> list[Problem]:
    folder = Path(folder)
    out: list[Problem] = []
    po = po_path(folder, lang).relative_to(folder).as_posix()
    try:
        st = status(folder, lang)
        cat = read(po_path(folder, lang), lang)
    except H4SError as e:
        return [Problem(lang, po, str(e), "fix the PO syntax")]
    if st.draft:
        out.append(Problem(lang, po, f"{lang} is a draft ({st.percent:.0f} % translated, {st.fuzzy} fuzzy): "
                           f"built only with h4s build --lang {lang}, not published", 
                           f"when complete, delete locales/{lang}/draft.txt", error=False))
    elif not st.complete:
        out.append(Problem(lang, po, f"{lang} is published but {st.percent:.1f} % translated "
                           f"({st.untranslated} untranslated, {st.fuzzy} fuzzy or made for an older source)",
                           f"translate the rest (h4s translate update then status), or mark the language a draft "
                           f"with an empty file locales/{lang}/draft.txt"))
    known = {m.context for m in collect(folder).messages}
    for m in cat:
        if m.id and m.context not in known and m.string:
            out.append(Problem(lang, po, f"the entry msgctxt {m.context!r} names no translatable place "
                               f"(ids, option keys, answers and numbers cannot be translated); it is ignored",
                               f"run h4s translate update --lang {lang} (it becomes obsolete)", error=False))
    from ._extract import NOTEBOOK, PLACEHOLDER_RE
    code_places = {m.context for m in collect(folder).messages
                   if m.context.startswith(NOTEBOOK + ":") and "/b" not in m.context.split(":", 1)[1]
                   and "metadata/" not in m.context}
    for m in cat:
        if m.id and m.string and not m.fuzzy and m.context in code_places:
            want, got = sorted(PLACEHOLDER_RE.findall(m.id)), sorted(PLACEHOLDER_RE.findall(m.string))
            if want != got:
                out.append(Problem(lang, po, f"the translation of {m.context} has the placeholders "
                                   f"{' '.join(got) or 'none'}, the source {' '.join(want) or 'none'}",
                                   "keep every {placeholder} of the source exactly: the code fills it in"))
    lookup = lookup_for(folder, lang)
    for bank in bank_files(folder):
        rel = bank.relative_to(folder).as_posix()
        src = read_yaml(bank)
        tr = translated_bank(bank, folder, lookup, lang)
        if frozen(src) != frozen(tr):
            out.append(Problem(lang, rel, "the translation changed something that is not text (ids, keys, answers, "
                               "numbers)", "report this as a bug of h4s translate"))
        qs_src = {q.get("id"): q for q in (src.get("questions") or []) if isinstance(q, dict)}
        for q in tr.get("questions") or []:
            s = qs_src.get(q.get("id")) or {}
            where = f"{rel}:{q.get('id')}"
            if q.get("type") in ("cloze", "drag_words"):
                a, b = _gaps(s.get("text")), _gaps(q.get("text"))
                if len(a) != len(b):
                    out.append(Problem(lang, where, f"the {lang} text has {len(b)} gap(s), the source {len(a)}",
                                       f"keep one [[...]] per gap in the msgstr of {where}/text"))
                for k, g in enumerate(b, start=1):
                    if not any(x.strip() for x in g.split("|")):
                        out.append(Problem(lang, where, f"gap {k} of the {lang} text has no accepted answer",
                                           "write at least one answer inside [[...]]"))
            if q.get("type") == "select_words":
                a, b = _UNIT.findall(s.get("passage") or ""), _UNIT.findall(q.get("passage") or "")
                if len(a) != len(b):
                    out.append(Problem(lang, where, f"the {lang} passage has {len(b)} [bracketed] unit(s), "
                                       f"the source {len(a)}", "bracket the same number of right units"))
            if q.get("type") == "short_text":
                if not any(isinstance(x, dict) and (x.get("text") or x.get("regex")) and x.get("score", 1) == 1
                           for x in q.get("answers") or []):
                    out.append(Problem(lang, where, f"the {lang} question has no accepted answer with full score",
                                       "translate at least one accepted answer"))
        try:
            parse_bank(tr, source=f"{rel} ({lang})")
        except H4SError as e:
            out.append(Problem(lang, rel, f"the {lang} translation makes the bank invalid: {e}",
                               f"correct the entries of {rel} in {po}"))
    return out
