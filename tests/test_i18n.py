"""UI strings: gettext catalogs, language choice, and the front-end's t("...") calls."""
from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from h4s_widgets import _catalogs, _i18n, _schema_tools
from h4s_widgets._i18n import MESSAGES, NOTES, catalog, current_language, gettext, set_language, strings
from h4s_widgets._catalogs import js_missing, js_msgids, placeholders, po_path

REQUIRED = {"de", "el", "es", "fr", "it", "pt", "pl"}
LANGS = _catalogs.languages()
UPDATE = "python -m h4s_widgets._schema_tools pot"


@pytest.fixture(autouse=True)
def _no_language_set(monkeypatch):
    monkeypatch.delenv("H4S_LANG", raising=False)
    set_language(None)
    yield
    set_language(None)


def _read(lang: str):
    with po_path(lang).open("rb") as fh:
        return read_po(fh, locale=lang)


def test_required_languages_are_shipped():
    assert REQUIRED <= set(LANGS), f"missing catalogs: {sorted(REQUIRED - set(LANGS))}"
    assert set(_i18n.available_languages()) == set(LANGS) | {"en"}


def test_messages_are_unique_and_notes_refer_to_them():
    assert len(MESSAGES) == len(set(MESSAGES))
    assert set(NOTES) <= set(MESSAGES), sorted(set(NOTES) - set(MESSAGES))
    assert all(m == m.strip() and m for m in MESSAGES)


def test_pot_matches_messages():
    with _catalogs.POT.open("rb") as fh:
        pot = read_po(fh)
    ids = [m.id for m in pot if m.id]
    assert ids == list(MESSAGES), f"h4s.pot is out of date; run: {UPDATE}"
    assert _catalogs.POT.read_text(encoding="utf-8") == _catalogs.pot_text(), \
        f"h4s.pot is out of date; run: {UPDATE}"


@pytest.mark.parametrize("lang", LANGS)
def test_catalog_is_complete(lang):
    cat = _read(lang)
    entries = {m.id: m for m in cat if m.id}
    missing = [m for m in MESSAGES if m not in entries or not entries[m].string]
    fuzzy = [m for m in MESSAGES if m in entries and entries[m].fuzzy]
    unknown = sorted(set(entries) - set(MESSAGES))
    assert not missing, f"{lang}: untranslated: {missing}"
    assert not fuzzy, f"{lang}: fuzzy (check and remove the fuzzy flag): {fuzzy}"
    assert not unknown, f"{lang}: msgids that are not in MESSAGES: {unknown}; run: {UPDATE}"
    assert str(cat.locale) == lang


@pytest.mark.parametrize("lang", LANGS)
def test_placeholders_are_kept(lang):
    for m in _read(lang):
        if m.id:
            assert placeholders(m.string) == placeholders(m.id), f"{lang}: {m.id!r} -> {m.string!r}"
            # and the translation can be filled in like the English text
            m.string.format(**{p[1:-1]: 1 for p in placeholders(m.id)})


@pytest.mark.parametrize("lang", LANGS)
def test_translations_look_translated(lang):
    """Not a copy of the English catalog: most strings differ from their msgid."""
    table = catalog(lang)
    same = [m for m in MESSAGES if table[m] == m]
    assert len(same) < len(MESSAGES) // 5, f"{lang}: {len(same)} strings equal the English text: {same}"
    assert all("\n" not in table[m] and table[m] == table[m].strip() for m in MESSAGES)


@pytest.mark.parametrize("lang", LANGS)
def test_po_files_are_in_the_generated_form(lang):
    text = po_path(lang).read_text(encoding="utf-8")
    assert text == _catalogs.po_text(lang, _catalogs.read_po(po_path(lang))), \
        f"{po_path(lang)} is not in step with MESSAGES; run: {UPDATE}"


def test_german_catalog():
    de = catalog("de")
    assert de["Check"] == "Prüfen"
    assert de["Try again"] == "Nochmal versuchen"
    assert gettext("Question {n} of {m}", "de", n=2, m=5) == "Frage 2 von 5"


def test_h4s_lang_selects_greek(monkeypatch):
    monkeypatch.setenv("H4S_LANG", "el")
    assert current_language() == "el"
    assert strings()["Check"] == "Έλεγχος"
    assert gettext("Correct") == "Σωστό"


def test_region_and_case_are_ignored(monkeypatch):
    monkeypatch.setenv("H4S_LANG", "DE_at")
    assert current_language() == "de"
    assert gettext("Check") == "Prüfen"
    monkeypatch.setenv("H4S_LANG", "pt-PT")
    assert gettext("Check") == "Verificar"


