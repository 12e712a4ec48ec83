"""What `import h4s_widgets` and a first quiz load, and the anywidget protocol the quiz speaks without anywidget.

bench/import_time.py measures the time; these tests pin what makes it: a quiz built in Python imports
neither anywidget's Python side (its front end still draws the quiz) nor the other question types, the
bank model or YAML.  They fail when someone brings one of those imports back.  The second half checks that
:class:`h4s_widgets._anymodel.AnyModelWidget` still gives anywidget's front end what an
``anywidget.AnyWidget`` gives it (synced state, display data, Colab's metadata); it fails when anywidget
changes one of them (pyproject.toml pins anywidget's minor version for that reason).
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import types
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BANK = ROOT / "modules" / "01-learning-with-interactive-modules" / "questions" / "tour.yml"

FIRST_QUIZ = """
import json, sys
from h4s_widgets import Quiz, SingleChoice, grade
q = SingleChoice(id='q', text='Pick one', options=[{'id': 'a', 'text': 'A'}, {'id': 'b', 'text': 'B'}], answer='a')
data, meta = Quiz([q])._repr_mimebundle_()
result = grade(q, 'a').as_dict()
print(json.dumps({"modules": sorted(sys.modules), "bundle": sorted(data), "result": result}))
"""


def run(code: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_first_quiz_built_in_python_loads_only_its_own_type():
    got = run(FIRST_QUIZ)
    mods = set(got["modules"])
    assert {"application/vnd.jupyter.widget-view+json", "text/html", "text/plain"} <= set(got["bundle"])
    assert got["result"]["correct"] is True and got["result"]["score"] == 1
    assert "ipywidgets" in mods and "pydantic" in mods and "h4s_widgets.types.single_choice" in mods
    # anywidget's Python side (psygnal, importlib.metadata come with it): its front end draws the quiz
    assert not {"anywidget", "psygnal"} & mods
    # no other question type, no bank model, no YAML parser, no Markdown parser for a one-line text
    others = {m for m in mods if m.startswith("h4s_widgets.types.") and m != "h4s_widgets.types.single_choice"}
    assert others == set()
    assert not {"h4s_widgets._bank", "yaml", "markdown_it"} & mods


def test_a_bank_file_loads_every_type_in_order():
    got = run(f"""
import json, sys
from h4s_widgets import Quiz
from h4s_widgets.types import ORDER
Quiz({str(BANK)!r})
from h4s_widgets._schema import REGISTRY
from h4s_widgets.types import UNITS
print(json.dumps({{"registry": list(REGISTRY), "units": list(UNITS), "order": list(ORDER),
                  "files": sorted(m.split('.')[-1] for m in sys.modules if m.startswith('h4s_widgets.types.')
                                  and not m.split('.')[-1].startswith('_'))}}))
""")
    files = sorted(p.stem for p in (ROOT / "h4s_widgets" / "types").glob("*.py") if not p.stem.startswith("_"))
    assert got["files"] == files
    assert got["registry"] == got["units"]
    assert sorted(got["registry"]) == files
    listed = [n for n in got["registry"] if n in got["order"]]
    assert listed == [n for n in got["order"] if n in got["registry"]] and got["registry"][:len(listed)] == listed


SMALL_BANK = """schema_version: 1
pass_mark: 0.5
questions:
  - type: single_choice
    id: pick
    text: Pick **one** of these
    options: [{id: a, text: "`A`"}, {id: b, text: B}]
    answer: a
  - type: numeric
    id: count
    text: How many *tables*?
    answers: [{value: 3}]
"""

KEPT_QUIZ = """
import json, sys
from h4s_widgets import Quiz
data, meta = Quiz(sys.argv[1])._repr_mimebundle_()
print(json.dumps({"modules": sorted(sys.modules), "bundle": sorted(data)}))
"""


def test_a_kept_bank_shows_without_yaml_pydantic_or_type_units(tmp_path):
    bank = tmp_path / "small.yml"
    bank.write_text(SMALL_BANK, encoding="utf-8")
    env = {**os.environ, "H4S_CACHE_DIR": str(tmp_path / "cache")}

    def quiz() -> set:
        out = subprocess.run([sys.executable, "-c", KEPT_QUIZ, str(bank)], capture_output=True, text=True,
                             cwd=ROOT, env=env, timeout=120)
        assert out.returncode == 0, out.stderr
        got = json.loads(out.stdout.strip().splitlines()[-1])
        assert "text/html" in got["bundle"]
        return set(got["modules"])
    first = quiz()                         # validates and keeps the bank
    assert {"yaml", "pydantic.plugin._loader", "markdown_it"} <= first
    mods = quiz()                          # shown from the kept bank: what it showed was kept with it
    assert not {"yaml", "h4s_widgets._bank", "anywidget", "markdown_it", "pydantic", "h4s_widgets._schema",
                "importlib.metadata"} & mods
    assert not {m for m in mods if m.startswith("h4s_widgets.types.") and not m.endswith("._xapi")}
    # with another seed (a kept spec was made with seed 0) the models are built: only the bank's two types,
    # and still no validator (pydantic looks for its plugins when it builds the first one)
    out = subprocess.run([sys.executable, "-c", KEPT_QUIZ.replace("Quiz(sys.argv[1])", "Quiz(sys.argv[1], seed=7)"),
                          str(bank)], capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    seeded = set(json.loads(out.stdout.strip().splitlines()[-1])["modules"])
    assert "pydantic" in seeded and "pydantic.plugin._loader" not in seeded and "yaml" not in seeded
    assert {m for m in seeded if m.startswith("h4s_widgets.types.") and not m.endswith("._xapi")} == \
        {"h4s_widgets.types.single_choice", "h4s_widgets.types.numeric"}


@pytest.mark.parametrize("name", ["REGISTRY", "Bank", "_QUESTION"])
def test_schema_names_are_complete_in_a_fresh_process(name):
    got = run(f"""
