"""The question editor's Python half (h4s_kit.authoring): round-trip saving, every type, schema errors.

The browser half (authoring.js) draws the forms from the same schema and shows the ``errors`` computed here."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from h4s_widgets import H4SError, load_bank
from h4s_kit.authoring import PreviewQuiz, QuestionEditor
from h4s_kit.authoring._common import bank_schema, type_defs

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "all-question-types.yml"   # the project's own example bank (MIT, this repository)

HAND_WRITTEN = """\
# Written by hand: comments, quoting and key order must survive the editor.
schema_version: 1
title: 'Safety at work'   # the quiz title
questions:
- id: first
  type: true_false
  text: "Gloves replace hand hygiene."
  answer: false
  feedback: 'Gloves do not replace it.'

# second question: keep this comment
- type: single_choice   # type first, on purpose
  id: second
  text: >-
    Which sign means
    first aid?
  options:
  - {id: a, text: Green cross}     # right
  - {id: b, text: Red circle}
  answer: a
"""


def _bank(tmp_path: Path, text: str = HAND_WRITTEN, name: str = "bank.yml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def _example_for(type_name: str) -> dict:
    """A complete question of ``type_name``: from the example bank, else the type unit's EXAMPLE."""
    for q in yaml.safe_load(EXAMPLES.read_text(encoding="utf-8"))["questions"]:
        if q["type"] == type_name:
            return q
    import h4s_widgets._schema  # noqa: F401  (loads the type units)
    from h4s_widgets.types import unit
    mod = unit(type_name)
    assert mod is not None and getattr(mod, "EXAMPLE", None), f"no example question of type {type_name}"
    return yaml.safe_load(mod.EXAMPLE)[0]


@pytest.mark.parametrize("src", [EXAMPLES, None], ids=["example-bank", "hand-written"])
def test_open_and_save_without_edits_leaves_the_file_byte_identical(tmp_path, src):
    path = tmp_path / "bank.yml"
    if src is None:
        path.write_text(HAND_WRITTEN, encoding="utf-8")
    else:
        shutil.copy(src, path)
    before = path.read_bytes()
    ed = QuestionEditor(path)
    assert ed.save() is False
    # moving a question down and back up again is no edit either
    ed.move(0, 1)
    ed.move(1, 0)
    assert ed.save() is False
    assert path.read_bytes() == before


def test_a_comment_survives_an_edit_elsewhere(tmp_path):
    path = _bank(tmp_path)
    ed = QuestionEditor(path)
    q = ed.questions[0]
    q["text"] = "Gloves replace washing hands."
    assert ed.set_question(0, q) == {}
    assert ed.save() is True
    text = path.read_text(encoding="utf-8")
    assert "Gloves replace washing hands." in text and "Gloves replace hand hygiene." not in text
    old_lines, new_lines = HAND_WRITTEN.splitlines(), text.splitlines()
    changed = [(a, b) for a, b in zip(old_lines, new_lines) if a != b]
    assert len(old_lines) == len(new_lines) and changed == [
        ('  text: "Gloves replace hand hygiene."', '  text: "Gloves replace washing hands."')], changed
    assert load_bank(path).questions[1].options[0].text == "Green cross"


def test_edits_reorder_duplicate_delete_keep_the_rest_and_validate(tmp_path):
    path = _bank(tmp_path)
    ed = QuestionEditor(path)
    i = ed.duplicate(1)
    assert ed.questions[i]["id"] == "second-copy" and ed.errors[i] == {}
    ed.move(i, 0)
    ed.delete(2)        # "second"
    assert ed.save() is True
    bank = load_bank(path)
    assert [q.id for q in bank.questions] == ["second-copy", "first"]
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Written by hand: comments, quoting and key order must survive the editor.\n")
    assert "title: 'Safety at work'   # the quiz title" in text
    assert "- type: single_choice   # type first, on purpose" in text   # the duplicate keeps the original's form
    assert "  - {id: a, text: Green cross}     # right" in text or "- {id: a, text: Green cross}     # right" in text


@pytest.mark.parametrize("type_name", sorted(type_defs()))
def test_every_type_can_be_created_and_previewed(tmp_path, type_name):
    ed = QuestionEditor(tmp_path / "new.yml")
    i = ed.add(type_name)
    q = ed.questions[i]
    assert q["type"] == type_name and q["id"]
    assert ed.errors[i], "a new question starts with its required fields empty, which the schema refuses"
    assert not isinstance(ed.preview_box.children[0], PreviewQuiz)
    # every field the form shows comes from the schema (the same definition the JSON Schema file holds)
    d = type_defs()[type_name]
    assert set(q) <= set(d["properties"]) and set(d["required"]) <= set(q)
    full = dict(_example_for(type_name), id=q["id"])
    assert ed.set_question(i, full) == {}
    preview = ed.preview_box.children[0]
    assert isinstance(preview, PreviewQuiz)
    assert [p["type"] for p in preview.spec["questions"]] == [type_name]
    assert ed.save() is True
    assert [x.type for x in load_bank(tmp_path / "new.yml").questions] == [type_name]


