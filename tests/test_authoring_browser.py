"""The authoring panels' front-end (authoring.js) in Chromium, wired to the real Python panels.

A small harness page stands in for the widget manager: it gives authoring.js an anywidget-style ``model``
whose traits the test carries to and from the Python object (:class:`QuestionEditor`, :class:`ModulePanel`)
after every step, as the comm would.  Everything is done with the keyboard; axe-core must find nothing.
(The same panels inside JupyterLab are not covered by this file.)"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from _browser import active_matches, format_violations, open_page, run_axe, serve_directory, tab_to

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
STATIC = ROOT / "h4s_kit" / "authoring" / "_static"

HARNESS = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>h4s authoring panel</title>
<link rel="stylesheet" href="authoring.css"></head><body><main><h1>Authoring panel</h1><div id="host"></div></main>
<script type="module">
import panel from "./authoring.js";
const traits = JSON.parse(document.getElementById("traits").textContent);
const handlers = {};
window.h4sSent = [];
window.h4sDirty = false;
window.h4sTraits = traits;
const model = {
  get: (k) => traits[k],
  set: (k, v) => { traits[k] = v; },
  save_changes: () => { window.h4sDirty = true; },
  send: (m) => { window.h4sSent.push(m); },
  on: (ev, fn) => { (handlers[ev] = handlers[ev] || []).push(fn); },
};
window.h4sSet = (changes) => {
  for (const [k, v] of Object.entries(changes)) traits[k] = v;
  for (const k of Object.keys(changes)) for (const fn of handlers["change:" + k] || []) fn();
};
panel.render({ model, el: document.getElementById("host") });
window.h4sReady = true;
</script>
<script type="application/json" id="traits">TRAITS</script></body></html>"""

SYNCED = ("questions", "selected", "errors", "status", "revision", "value")


def _traits(widget) -> dict:
    return {k: v for k, v in widget.get_state().items() if not k.startswith("_") and k not in ("layout",)}


def _open(page, base: str, folder: Path, widget) -> None:
    state = json.dumps(_traits(widget)).replace("</", "<\\/")
    (folder / "index.html").write_text(HARNESS.replace("TRAITS", state), encoding="utf-8")
    page.goto(base + "index.html")
    page.wait_for_function("() => window.h4sReady === true")


def _sync(page, widget, settle: int = 350) -> None:
    """What the comm does: the browser's trait changes and messages to Python, Python's changes back."""
    page.wait_for_timeout(settle)   # the form sends typing after a 250 ms pause
    js = page.evaluate("() => { const d = window.h4sDirty; window.h4sDirty = false; const s = window.h4sSent;"
                       " window.h4sSent = []; return {dirty: d, traits: window.h4sTraits, sent: s}; }")
    before = {k: json.dumps(v, sort_keys=True) for k, v in _traits(widget).items()}
    if js["dirty"]:
        with widget.hold_trait_notifications():
            for k in ("questions", "selected", "value"):
                if k in js["traits"] and k in widget.trait_names():
                    setattr(widget, k, js["traits"][k])
    for msg in js["sent"]:
        for cb in widget._msg_callbacks.callbacks:
            cb(widget, msg, [])
    after = _traits(widget)
    changes = {k: v for k, v in after.items() if k in SYNCED and json.dumps(v, sort_keys=True) != before.get(k)}
    # the browser's own edits are already there; send Python's answer (errors, status, a new revision)
    if js["dirty"]:
        changes = {k: v for k, v in changes.items() if k not in ("questions", "selected", "value")}
    if changes:
        page.evaluate("(c) => window.h4sSet(c)", changes)


def _shot(locator, name: str) -> None:
    shots = os.environ.get("H4S_AUTHORING_SHOTS")   # book/trainers/make_screenshots.sh sets it
    if shots:
        locator.screenshot(path=str(Path(shots) / name))