def test_set_language_wins_over_environment(monkeypatch):
    monkeypatch.setenv("H4S_LANG", "el")
    set_language("fr")
    assert gettext("Check") == "Vérifier"
    set_language(None)
    assert gettext("Check") == "Έλεγχος"


def test_unknown_language_falls_back_to_english(monkeypatch):
    assert catalog("xx") == {m: m for m in MESSAGES}
    monkeypatch.setenv("H4S_LANG", "xx-YY")
    assert strings()["Check"] == "Check"
    assert gettext("{n} of {m} points", n=3, m=4) == "3 of 4 points"


def test_english_is_the_default():
    assert current_language() == "en"
    assert strings() == {m: m for m in MESSAGES}


# ------------------------------------------------------------------ front-end strings
# The front-end translates with t("...") or T("...") (ui.js, records.js) from the `strings` dict.

def test_js_extractor_finds_translation_calls():
    src = r"""
        const a = t("Check"), b = t( 'Try again' );
        el.title = t("Question {n} of {m}", {n: 1, m: 2});
        ui.t("Say \"hi\"") + t('It\'s') + t("Choose\u2026");
        const T = (id, vars) => h4sRecT(strings, id, vars); b.textContent = T("Reset"); ctx.T("Saved", {n: 2});
        format("not this"); set("nor this"); $t("nor"); it("nor that"); t(variable); T(msg); AT("no");
    """
    assert js_msgids(src) == ["Check", "Try again", "Question {n} of {m}", 'Say "hi"', "It's", "Choose…",
                              "Reset", "Saved"]


def test_js_missing_reports_unknown_msgids(tmp_path):
    (tmp_path / "ui.js").write_text('btn.textContent = t("Check"); x = t("Frobnicate the answer");',
                                    encoding="utf-8")
    assert js_missing(tmp_path) == ['ui.js: "Frobnicate the answer"']


def test_every_front_end_string_is_in_messages():
    found = _catalogs.static_msgids()
    assert found, "no .js files found in h4s_widgets/_static"
    missing = js_missing()
    assert not missing, ("t(...) strings in h4s_widgets/_static/*.js that are not in _i18n.MESSAGES "
                         f"(add them there, then run {UPDATE} and translate): {missing}")


def test_static_js_has_no_other_translation_helper_call_with_literal():
    """Guard the extractor: a literal passed to t with a template string would be missed silently."""
    pattern = re.compile(r"(?<![\w$])[tT]\(\s*`")
    offenders = [n for n in (_catalogs.STATIC / "src").rglob("*.js") if pattern.search(n.read_text(encoding="utf-8"))]
    assert not offenders, f"use t(\"...\") with a plain string, not a template literal: {offenders}"


# ------------------------------------------------------------------ the pot command

def test_pot_command_merges_and_adds_languages(tmp_path, monkeypatch):
    monkeypatch.setattr(_i18n, "LOCALES", tmp_path)
    monkeypatch.setattr(_catalogs, "POT", tmp_path / "h4s.pot")
    # an old catalog: one kept translation, one fuzzy, one msgid that MESSAGES no longer has
    _catalogs.write_po("de", {"Check": "Prüfen", "Hint": ("Tipp", True), "Old button": "Alter Knopf"})
    assert _schema_tools.main(["pot", "--add", "ga"]) == 0
    assert (tmp_path / "h4s.pot").read_text(encoding="utf-8") == _catalogs.pot_text()
    de = _catalogs.read_po(po_path("de"))
    assert de["Check"] == ("Prüfen", False)
    assert de["Hint"] == ("Tipp", True)            # still fuzzy: a translator must confirm it
    assert de["Old button"] == ("Alter Knopf", False)  # kept as an obsolete entry
    assert "#~ msgid \"Old button\"" in po_path("de").read_text(encoding="utf-8")
    assert all(m in de for m in MESSAGES) and de["Try again"] == ("", False)
    ga = _catalogs.read_po(po_path("ga"))
    assert set(ga) == set(MESSAGES) and not any(text for text, _ in ga.values())
    assert _catalogs.languages() == ["de", "ga"]
    assert _schema_tools.main(["pot", "--check"]) == 0   # merging again changes nothing


def test_py_extractor_and_python_strings_are_in_messages():
    src = 'T = lambda s: gettext(s)\nx = T("True") + gettext("Check", "de") + _i18n.gettext("Hint")\ny = T(name)\n'
    assert sorted(_catalogs.py_msgids(src)) == ["Check", "Hint", "True"]
    missing = _catalogs.py_missing()
    assert not missing, f"gettext()/T() strings in the Python code that are not in _i18n.MESSAGES: {missing}"