def test_the_preview_is_graded_by_the_real_grader_and_stores_no_record(tmp_path, monkeypatch):
    monkeypatch.setenv("H4S_RECORDS", "sqlite")
    stored = []
    import h4s_widgets._events as events
    monkeypatch.setattr(events, "_store_sinks", lambda: [] if events._records_off() else [stored])
    ed = QuestionEditor(_bank(tmp_path))
    ed.select(1)
    preview = ed.preview_box.children[0]
    assert isinstance(preview, PreviewQuiz) and preview.questions[0].id == "second"
    assert preview.check("second", "b").score == 0
    assert preview.check("second", "a").score == 1
    assert stored == []


def test_schema_errors_appear_next_to_their_field_and_go_away(tmp_path):
    path = _bank(tmp_path)
    before = path.read_bytes()
    ed = QuestionEditor(path)
    q = ed.questions[1]
    q["options"][1]["text"] = ""
    q["id"] = "has space"
    errs = ed.set_question(1, q)
    assert "options.1.text" in errs and "id" in errs, errs
    assert "empty" in errs["options.1.text"]
    with pytest.raises(H4SError, match=r"not saved: question 2"):
        ed.save()
    assert path.read_bytes() == before and ed.view.status.startswith("Not saved")
    q["options"][1]["text"] = "Red circle"
    q["id"] = "first"          # unique in the bank: a bank-level rule
    assert "repeats" in ed.set_question(1, q)["id"]
    q["id"] = "second"
    assert ed.set_question(1, q) == {}
    assert ed.save() is False and path.read_bytes() == before


def test_the_form_schema_is_the_generated_json_schema():
    on_disk = yaml.safe_load((ROOT / "h4s_widgets" / "schema" / "question-bank.schema.json").read_text())
    assert bank_schema() == on_disk
    from h4s_widgets._schema import REGISTRY
    assert set(type_defs()) == set(REGISTRY)


def test_a_bank_that_is_not_yaml_text_is_one_clear_error(tmp_path):
    p = _bank(tmp_path, "schema_version: 1\nquestions: [\n")
    with pytest.raises(H4SError, match=r"bank.yml:\d+: invalid YAML"):
        QuestionEditor(p)
    with pytest.raises(H4SError, match="YAML banks"):
        QuestionEditor(tmp_path / "bank.json")


def test_check_panel_groups_findings_with_their_fix_and_links(tmp_path):
    import nbformat
    from h4s_kit.new import new_module
    from h4s_kit.authoring import CheckPanel, QuestionEditor as QE
    folder = new_module("Safe lifting", directory=tmp_path / "modules")
    nb_path = folder / "module.ipynb"
    nb = nbformat.read(str(nb_path), 4)
    nb.cells.insert(1, nbformat.v4.new_markdown_cell("![](media/lifting.png)"))   # an image without alt text
    nbformat.write(nb, str(nb_path))
    bank = folder / "questions" / "closing-quiz.yml"
    ed = QE(bank)
    at = ed.add("single_choice")
    ed.set_question(at, {"id": "lift", "type": "single_choice", "text": "Bend your knees?",
                         "options": [{"id": "a", "text": "Yes"}, {"id": "b", "text": "No"}], "answer": "a"})
    ed.save()
    panel = CheckPanel(folder, execute=False)
    panel.run(wait=True)
    v = panel.view
    assert v.done and not v.running and "error" in v.summary
    findings = [f for g in v.groups for f in g["findings"]]
    assert all(f["fix"] for f in findings if f["severity"] == "error")
    assert "module.ipynb:cell 2" in [g["label"] for g in v.groups]     # places inside the module folder
    cell = [f for f in findings if f["link"] and f["link"]["kind"] == "cell"]
    assert cell and cell[0]["link"]["index"] == 1
    assert cell[0]["link"]["cell_id"] == nbformat.read(str(nb_path), 4).cells[1].id
    question = [f for f in findings if f["link"] and f["link"]["kind"] == "question"
                and f["link"]["index"] == at]
    assert question, [f["link"] for f in findings]
    panel.goto(question[0]["link"])
    opened = panel.editor_box.children[0]
    assert isinstance(opened, QE) and opened.path.resolve() == bank.resolve() and opened.selected == at


def test_check_panel_link_for_places():
    from h4s_kit.authoring._check import link_for
    assert link_for("modules/03-x/module.ipynb:cell 2", ["a1", "b2"]) == {
        "kind": "cell", "index": 1, "cell_id": "b2", "label": "Go to cell 2"}
    assert link_for("modules/03-x/questions/q.yml:question 4 (oer)", []) == {
        "kind": "question", "bank": "modules/03-x/questions/q.yml", "index": 3,
        "label": "Open question 4 in the editor"}
    assert link_for("modules/03-x", []) is None