@pytest.fixture
def harness(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    for f in ("authoring.js", "authoring.css"):
        shutil.copy(STATIC / f, site / f)
    with serve_directory(site) as base:
        yield base, site


def test_question_editor_by_keyboard_errors_appear_and_go_away_then_save(browser, harness, tmp_path):
    from h4s_widgets import load_bank
    from h4s_kit.authoring import QuestionEditor
    base, site = harness
    bank = tmp_path / "section-1.yml"
    bank.write_text("# my bank\nschema_version: 1\nquestions:\n"
                    "  - id: gloves\n    type: true_false\n    text: \"Gloves replace hand hygiene.\"\n"
                    "    answer: false   # they do not\n", encoding="utf-8")
    ed = QuestionEditor(bank)
    context, page, log, errors = open_page(browser, width=1200)
    try:
        _open(page, base, site, ed.view)
        host = page.locator("#host")
        assert host.locator(".h4s-a-qitem").count() == 1
        assert "Gloves replace hand hygiene." in host.locator("textarea").first.input_value()
        # the help text is the schema's description
        assert "The question (Markdown" in host.inner_text()
        # choose "numeric" in the type list and add a question, keyboard only
        tab_to(page, ".h4s-a-add select")
        page.keyboard.type("numeric")
        tab_to(page, ".h4s-a-addq")
        page.keyboard.press("Enter")
        _sync(page, ed.view)
        assert [q["type"] for q in ed.questions] == ["true_false", "numeric"]
        assert host.locator(".h4s-a-qitem").count() == 2
        err = host.locator('.h4s-a-error[data-path="text"]')
        assert "must not be empty" in err.inner_text()
        text_box = host.locator('[data-field="text"] textarea')
        assert text_box.get_attribute("aria-invalid") == "true"
        tab_to(page, '[data-field="text"] textarea')
        page.keyboard.type("How many minutes is a quarter of an hour?")
        _sync(page, ed.view)
        assert err.inner_text() == "" and text_box.get_attribute("aria-invalid") is None
        # the numeric answer's value: typed into the generated field of answers[0]
        tab_to(page, '[data-field="answers.0.value"] input')
        page.keyboard.type("15")
        _sync(page, ed.view)
        assert ed.errors[1] == {}, ed.errors
        # an error appears while typing an id with a space, and goes away again
        tab_to(page, '[data-field="id"] input')
        page.keyboard.press("End")
        page.keyboard.type(" x")
        _sync(page, ed.view)
        id_err = host.locator('.h4s-a-error[data-path="id"]')
        assert id_err.inner_text().strip() != ""
        page.keyboard.press("Backspace")
        page.keyboard.press("Backspace")
        _sync(page, ed.view)
        assert id_err.inner_text() == ""
        found = run_axe(page, context="#host")
        assert found == [], format_violations(found)
        # move it up with the keyboard, then save with Ctrl+S
        tab_to(page, '[data-index="1"] .h4s-a-up')
        page.keyboard.press("Enter")
        _sync(page, ed.view)
        assert [q["type"] for q in ed.questions] == ["numeric", "true_false"]
        page.keyboard.press("Control+s")
        _sync(page, ed.view)
        assert "Saved" in host.locator(".h4s-a-status").inner_text()
        saved = load_bank(bank)
        assert [q.type for q in saved.questions] == ["numeric", "true_false"]
        text = bank.read_text(encoding="utf-8")
        assert text.startswith("# my bank\n") and "answer: false   # they do not" in text
        log.assert_only_local()
        assert errors == []
    finally:
        context.close()


def test_module_panel_by_keyboard_shows_the_eqf_descriptor_and_errors(browser, harness, tmp_path):
    import nbformat
    from h4s_kit.new import new_module
    from h4s_kit.authoring import ModulePanel
    base, site = harness
    folder = new_module("Safe lifting", directory=tmp_path / "modules")
    panel = ModulePanel(folder)
    context, page, log, errors = open_page(browser, width=1000)
    try:
        _open(page, base, site, panel)
        host = page.locator("#host")
        eqf = host.locator('[data-field="eqf_level"] input')
        assert "Factual and theoretical knowledge in broad contexts" in host.locator('[data-field="eqf_level"]').inner_text()
        tab_to(page, '[data-field="eqf_level"] input')
        page.keyboard.press("Control+a")
        page.keyboard.type("9")
        _sync(page, panel)
        assert "from 1 to 8" in host.locator('.h4s-a-error[data-path="eqf_level"]').inner_text()
        assert eqf.get_attribute("aria-invalid") == "true"
        page.keyboard.press("Backspace")
        page.keyboard.type("3")
        _sync(page, panel)
        assert host.locator('.h4s-a-error[data-path="eqf_level"]').inner_text() == ""
        assert "Knowledge of facts, principles" in host.locator('[data-field="eqf_level"]').inner_text()
        found = run_axe(page, context="#host")
        assert found == [], format_violations(found)
        _shot(host, "module-panel.png")
        tab_to(page, ".h4s-a-save")
        page.keyboard.press("Enter")
        _sync(page, panel)
        assert nbformat.read(str(folder / "module.ipynb"), 4).metadata["h4s"]["eqf_level"] == 3
        assert active_matches(page, ".h4s-a-save")
        log.assert_only_local()
        assert errors == []
    finally:
        context.close()


def test_check_panel_by_keyboard_lists_findings_with_fix_and_link(browser, harness, tmp_path):
    import nbformat
    from h4s_kit.new import new_module
    from h4s_kit.authoring import CheckPanel
    base, site = harness
    folder = new_module("Safe lifting", directory=tmp_path / "modules")
    nb_path = folder / "module.ipynb"
    nb = nbformat.read(str(nb_path), 4)
    nb.cells.insert(1, nbformat.v4.new_markdown_cell("![](media/lifting.png)"))
    nbformat.write(nb, str(nb_path))
    panel = CheckPanel(folder, execute=False)
    context, page, log, errors = open_page(browser, width=1000)
    try:
        _open(page, base, site, panel.view)
        host = page.locator("#host")
        tab_to(page, ".h4s-a-run")
        page.keyboard.press("Enter")
        _sync(page, panel.view, settle=50)
        panel._thread.join(timeout=60)
        page.evaluate("(c) => window.h4sSet(c)", {k: getattr(panel.view, k)
                                                  for k in ("running", "done", "progress", "groups", "summary")})
        assert "error" in host.locator(".h4s-a-summary").inner_text()
        finding = host.locator(".h4s-a-finding", has_text="alt")
        assert finding.count() >= 1 and "Fix:" in finding.first.inner_text()
        _shot(host, "check-panel.png")
        tab_to(page, ".h4s-a-goto")
        assert "cell 2" in page.evaluate("() => document.activeElement.textContent")
        page.keyboard.press("Enter")
        _sync(page, panel.view, settle=50)
        found = run_axe(page, context="#host")
        assert found == [], format_violations(found)
        log.assert_only_local()
        assert errors == []
    finally:
        context.close()


def _drive_cloze(page, ed, example) -> None:
    """The text typed with "Insert a gap" for each gap (its first answer typed over the selected placeholder),
    the other accepted answers added as chips, one removed again, and each gap's feedback."""
    import re as _re
    want = example["text"]
    area = '[data-field="text"] textarea'
    tab_to(page, area)
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    alternatives = []
    for part in _re.split(r"(\[\[.+?\]\])", want):
        if part.startswith("[["):
            answers = part[2:-2].split("|")
            tab_to(page, ".h4s-a-insert-gap")
            page.keyboard.press("Enter")
            assert active_matches(page, area)          # back in the text, the placeholder selected
            page.keyboard.type(answers[0])
            page.keyboard.press("Control+End")
            alternatives.append(answers[1:])
        elif part:
            page.keyboard.type(part)
    _sync(page, ed.view)
    assert ed.questions[0]["text"] == _re.sub(r"\[\[([^|\]]+)[^\]]*\]\]", r"[[\1]]", want)
    host = page.locator("#host")
    assert host.locator(".h4s-a-gaptext mark").count() == len(alternatives)
    for i, alts in enumerate(alternatives):
        tab_to(page, f'[data-gap="{i}"] .h4s-a-newanswer')
        for a in [*alts, "EXTRA"]:
            page.keyboard.type(a)
            page.keyboard.press("Enter")
        _sync(page, ed.view)
        chips = host.locator(f'[data-gap="{i}"] .h4s-a-chip')
        assert chips.count() == len(alts) + 2 and "EXTRA" in chips.last.inner_text()
        page.keyboard.type("x]]y")                   # would end the gap early: refused, said, text unchanged
        page.keyboard.press("Enter")
        _sync(page, ed.view)
        assert "cannot contain" in host.locator(f'[data-gap="{i}"] [role="status"]').inner_text()
        assert "x]]y" not in ed.questions[0]["text"]
        page.keyboard.press("Control+a")
        page.keyboard.press("Delete")
        assert host.locator(f'[data-gap="{i}"] [role="status"]').inner_text() == ""
        tab_to(page, f'[data-gap="{i}"] .h4s-a-chip-x[aria-label*="EXTRA"]')
        page.keyboard.press("Enter")
        _sync(page, ed.view)
    assert ed.questions[0]["text"] == want
    for i, fb in enumerate(example.get("gap_feedback") or []):
        tab_to(page, f'[data-gap="{i}"] .h4s-a-gapfb')
        page.keyboard.type(fb or "")
    _sync(page, ed.view)
    assert ed.questions[0].get("gap_feedback", []) == (example.get("gap_feedback") or [])


def _drive_rows(page, ed, field: str, rows: list[dict], columns: list[str]) -> None:
    """Rows typed cell by cell (Tab between cells); a row added with the + button."""
    for i, row in enumerate(rows):
        first = f'[data-field="{field}.{i}.{columns[0]}"]'
        if page.locator(first).count() == 0:
            tab_to(page, f'[data-add="{field}"]')
            page.keyboard.press("Enter")
            _sync(page, ed.view)
        assert active_matches(page, first) or i == 0
        for c in columns:
            tab_to(page, f'[data-field="{field}.{i}.{c}"]')
            page.keyboard.type(row.get(c) or "")
        _sync(page, ed.view)


def _drive_matching(page, ed, example) -> None:
    cols = ["left", "right", "feedback"]
    _drive_rows(page, ed, "pairs", example["pairs"], cols)
    got = [{c: p.get(c) for c in cols if p.get(c)} for p in ed.questions[0]["pairs"]]
    assert got == [{c: p.get(c) for c in cols if p.get(c)} for p in example["pairs"]]
    # the last pair up with its button (focus stays on the moved pair), then down again
    n = len(example["pairs"])
    tab_to(page, f'[data-path="pairs.{n - 1}"] .h4s-a-up')
    page.keyboard.press("Enter")
    _sync(page, ed.view)
    assert ed.questions[0]["pairs"][n - 2]["left"] == example["pairs"][n - 1]["left"]
    assert active_matches(page, f'[data-path="pairs.{n - 2}"] button')
    tab_to(page, f'[data-path="pairs.{n - 2}"] .h4s-a-down')
    page.keyboard.press("Enter")
    _sync(page, ed.view)
    assert [p["left"] for p in ed.questions[0]["pairs"]] == [p["left"] for p in example["pairs"]]


def _drive_ordering(page, ed, example) -> None:
    texts = [it["text"] for it in example["items"]]
    # typed last line first: the rows are then put in order with the keyboard (Alt+Up in a line, the buttons)
    _drive_rows(page, ed, "items", [{"text": texts[-1]}, *({"text": t} for t in texts[:-1])], ["text"])
    assert [it["text"] for it in ed.questions[0]["items"]] == [texts[-1], *texts[:-1]]
    tab_to(page, '[data-field="items.0.text"]')
    page.keyboard.press("Alt+ArrowDown")
    _sync(page, ed.view)
    assert active_matches(page, '[data-field="items.1.text"]')
    for i in range(1, len(texts) - 1):
        tab_to(page, f'[data-path="items.{i}"] .h4s-a-down')
        page.keyboard.press("Enter")
        _sync(page, ed.view)
    assert [it["text"] for it in ed.questions[0]["items"]] == texts
    assert page.locator(".h4s-a-numbered .h4s-a-rownum").all_inner_texts() == [f"{i + 1}." for i in range(len(texts))]


DRIVERS = {"cloze": _drive_cloze, "matching": _drive_matching, "ordering": _drive_ordering}


def _all_types():
    from h4s_kit.authoring._common import type_defs
    return sorted(type_defs())


@pytest.mark.parametrize("type_name", _all_types())
def test_every_type_gets_a_generated_form_that_fills_to_a_valid_question(browser, harness, tmp_path, type_name):
    """The form of each type has a field (with the schema's help) for every property the schema gives it; its
    text is typed into the form (its error goes away); the rest of the type's example question is then set as
    the form would send it, and Python finds it valid and previews it.  axe finds nothing in the form."""
    from test_authoring import _example_for
    from h4s_kit.authoring import PreviewQuiz, QuestionEditor
    from h4s_kit.authoring._common import type_defs
    base, site = harness
    ed = QuestionEditor(tmp_path / "bank.yml")
    ed.add(type_name)
    context, page, log, errors = open_page(browser, width=1200)
    try:
        _open(page, base, site, ed.view)
        form = page.locator(".h4s-a-form")
        d = type_defs()[type_name]
        for name, prop in d["properties"].items():
            if name == "type":
                continue
            assert form.locator(f'[data-field="{name}"]').count() == 1, f"no field for {type_name}.{name}"
            if prop.get("description"):
                assert prop["description"] in form.locator(f'[data-field="{name}"]').first.inner_text()
        # the text field by typing: its error goes when it is filled
        assert "must not be empty" in form.locator('.h4s-a-error[data-path="text"]').inner_text() or "text" not in d["required"]
        example = dict(_example_for(type_name), id=ed.questions[0]["id"])
        if "text" in d["properties"] and "text" in example:
            tab_to(page, '[data-field="text"] textarea')
            page.keyboard.type(example["text"][:200])
            _sync(page, ed.view)
            assert ed.questions[0]["text"] == example["text"][:200]
            assert "text" not in ed.errors[0]
        if type_name in DRIVERS:   # the type's dedicated control, by keyboard: a valid question without set_question
            DRIVERS[type_name](page, ed, example)
            assert ed.errors[0] == {}, ed.errors
            assert isinstance(ed.preview_box.children[0], PreviewQuiz)
            assert form.locator(".h4s-a-error:not(:empty)").count() == 0
            _shot(page.locator(f'[data-field="{ {"cloze": "text", "matching": "pairs", "ordering": "items"}[type_name]}"]'),
                  f"editor-{type_name.replace('_', '-')}.png")
        found = run_axe(page, context="#host")
        assert found == [], format_violations(found)
        # the rest as the form would send it; Python's answer: no problem, the real quiz as preview
        ed.set_question(0, example)
        assert ed.errors[0] == {} and isinstance(ed.preview_box.children[0], PreviewQuiz)
        assert errors == []
    finally:
        context.close()
