"""h4s translate (issue 15): catalogues extracted, merged and read with Babel; translated copies; the check.

A small module is written into a temporary folder (a notebook with the usual markdown, a figure and a quiz,
and a bank with every language-dependent and language-independent kind of question); a test catalogue
translates it into "xx" by a rule (each message becomes "«XX» " + message, gaps and answers in upper case),
so every expected value is computed from the source and the rule, not written down.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest
import yaml
from babel.messages.pofile import read_po, write_po

from h4s_kit import translate as tr
from h4s_kit.check import Context
from h4s_kit.check.translations import TranslationsStep
from h4s_kit.cli import main
from h4s_kit.modules import load_module
from h4s_kit.translate._extract import collect, markdown_segments, translate_markdown
from h4s_kit.translate._apply import lookup_for
from h4s_kit.translate._extract import translated_bank
from h4s_kit.translate._verify import frozen, verify
from h4s_widgets._grading import grade
from h4s_widgets._schema import load_bank, parse_bank

ROOT = Path(__file__).resolve().parents[1]
LANG = "xx"

MARKDOWN = """# A small module

A first paragraph with **bold** text, a [link](https://example.org) and a role {term}`GDPR`.
It goes on for a second line.

- an item of a list
- another item
  that continues

| Term | Meaning |
|---|---|
| **Data** | facts about people |

```python
print("code stays as it is")
```

```{note}
A MyST directive is one message with its markup.
```

(a-target)=
## A heading"""

CODE = '''from h4s_kit.translate import _
from h4s_widgets import Quiz
print(_("Hello, learner"))
print(_("{done} of {total} done").format(done=1, total=2))
Quiz("questions/q.yml", module="77-tiny", title="Check yourself: tiny")'''

BANK = {
    "schema_version": 1, "title": "Tiny practice", "language": "en",
    "questions": [
        {"type": "single_choice", "id": "pick", "text": "Which one is right?", "answer": "b",
         "options": [{"id": "a", "text": "The wrong one", "feedback": "No, not this."},
                     {"id": "b", "text": "The right one", "feedback": "Yes, this one."}],
         "hints": ["Think about it."]},
        {"type": "numeric", "id": "hours", "text": "How many hours?", "unit": "hours",
         "answers": [{"value": 72, "feedback": "Right."}], "feedback": "Count the hours."},
        {"type": "cloze", "id": "gaps", "text": "The right of [[access|access to data]] and of [[erasure]].",
         "gap_feedback": ["Article 15.", "Article 17."]},
        {"type": "short_text", "id": "word", "text": "Name the regulation.",
         "answers": [{"text": "GDPR", "feedback": "Yes."},
                     {"regex": "^\\s*(the\\s+)?regulation\\s*$", "score": 0.5, "feedback": "Which one?"},
                     {"regex": ".*", "score": 0, "feedback": "Think of 2016/679."}]},
        {"type": "ordering", "id": "steps", "text": "Put the steps in order.", "feedback": "First report, then assess.",
         "items": [{"id": "s1", "text": "Report it"}, {"id": "s2", "text": "Assess the risk"}]},
        {"type": "matching", "id": "pairs", "text": "Match them.", "feedback": "Articles.",
         "pairs": [{"id": "p1", "left": "Access", "right": "Article 15"},
                   {"id": "p2", "left": "Erasure", "right": "Article 17"}]},
        {"type": "drag_words", "id": "drag", "text": "Use a [[password]] manager and [[updates]].",
         "distractors": ["cookies"], "feedback": "Security habits."},
    ],
}


def make_module(parent: Path, folder: str = "77-tiny") -> Path:
    d = parent / folder
    (d / "questions").mkdir(parents=True)
    (d / "media").mkdir()
    nb = nbformat.v4.new_notebook()
    nb.metadata["h4s"] = {"id": folder, "title": "A tiny module", "summary": "A module to test translations.",
                          "outcomes": ["You can test a translation."], "language": "en", "licence": "CC-BY-SA-4.0"}
    nb.cells = [nbformat.v4.new_markdown_cell(MARKDOWN, id="intro"), nbformat.v4.new_code_cell(CODE, id="quiz")]
    nbformat.write(nb, d / "module.ipynb")
    (d / "questions" / "q.yml").write_text(yaml.safe_dump(BANK, sort_keys=False), encoding="utf-8")
    (d / "media" / "credits.yml").write_text(yaml.safe_dump([{"file": "x.csv", "title": "A blank checklist",
                                                              "licence": "CC-BY-SA-4.0"}]), encoding="utf-8")
    (d / "media" / "x.csv").write_text("a,b\n", encoding="utf-8")
    return d


def rule(msgid: str) -> str:
    """The test catalogue's translation: a marker before the text, the answers of gaps in upper case."""
    text = re.sub(r"\[\[(.+?)\]\]", lambda m: "[[" + m.group(1).upper() + "]]", msgid)
    if text.startswith("```"):                      # a directive: its first line is markup
        head, _, body = text.partition("\n")
        return f"{head}\n«XX» {body}"
    return "«XX» " + text


def fill(folder: Path, lang: str = LANG, only=None, value=rule) -> None:
    path = tr.po_path(folder, lang)
    with open(path, "rb") as fh:
        cat = read_po(fh, locale=None)
    for m in cat:
        if m.id and (only is None or only(m)):
            m.string = value(m.id)
            m.flags.discard("fuzzy")
    with open(path, "wb") as fh:
        write_po(fh, cat)


@pytest.fixture
def module(tmp_path) -> Path:
    d = make_module(tmp_path / "modules")
    tr.extract(d)
    tr.update(d, LANG)
    draft = d / "locales" / LANG / "draft.txt"
    assert draft.is_file() and tr.status(d, LANG).draft        # a new catalogue starts as a draft
    draft.unlink()                                             # these tests publish it
    return d


def test_markdown_segments_keep_code_targets_and_structure():
    segs = {s.key: s.text for s in markdown_segments(MARKDOWN)}
    texts = list(segs.values())
    assert "A small module" in texts and "A heading" in texts          # headings without their #
    assert any(t.startswith("A first paragraph") and t.endswith("second line.") for t in texts)
    assert "an item of a list" in texts and "another item\nthat continues" in texts   # item by item, no marker
    assert "| **Data** | facts about people |" in texts                 # a table row by row, the rule row left out
    assert not any("print(" in t for t in texts)                        # code fences are not messages
    assert any(t.startswith("```{note}") for t in texts)                # a directive keeps its markup
    assert not any("(a-target)=" in t for t in texts)
    # the identity translation gives the source back, a translation keeps markers, indentation and code
    assert translate_markdown(MARKDOWN, lambda k, s: s) == MARKDOWN
    out = translate_markdown(MARKDOWN, lambda k, s: s.upper() if "```" not in s else s)
    assert "- AN ITEM OF A LIST" in out and "- ANOTHER ITEM\n  THAT CONTINUES" in out
    assert "# A SMALL MODULE" in out and '```python\nprint("code stays as it is")\n```' in out
    assert "(a-target)=\n## A HEADING" in out


def test_template_has_texts_but_no_ids_keys_or_numbers(module):
    with open(tr.pot_path(module), "rb") as fh:
        pot = read_po(fh)
    ids = {m.id for m in pot if m.id}
    ctxs = {m.context for m in pot if m.id}
    for text in ("Which one is right?", "The right one", "No, not this.", "Think about it.", "hours",
                 "The right of [[access|access to data]] and of [[erasure]].", "GDPR", "Assess the risk", "Article 17",
                 "cookies", "Tiny practice", "Hello, learner", "Check yourself: tiny", "A blank checklist",
                 "A tiny module", "You can test a translation."):
        assert text in ids, text
    for never in ("pick", "a", "b", "72", "s1", "p1", ".*", "single_choice", "questions/q.yml", "77-tiny"):
        assert never not in ids, never
    # the context is the place, so the same English in two places can be translated twice
    assert "questions/q.yml:questions/pick/options/b/text" in ctxs
    assert "module.ipynb:quiz/Quiz.title/1" in ctxs and "module.ipynb:quiz/_/1" in ctxs
    assert all(re.match(r"^(module\.ipynb|questions/q\.yml|media/credits\.yml):", c) for c in ctxs)


def test_round_trip_translated_copy(module, tmp_path):
    fill(module)
    st = tr.status(module, LANG)
    assert st.complete and st.translated == st.total == len(collect(module).messages)
    dest = tmp_path / "out" / module.name
    tr.translate_module(module, LANG, dest)
    nb = json.loads((dest / "module.ipynb").read_text(encoding="utf-8"))
    md, code = nb["cells"][0]["source"], nb["cells"][1]["source"]
    assert "# «XX» A small module" in md and "- «XX» an item of a list" in md
    assert '```python\nprint("code stays as it is")\n```' in md and "(a-target)=" in md
    assert '_("«XX» Hello, learner")' in code and 'title="«XX» Check yourself: tiny"' in code
    assert 'Quiz("questions/q.yml", module="77-tiny"' in code
    assert nb["metadata"]["h4s"]["language"] == LANG and nb["metadata"]["h4s"]["title"] == "«XX» A tiny module"
    assert nb["metadata"]["h4s"]["translation"]["status"] == "published"
    bank = load_bank(dest / "questions" / "q.yml")
    q = {x.id: x for x in bank.questions}
    assert bank.language == LANG and q["pick"].text == "«XX» Which one is right?"
    assert q["gaps"].gap_answers() == [["ACCESS", "ACCESS TO DATA"], ["ERASURE"]]
    assert grade(q["gaps"], ["access to data", "Erasure"]).correct is True      # the translated answers count
    assert grade(q["word"], "«XX» GDPR").correct is True
    assert (dest / "media" / "x.csv").read_text() == "a,b\n"
    assert yaml.safe_load((dest / "media" / "credits.yml").read_text())[0]["title"] == "«XX» A blank checklist"
    assert verify(module, LANG) == []


def test_a_changed_paragraph_is_fuzzy_and_shown_in_english_until_updated(module, tmp_path):
    fill(module)
    nb = nbformat.read(module / "module.ipynb", as_version=4)
    old = "A first paragraph with **bold** text"
    nb.cells[0].source = nb.cells[0].source.replace(old, "A changed first paragraph with **bold** text")
    nbformat.write(nb, module / "module.ipynb")
    # before update: the catalogue's entry is for the old text, so the copy shows the new English
    dest = tmp_path / "a" / module.name
    tr.translate_module(module, LANG, dest)
    md = json.loads((dest / "module.ipynb").read_text())["cells"][0]["source"]
    assert "\nA changed first paragraph with **bold** text" in md and "«XX» A changed" not in md
    assert "# «XX» A small module" in md                                  # the rest stays translated
    st = tr.status(module, LANG)
    assert st.fuzzy == 1 and not st.complete
    # update: fuzzy, with the previous msgid for the translator; still English in the copy
    assert main(["translate", "update", str(module), "--lang", LANG]) == 0
    with open(tr.po_path(module, LANG), "rb") as fh:
        cat = read_po(fh)
    (m,) = [m for m in cat if m.id and m.id.startswith("A changed first")]
    assert m.fuzzy and any(c.startswith('previous source: "' + old) for c in m.user_comments)
    # updating again changes nothing (the note of the previous source, wrapped over lines, is not left in pieces)
    before = tr.po_path(module, LANG).read_bytes()
    assert main(["translate", "update", str(module), "--lang", LANG]) == 0
    assert tr.po_path(module, LANG).read_bytes() == before
    tr.translate_module(module, LANG, dest)
    assert "«XX» A changed" not in json.loads((dest / "module.ipynb").read_text())["cells"][0]["source"]
    # the translator's fix: no longer fuzzy, translated
    assert subprocess.run(["msgfmt", "-c", "-o", os.devnull, str(tr.po_path(module, LANG))]).returncode == 0 \
        if shutil.which("msgfmt") else True
    fill(module, only=lambda x: x.id.startswith("A changed first"))
    tr.translate_module(module, LANG, dest)
    assert "«XX» A changed first" in json.loads((dest / "module.ipynb").read_text())["cells"][0]["source"]
    assert tr.status(module, LANG).complete


def test_removed_source_becomes_obsolete(module):
    fill(module)
    data = yaml.safe_load((module / "questions" / "q.yml").read_text())
    data["questions"][0]["hints"] = []
    (module / "questions" / "q.yml").write_text(yaml.safe_dump(data, sort_keys=False))
    tr.update(module, LANG)
    text = tr.po_path(module, LANG).read_text(encoding="utf-8")
    assert '#~ msgctxt "questions/q.yml:questions/pick/hints/0"' in text
    assert tr.status(module, LANG).obsolete == 1 and tr.status(module, LANG).complete


def test_a_catalogue_cannot_change_ids_keys_answers_or_numbers(module, tmp_path):
    fill(module)
    path = tr.po_path(module, LANG)
    with open(path, "rb") as fh:
        cat = read_po(fh)
    # entries a hostile or careless catalogue might hold: the places of ids, keys, answers and numbers
    for ctx, msgid, msgstr in [("questions/q.yml:questions/pick/id", "pick", "evil"),
                               ("questions/q.yml:questions/pick/answer", "b", "a"),
                               ("questions/q.yml:questions/pick/options/b/id", "b", "a"),
                               ("questions/q.yml:questions/hours/answers/0/value", "72", "1"),
                               ("questions/q.yml:questions/steps/items/s1/id", "s1", "s2"),
                               ("questions/q.yml:questions/pairs/pairs/p1/id", "p1", "p2")]:
        cat.add(msgid, msgstr, context=ctx)
    with open(path, "wb") as fh:
        write_po(fh, cat)
    src = yaml.safe_load((module / "questions" / "q.yml").read_text())
    dest = tmp_path / "c" / module.name
    tr.translate_module(module, LANG, dest)
    out = yaml.safe_load((dest / "questions" / "q.yml").read_text())
    assert frozen(out) == frozen(src)
    a, b = load_bank(module / "questions" / "q.yml"), load_bank(dest / "questions" / "q.yml")
    qa, qb = {q.id: q for q in a.questions}, {q.id: q for q in b.questions}
    assert set(qa) == set(qb)
    # language-independent types grade every response the same in both languages
    for qid, responses in {"pick": ["a", "b"], "hours": ["72", "71", "1"], "steps": [["s1", "s2"], ["s2", "s1"]],
                           "pairs": [{"p1": "Article 15", "p2": "Article 17"}]}.items():
        for r in responses:
            rb = r
            if qid == "pairs":      # the right-hand texts are translated; the learner picks the same pairs
                rb = {k: rule(v) for k, v in r.items()}
            ga, gb = grade(qa[qid], r), grade(qb[qid], rb)
            assert (ga.score, ga.correct) == (gb.score, gb.correct), (qid, r)
    problems = verify(module, LANG)
    assert problems and all(not p.error for p in problems)
    assert all("names no translatable place" in p.message for p in problems)


def test_check_refuses_an_incomplete_language_and_accepts_a_draft(module):
    fill(module, only=lambda m: not m.id.startswith("Which"))
    step_findings = TranslationsStep().run(load_module(module), Context(execute=False))
    (f,) = [f for f in step_findings if f.severity == "error"]
    assert f"[{LANG}]" in f.place and "published but" in f.message and "draft.txt" in f.fix
    (module / "locales" / LANG / "draft.txt").write_text("not finished\n")
    step_findings = TranslationsStep().run(load_module(module), Context(execute=False))
    assert [f.severity for f in step_findings] == ["warning"] and "draft" in step_findings[0].message
    assert tr.status(module, LANG).draft


@pytest.mark.parametrize("bad, expect", [
    (lambda m: rule(m).replace("[[ACCESS|ACCESS TO DATA]]", "ACCESS"), "gap(s), the source 2"),
    (lambda m: rule(m).replace("[[ACCESS|ACCESS TO DATA]]", "[[ | ]]"), "invalid"),
    (lambda m: rule(m).replace("[[PASSWORD]]", "[[PASSWORD|PASS]]"), "invalid"),
])
def test_check_finds_broken_gaps(module, bad, expect):
    fill(module)
    fill(module, only=lambda m: "[[" in m.id, value=bad)
    problems = [p for p in verify(module, LANG) if p.error]
    assert problems and any(expect in p.message for p in problems), problems


def test_regular_expressions_of_short_text_answers_are_translated_and_checked(module):
    """A short-text answer given as a regular expression is words in a language: a message (issue 15)."""
    ctx = "questions/q.yml:questions/word/answers/1/regex"
    assert ctx in {m.context for m in collect(module).messages}
    fill(module)
    fill(module, only=lambda m: m.context == ctx, value=lambda _: r"^\s*(die\s+)?verordnung\s*$")
    bank = translated_bank(module / "questions" / "q.yml", module, lookup_for(module, LANG), LANG)
    q = next(q for q in parse_bank(bank).questions if q.id == "word")
    assert grade(q, "Die Verordnung").score == 0.5 and grade(q, "regulation").score == 0
    assert verify(module, LANG) == []
    fill(module, only=lambda m: m.context == ctx, value=lambda _: "(verordnung")      # not a valid expression
    problems = [p for p in verify(module, LANG) if p.error]
    assert problems and "makes the bank invalid" in problems[0].message and "word" in problems[0].message, problems


def test_placeholders_of_code_strings_must_stay(module):
    """A translated _() string keeps the source's {placeholders}: the code fills them in after translation."""
    src = [m for m in collect(module).messages if m.id == "{done} of {total} done"]
    assert src and "Keep every {placeholder}" in src[0].comment
    fill(module)
    assert [p for p in verify(module, LANG) if p.error] == []
    fill(module, only=lambda m: m.id == "{done} of {total} done", value=lambda _: "{done} von {gesamt} erledigt")
    (p,) = [p for p in verify(module, LANG) if p.error]
    assert "placeholders {done} {gesamt}, the source {done} {total}" in p.message, p.message


def test_status_command_table(module, capsys):
    fill(module, only=lambda m: m.id.startswith(("Which", "The right")))
    assert main(["translate", "status", str(module.parent)]) == 0
    out = capsys.readouterr().out
    n = len(collect(module).messages)
    k = sum(m.id.startswith(("Which", "The right")) for m in collect(module).messages)
    (row,) = [ln for ln in out.splitlines() if ln.startswith("77-tiny")]
    assert k >= 2 and re.search(rf"\b{LANG}\s+{k}/{n}\s+0\s+{n - k}\s+{100 * k / n:.1f}%\s+INCOMPLETE", row), row
    assert main(["translate", "status", str(module), "--lang", "not a code"]) == 1


def test_export_lang_writes_the_translated_questions(module, tmp_path, capsys):
    fill(module)
    out = tmp_path / "q.gift.txt"
    assert main(["export", "gift", str(module), "--lang", LANG, "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "«XX» Which one is right?" in text and "Which one is right?" not in text.replace("«XX» Which", "")
    assert main(["export", "gift", str(module), "--lang", "yy", "-o", str(out)]) == 1
    assert "no catalogue for --lang yy" in capsys.readouterr().err


def test_module_13_german_is_complete_and_valid():
    m13 = ROOT / "modules" / "13-data-protection-and-online-safety"
    st = tr.status(m13, "de")
    assert st.complete and not st.draft and st.total == len(collect(m13).messages)
    assert verify(m13, "de") == []
    # the committed template is what extract makes now (translators work from an up-to-date catalogue)
    before = tr.pot_path(m13).read_bytes()
    path, changed, _n = tr.extract(m13)
    assert not changed and path.read_bytes() == before