@pytest.mark.slow
def test_preview_builds_the_one_module_page_with_the_book_templates(tmp_path):
    from h4s_kit.new import new_module
    from h4s_kit.authoring import PreviewPanel
    shutil.copy(ROOT / "_config.yml", tmp_path / "_config.yml")
    folder = new_module("Safe lifting", directory=tmp_path / "modules")
    panel = PreviewPanel(folder)
    panel.run(wait=True)
    assert panel.page and not panel.running, panel.progress
    page = Path(panel.page)
    assert page.is_file() and page.is_relative_to(tmp_path / "_build" / "preview")
    html = page.read_text(encoding="utf-8")
    assert "Safe lifting" in html and "h4s-quiz" in html     # the closing quiz, with the static runtime
    assert not (tmp_path / "_toc.yml").exists()              # the course's own book is not touched


@pytest.mark.parametrize("word", ["yes", "No", "on", "off", "1:20", "0o17", "null", "2026-12-04", "3.5", "~"])
def test_text_that_yaml_1_1_reads_as_no_text_is_quoted(tmp_path, word):
    ed = QuestionEditor(tmp_path / "words.yml")
    i = ed.add("single_choice")
    ed.set_question(i, {"id": "w", "type": "single_choice", "text": word,
                        "options": [{"id": "a", "text": word, "feedback": word}, {"id": "b", "text": "x"}],
                        "answer": "a"})
    assert ed.save() is True
    q = load_bank(tmp_path / "words.yml").questions[0]
    assert q.text == word and q.options[0].text == word and q.options[0].feedback == word


def test_module_panel_is_generated_from_the_metadata_model_and_saves_only_valid_metadata(tmp_path):
    import nbformat
    from h4s_kit.metadata import ModuleMeta
    from h4s_kit.authoring import ModulePanel, NewModulePanel
    new = NewModulePanel(tmp_path / "modules")
    assert "title" in new.errors
    with pytest.raises(H4SError):
        new.value = {**new.value, "title": "Safe lifting", "slug": "Not A Slug"}
        new.create()
    assert "slug" in new.errors and not (tmp_path / "modules").exists()
    new.value = {**new.value, "slug": ""}
    folder = new.create()
    assert folder.name == "01-safe-lifting" and (folder / "module.ipynb").is_file()
    panel = ModulePanel(folder)
    # every field of the model is in the form's schema, with a help text
    props = panel.schema["properties"]
    assert set(ModuleMeta.model_fields) == set(props)
    assert all(props[f].get("description") for f in props if f not in panel.hidden)
    assert panel.errors == {}
    errs = panel.set(eqf_level=9, title="", digcompedu=[7])
    assert errs["eqf_level"].startswith("must be a whole number from 1 to 8") and "title" in errs
    assert "digcompedu.0" in errs
    before = (folder / "module.ipynb").read_bytes()
    with pytest.raises(H4SError, match="not saved"):
        panel.save()
    assert (folder / "module.ipynb").read_bytes() == before
    assert panel.set(eqf_level=3, title="Lifting safely", digcompedu=[2, 5]) == {}
    panel.save()
    meta = nbformat.read(str(folder / "module.ipynb"), 4).metadata["h4s"]
    assert (meta["eqf_level"], meta["title"], meta["digcompedu"]) == (3, "Lifting safely", [2, 5])


def test_question_problems_is_parse_questions_error_and_the_rest():
    """The editor's public source of problems: the first is parse_question's one-line error, field and words."""
    from h4s_widgets import QuestionError, parse_question, question_problems
    bad = {"id": "has space", "type": "single_choice", "text": "",
           "options": [{"id": "a", "text": ""}, {"id": "b", "text": "No"}], "answer": "a"}
    problems = question_problems(bad)
    with pytest.raises(QuestionError) as e:
        parse_question(bad, "q")
    assert problems[0] == (e.value.field, e.value.problem.split(" (and ")[0])
    assert {f for f, _ in problems} >= {"id", "text", "options[0].text"}
    assert question_problems(_example_for("matching")) == []
    assert question_problems(["not", "a", "mapping"])[0][0] == ""


def test_metadata_field_problems_are_h4s_checks_words_per_field():
    from h4s_kit.metadata import field_problems, metadata_problems
    raw = {"eqf_level": 9, "digcompedu": [7]}
    per_field = field_problems(raw)
    assert per_field["eqf_level"] == "must be a whole number from 1 to 8 (got 9)"
    assert per_field["digcompedu[0]"].startswith("must be a whole number from 1 to 6")
    lines = [str(p) for p in metadata_problems(raw, "nb")]
    assert all(any(line.endswith(f"h4s.{f} {m}") for line in lines) for f, m in per_field.items()), lines