import json
from h4s_widgets._schema import {name} as x, _registry
from h4s_widgets._spec import HASHED_TYPES
print(json.dumps({{"n": len(_registry()), "hashed": list(HASHED_TYPES)}}))
""")
    n_files = len([p for p in (ROOT / "h4s_widgets" / "types").glob("*.py") if not p.stem.startswith("_")])
    assert got["n"] == n_files and "single_choice" in got["hashed"] and "numeric" not in got["hashed"]


def test_a_question_given_as_data_still_gets_its_one_line_error():
    got = run("""
import json
from h4s_widgets import Quiz, QuestionError
try:
    Quiz([{'type': 'single_choise', 'id': 'q1', 'text': 'T'}])
except QuestionError as e:
    print(json.dumps({"error": str(e)}))
""")
    assert "question 1 (q1)" in got["error"] and "did you mean 'single_choice'" in got["error"]
    assert "\n" not in got["error"]


# ------------------------------------------------------- the anywidget protocol, without anywidget's Python side

def _pair():
    anywidget = pytest.importorskip("anywidget")
    from h4s_widgets import Quiz, SingleChoice
    from h4s_widgets._assets import widget_css, widget_esm

    class Reference(anywidget.AnyWidget):
        _esm = widget_esm()
        _css = widget_css()

    q = SingleChoice(id="q", text="Pick one", options=[{"id": "a", "text": "A"}, {"id": "b", "text": "B"}], answer="a")
    return Quiz([q]), Reference()


def test_quiz_gives_anywidgets_front_end_what_anywidget_gives_it():
    quiz, ref = _pair()
    mine, theirs = quiz.get_state(), ref.get_state()
    assert set(theirs) <= set(mine), set(theirs) - set(mine)
    for k in theirs:
        if k in ("layout", "_anywidget_id"):
            continue
        assert mine[k] == theirs[k], k
    # the id is the widget class's full name, as anywidget makes it
    assert theirs["_anywidget_id"] == f"{type(ref).__module__}.{type(ref).__name__}"
    assert mine["_anywidget_id"] == "h4s_widgets._widget.Quiz"
    from anywidget._version import _ANYWIDGET_SEMVER_VERSION
    assert mine["_model_module_version"] == mine["_view_module_version"] == _ANYWIDGET_SEMVER_VERSION


def test_quiz_display_data_is_anywidgets(monkeypatch):
    monkeypatch.setenv("H4S_LIVE", "1")   # no static fallback: compare the widget part only
    quiz, ref = _pair()
    (data, meta), (rdata, rmeta) = quiz._repr_mimebundle_(), ref._repr_mimebundle_()
    view = "application/vnd.jupyter.widget-view+json"
    assert set(data) == set(rdata)
    assert {k: v for k, v in data[view].items() if k != "model_id"} == \
        {k: v for k, v in rdata[view].items() if k != "model_id"}
    assert data[view]["model_id"] == quiz.model_id and meta == rmeta == {}
    assert re.fullmatch(r"<.* object at 0x[0-9a-f]+>", repr(quiz)) and re.fullmatch(r"<.* object at 0x[0-9a-f]+>", repr(ref))


def test_in_colab_the_quiz_enables_colabs_widget_manager_and_gives_its_metadata(monkeypatch):
    calls = []
    output = types.ModuleType("google.colab.output")
    output.enable_custom_widget_manager = lambda: calls.append("enabled")
    output._widgets = types.SimpleNamespace(_installed_url="https://example.invalid/manager.js")
    monkeypatch.setitem(sys.modules, "google.colab.output", output)
    import anywidget._util as util
    util.enable_custom_widget_manager_once.cache_clear()
    monkeypatch.setenv("H4S_LIVE", "1")
    quiz, ref = _pair()
    assert calls == ["enabled"]   # once, whoever asks first
    assert quiz._repr_mimebundle_()[1] == ref._repr_mimebundle_()[1] == {
        "application/vnd.jupyter.widget-view+json": {
            "colab": {"custom_widget_manager": {"url": "https://example.invalid/manager.js"}}}}
    util.enable_custom_widget_manager_once.cache_clear()


def test_pyproject_pins_the_anywidget_the_protocol_was_read_from():
    from h4s_widgets._anymodel import ANYWIDGET_MODULE_VERSION
    (spec,) = re.findall(r'"(anywidget[^"]*)"', (ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    major, minor = re.fullmatch(r"~(\d+)\.(\d+)\.\*", ANYWIDGET_MODULE_VERSION).groups()
    assert spec.replace(" ", "") == f"anywidget>={major}.{minor},<{major}.{int(minor) + 1}"
