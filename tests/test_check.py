"""`h4s check`: the broken fixture module (every fault found, with its place), each step on small
notebooks built with nbformat.v4, execution (parameters, timeout, parallel jobs), nbval, text and JSON output.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from h4s_kit.check import Context, run_check
from h4s_kit.check.accessibility import AccessibilityStep
from h4s_kit.check.credits import CreditsStep
from h4s_kit.check.execute import ExecuteStep, execute_notebook, parse_param_value
from h4s_kit.check.notebook_metadata import MetadataStep
from h4s_kit.check.nbval_step import NbvalStep
from h4s_kit.check.pedagogy import PedagogyStep
from h4s_kit.check.questions import QuestionsStep
from h4s_kit.cli import main
from h4s_kit.modules import load_module, quiz_calls
from h4s_widgets._errors import H4SError

FIXTURE = Path(__file__).parent / "fixtures" / "broken-module" / "99-broken"
NB = "99-broken/module.ipynb"

#: (step, place ends with, message contains): every fault planted in tests/fixtures/broken-module/99-broken
FAULTS = [
    ("metadata", NB, "h4s.eqf_level must be a whole number from 1 to 8 (got 9)"),
    ("metadata", NB, "h4s.status must be one of proposal, draft, review, published"),
    ("questions", "99-broken/questions/section-1.yml:question 2 (q-typo)", "answer"),
    ("questions", f"{NB}:cell 6", "questions/missing.yml, which does not exist"),
    ("questions", f"{NB}:cell 7", "no question 'no-such-id'"),
    ("pedagogy", "99-broken/questions/section-2.yml:question 1 (sc-1)", "wrong option 'b'"),
    ("pedagogy", NB, "states no learning outcome"),
    ("pedagogy", NB, "has no closing quiz"),
    ("feedback", "99-broken/questions/section-2.yml:question 2 (ord-1)", "ordering question has no feedback"),
    ("duration", NB, "declares 60 minutes"),
    ("accessibility", f"{NB}:cell 1", 'link text "click here"'),
    ("accessibility", f"{NB}:cell 3", "image media/diagram.svg has no alt text"),
    ("accessibility", f"{NB}:cell 4", "jumps from level 2 to level 4"),
    ("accessibility", f"{NB}:cell 4", "<img> media/photo.svg has no alt text"),
    ("accessibility", f"{NB}:cell 8", "output is a picture (image/png"),
    ("credits", "99-broken/media/photo.svg", "has no credit"),
    ("credits", "99-broken/media/credits.yml:entry 2 (gone.svg)", "media/gone.svg does not exist"),
    ("credits", "99-broken/media/credits.yml:entry 1 (diagram.svg)", "lacks licence"),
    ("execute", f"{NB}:cell 5", "NameError: name 'undefined_name' is not defined"),
    ("nbval", f"{NB}:cell 5", "NameError"),
]


@pytest.fixture(scope="module")
def broken(tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("fixture") / "99-broken"
    shutil.copytree(FIXTURE, dest)
    return dest


def _has(findings, step, place, text):
    return any(f.step == step and f.place.endswith(place) and text in f.message for f in findings)


# ------------------------------------------------------------------ building small modules

def meta(mid: str, **over) -> dict:
    m = {"id": mid, "title": "Small module", "summary": "A module for tests.",
         "outcomes": ["You can test", "You can fix"], "eqf_level": 4, "duration_minutes": 5,
         "language": "en", "status": "draft", "closing_quiz": "questions/closing-quiz.yml"}
    m.update(over)
    return {k: v for k, v in m.items() if v is not None}


CLOSING = """schema_version: 1
pass_mark: 0.5
questions:
  - id: c1
    type: true_false
    text: Tests help.
    answer: true
    feedback_false: A test finds a fault before a learner does.
"""


def quiz_cell(mid: str, bank: str = "questions/closing-quiz.yml", **kw) -> nbformat.NotebookNode:
    extra = "".join(f", {k}={v!r}" for k, v in kw.items())
    return new_code_cell(f'from h4s_widgets import Quiz\nQuiz("{bank}", module="{mid}"{extra})',
                         metadata={"tags": ["remove-input"]})


def make_module(base: Path, mid: str, cells=None, metadata=None, banks=None, media=None, credits=None,
                kernelspec=True) -> Path:
    """A module folder; by default a valid one (heading, one closing quiz shown)."""
    folder = base / mid
    (folder / "questions").mkdir(parents=True)
    if cells is None:
        cells = [new_markdown_cell("# Small module\n\nSome text."), quiz_cell(mid)]
    nb = new_notebook(cells=cells, metadata={"h4s": metadata if metadata is not None else meta(mid)})
    if kernelspec:
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, str(folder / "module.ipynb"))
    for name, text in ({"closing-quiz.yml": CLOSING} if banks is None else banks).items():
        (folder / "questions" / name).write_text(text, encoding="utf-8")
    if media or credits is not None:
        (folder / "media").mkdir()
        for name, text in (media or {}).items():
            (folder / "media" / name).write_text(text, encoding="utf-8")
        if credits is not None:
            (folder / "media" / "credits.yml").write_text(credits, encoding="utf-8")
    return folder


def run_static(step_cls, folder: Path, *before):
    """Run the static steps ``before`` (to fill the context), then ``step_cls``; its findings."""
    mod = load_module(folder)
    ctx = Context(execute=False)
    for cls in before:
        cls().run(mod, ctx)
    return step_cls().run(mod, ctx)


# ------------------------------------------------------------------ the broken fixture module

@pytest.mark.slow
def test_cli_reports_every_fault_of_the_broken_module(broken, capsys):
    code = main(["check", str(broken), "--jobs", "1"])
    out = capsys.readouterr().out
    assert code == 1
    lines = out.splitlines()
    for step, place, text in FAULTS:
        assert any(f"[{step}]" in ln and f"{place}: " in ln and text in ln and "Fix: " in ln for ln in lines), \
            f"not reported: [{step}] {place}: {text}\n{out}"
    assert "h4s check FAILED: 1 module," in lines[-1]


@pytest.mark.slow
def test_run_check_reports_every_fault_of_the_broken_module(broken):
    report = run_check([broken], jobs=1)
    for step, place, text in FAULTS:
        assert _has(report.findings, step, place, text), f"not reported: [{step}] {place}: {text}"
    # what check found (not what this file expects): at least 12 different faults, from every step
    assert len({(f.step, f.place, f.message) for f in report.findings}) >= 12
    assert {f.step for f in report.findings} == {"metadata", "questions", "pedagogy", "feedback", "duration",
                                                 "accessibility", "credits", "execute", "nbval"}
    assert not report.ok and report.exit_code == 1
    assert all(f.fix and f.severity in ("error", "warning") for f in report.findings)
    (m,) = report.modules
    assert m.id == "99-broken" and not m.executed and m.errors == len(report.errors)


def test_json_output_is_valid_and_lists_the_findings(broken, capsys):
    code = main(["check", str(broken), "--no-exec", "--format", "json"])
    captured = capsys.readouterr()
    doc = json.loads(captured.out)
    assert code == 1 and doc["ok"] is False
    assert doc["errors"] == sum(f["severity"] == "error" for f in doc["findings"]) > 0
    assert doc["modules"][0]["id"] == "99-broken"
    for f in doc["findings"]:
        assert set(f) >= {"severity", "step", "place", "message", "fix", "module"}
    for step, place, text in FAULTS:
        if step in ("execute", "nbval"):
            assert not any(f["step"] == step for f in doc["findings"])  # --no-exec
            continue
        assert any(f["step"] == step and f["place"].endswith(place) and text in f["message"]
                   for f in doc["findings"]), (step, place, text)
    assert captured.err == ""  # no progress lines in json mode when stderr is not a terminal


def test_findings_come_in_step_order(broken):
    report = run_check([broken], execute=False)
    order = ["metadata", "questions", "pedagogy", "feedback", "duration", "accessibility", "credits"]
    steps = [order.index(f.step) for f in report.findings]
    assert steps == sorted(steps)


# ------------------------------------------------------------------ step 1: metadata

def test_metadata_step(tmp_path):
    assert run_static(MetadataStep, make_module(tmp_path, "01-good")) == []
    fs = run_static(MetadataStep, make_module(tmp_path, "02-bad", metadata=meta("02-other", eqf_level=0)))
    assert [f.message for f in fs] == [
        "metadata h4s.eqf_level must be a whole number from 1 to 8 (got 0)",
        "metadata h4s.id must equal the module's folder name '02-bad' (got \"02-other\")"]
    assert all(f.place.endswith("02-bad/module.ipynb") and "Notebook metadata" in f.fix for f in fs)


def test_unreadable_notebook_is_one_error(tmp_path):
    folder = make_module(tmp_path, "01-x")
    (folder / "module.ipynb").write_text("{ not json", encoding="utf-8")
    report = run_check([folder], execute=False)
    (f,) = [f for f in report.findings if f.step == "metadata"]
    assert "cannot be read as a Jupyter notebook" in f.message


def test_missing_kernelspec_is_a_warning(tmp_path):
    (f,) = run_static(MetadataStep, make_module(tmp_path, "01-x", kernelspec=False))
    assert f.severity == "warning" and "kernel" in f.message


# ------------------------------------------------------------------ step 2: questions

BANK = """schema_version: 1
questions:
  - id: q1
    type: single_choice
    text: Pick a.
    options:
      - {id: a, text: A, feedback: right}
      - {id: b, text: B, feedback: wrong}
    answer: a
"""


def test_questions_step(tmp_path):
    mid = "01-q"
    cells = [new_markdown_cell("# T"),
             quiz_cell(mid, "questions/nope.yml"),
             quiz_cell(mid, "questions/a.yml", ids=["q1", "q9"]),
             quiz_cell("01-other", "questions/closing-quiz.yml"),
             new_code_cell("%matplotlib inline\nfrom h4s_widgets import show\nshow('questions/a.yml')"),
             new_code_cell("def broken(:\n    pass")]
    bad = "schema_version: 1\nquestions:\n  - id: z1\n    type: numeric\n    text: N?\n    answers: []\n"
    dup = BANK.replace("Pick a.", "Again.")
    folder = make_module(tmp_path, mid, cells=cells,
                         banks={"closing-quiz.yml": CLOSING, "a.yml": BANK, "bad.yml": bad, "dup.yml": dup})
    fs = run_static(QuestionsStep, folder)
    nb = f"{mid}/module.ipynb"
    assert _has(fs, "questions", f"{nb}:cell 2", "questions/nope.yml, which does not exist")
    assert _has(fs, "questions", f"{nb}:cell 3", "no question 'q9'")
    assert _has(fs, "questions", f"{nb}:cell 4", 'module="01-other" but this module is "01-q"')
    assert _has(fs, "questions", f"{nb}:cell 6", "SyntaxError")
    assert _has(fs, "questions", f"{mid}/questions/bad.yml:question 1 (z1)", "'answers' needs at least 1")
    assert _has(fs, "questions", f"{mid}/questions/dup.yml:question 1 (q1)", "also used in questions/a.yml")
    unused = [f for f in fs if f.severity == "warning"]
    assert [Path(f.place).name for f in unused] == ["bad.yml", "dup.yml"]
    # the %magic line does not hide the show(...) call in cell 5: a.yml counts as shown
    assert not any(f.place.endswith("a.yml") for f in unused)


def test_quiz_calls_are_found_with_ast():
    nb = new_notebook(cells=[
        new_markdown_cell("Quiz('questions/in-markdown.yml')"),
        new_code_cell("import matplotlib.pyplot as plt\nplt.show()\nshow('not-ours.yml')"),
        new_code_cell("import h4s_widgets as hw\nfrom h4s_widgets import show as s\n"
                      "s('questions/a.yml', ids=['q1'])\nhw.Quiz('questions/b.yml', module='01-x')\nQuiz(bank)"),
    ])
    calls, bad = quiz_calls(nb)
    assert not bad
    assert [(c.cell, c.func, c.bank, c.ids, c.module, c.dynamic) for c in calls] == [
        (3, "show", "questions/a.yml", ["q1"], None, False),
        (3, "Quiz", "questions/b.yml", None, "01-x", False),
        (3, "Quiz", None, None, None, True)]


def test_invalid_yaml_bank_names_the_line(tmp_path):
    folder = make_module(tmp_path, "01-y", banks={"closing-quiz.yml": CLOSING,
                                                   "y.yml": "schema_version: 1\nquestions:\n  - id: a\n   bad: [\n"})
    (f,) = [f for f in run_static(QuestionsStep, folder) if f.severity == "error"]
    assert f.place.endswith("01-y/questions/y.yml:line 4") or f.place.endswith("01-y/questions/y.yml:line 5")
    assert "invalid YAML" in f.message


# ------------------------------------------------------------------ step 3: pedagogy

def _sc_bank(rights: list[str]) -> str:
    """A closing quiz of single-choice questions whose right options have the given texts."""
    lines = ["schema_version: 1", "pass_mark: 0.5", "questions:"]
    for k, right in enumerate(rights):
        lines += [f"  - id: s{k}", "    type: single_choice", "    text: Which?", "    answer: a", "    options:",
                  f"      - {{id: a, text: '{right}'}}", "      - {id: b, text: 'A wrong one here', feedback: 'Not b.'}",
                  "      - {id: c, text: 'Another wrong one', feedback: 'Not c.'}"]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("bank, rights, warned", [
    ("closing-quiz.yml", ["The right one", "The right one", "The right one", "The right one"], None),
    # two of four right options are 1.3 x the longest wrong option (17 chars): a cue in half the questions
    ("closing-quiz.yml", ["A much, much longer right option", "The right one is long enough", "Right one", "Right"],
     ("2 of 4", "s0, s1")),
    ("closing-quiz.yml", ["A much, much longer right option", "Right", "Right", "Right"], None),  # one of four: none
    ("practice.yml", ["A much, much longer right option", "Right"], ("1 of 2", "s0")),  # any bank, from two on
    ("practice.yml", ["A much, much longer right option"], None),                       # one question: no pattern
    # 23 characters against the longest wrong one's 17 in both: 1.35 times as long, but 6 letters are no cue
    ("practice.yml", ["A right one, a bit long", "A right one, a bit long"], None),
])
def test_pedagogy_warns_when_right_options_stand_out_by_length(tmp_path, bank, rights, warned):
    folder = make_module(tmp_path, "01-c", banks={bank: _sc_bank(rights)})
    found = [f for f in run_static(PedagogyStep, folder, QuestionsStep) if "clearly the longest" in f.message]
    assert bool(found) is bool(warned), found
    if warned:
        (f,) = found
        count, ids = warned
        assert f.severity == "warning" and f"{count} single-choice questions of questions/{bank}" in f.message
        assert f"one: {ids});" in f.message and f.place.endswith(f"questions/{bank}")



def test_pedagogy_step(tmp_path):
    mr = """schema_version: 1
questions:
  - id: m1
    type: multiple_response
    text: Pick a and b.
    options:
      - {id: a, text: A}
      - {id: b, text: B}
      - {id: c, text: C}
      - {id: d, text: D, feedback: not d}
    answers: [a, b]
"""
    mid = "01-p"
    folder = make_module(tmp_path, mid, metadata=meta(mid, outcomes=["You can one thing"]),
                         cells=[new_markdown_cell("# T"), quiz_cell(mid, "questions/mr.yml")],
                         banks={"closing-quiz.yml": CLOSING.replace("pass_mark: 0.5\n", ""), "mr.yml": mr})
    fs = run_static(PedagogyStep, folder, QuestionsStep)
    msgs = [(Path(f.place).name, f.message) for f in fs]
    assert ("mr.yml:question 1 (m1)", "wrong option 'c' (\"C\") has no feedback") in msgs
    assert not any("option 'a'" in m or "option 'd'" in m for _, m in msgs)  # right answers, or has feedback
    assert _has(fs, "pedagogy", f"{mid}/module.ipynb", "states only 1 learning outcome")
    assert _has(fs, "pedagogy", f"{mid}/questions/closing-quiz.yml", "sets no pass_mark")
    assert _has(fs, "pedagogy", f"{mid}/module.ipynb", "closing quiz questions/closing-quiz.yml is not shown")


def test_pedagogy_needs_a_question_and_an_existing_closing_quiz(tmp_path):
    folder = make_module(tmp_path, "01-n", cells=[new_markdown_cell("# T")],
                         metadata=meta("01-n", closing_quiz="questions/end.yml"))
    fs = run_static(PedagogyStep, folder, QuestionsStep)
    assert _has(fs, "pedagogy", "01-n/module.ipynb", "shows no question")
    assert _has(fs, "pedagogy", "01-n/module.ipynb", "closing quiz questions/end.yml (metadata h4s.closing_quiz) "
                                                     "does not exist")


def test_good_module_passes_static_steps(tmp_path):
    folder = make_module(tmp_path, "01-ok", media={"a.svg": "<svg/>"},
                         credits="- {file: a.svg, title: A, author: Me, source: made here, licence: CC0-1.0}\n",
                         cells=[new_markdown_cell("# T\n\n![A square](media/a.svg)"), quiz_cell("01-ok")])
    report = run_check([folder], execute=False)
    assert report.findings == [] and report.ok and report.exit_code == 0


# ------------------------------------------------------------------ step 4: accessibility

def test_accessibility_step(tmp_path):
    png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    cells = [
        new_markdown_cell("## Starts at level 2\n\n```\n# a comment in a code block, not a heading\n```"),
        new_markdown_cell("#### Jump\n\n![](media/x.svg) and ![chart.png](media/x.svg)"),
        new_markdown_cell('<img src="media/x.svg" alt=""> and <img src="media/x.svg" alt="A square">'),
        new_markdown_cell("Read [here](https://example.org) or <a href='https://example.org'>Read more</a>. "
                          "See [the EQF descriptors](https://example.org)."),
        new_code_cell("plt.plot([1, 2])", outputs=[new_output("display_data", data={"image/png": png})]),
        new_markdown_cell("![A missing picture](media/missing.svg)"),
    ]
    folder = make_module(tmp_path, "01-a", cells=cells, media={"x.svg": "<svg/>"})
    fs = run_static(AccessibilityStep, folder)
    nb = "01-a/module.ipynb"
    assert _has(fs, "accessibility", f"{nb}:cell 1", "the first heading is level 2")
    assert _has(fs, "accessibility", f"{nb}:cell 2", "jumps from level 2 to level 4")
    assert _has(fs, "accessibility", f"{nb}:cell 2", "image media/x.svg has no alt text")
    assert any(f.severity == "warning" and "is a file name (chart.png)" in f.message for f in fs)
    assert len([f for f in fs if f.place.endswith(":cell 3")]) == 1  # only the empty alt=""
    assert _has(fs, "accessibility", f"{nb}:cell 3", "<img> media/x.svg has no alt text")
    assert _has(fs, "accessibility", f"{nb}:cell 4", 'link text "here"')
    assert _has(fs, "accessibility", f"{nb}:cell 4", 'link text "Read more"')
    assert not any("EQF descriptors" in f.message for f in fs)
    assert _has(fs, "accessibility", f"{nb}:cell 5", "picture (image/png")
    assert "show_figure(fig, alt=" in next(f.fix for f in fs if f.place.endswith(":cell 5"))
    assert _has(fs, "accessibility", f"{nb}:cell 6", "media/missing.svg does not exist")
    assert not any("comment in a code block" in f.message for f in fs)
    assert len(fs) == 9


def test_headings_across_cells_in_order(tmp_path):
    cells = [new_markdown_cell("# Title"), new_markdown_cell("## A\n\n### A.1"), new_markdown_cell("## B"),
             quiz_cell("01-h")]
    assert run_static(AccessibilityStep, make_module(tmp_path, "01-h", cells=cells)) == []


# ------------------------------------------------------------------ step 5: credits

def test_credits_step(tmp_path):
    credits = """- {file: a.svg, title: A, author: Me, source: made here, licence: CC-BY-SA-4.0}
- {file: b.svg, title: B, author: "", source: made here}
- {file: gone.png, title: G, author: Me, source: made here, licence: CC-BY-4.0}
- {file: a.svg, title: A, author: Me, source: made here, licence: All rights reserved}
"""
    folder = make_module(tmp_path, "01-c", media={"a.svg": "<svg/>", "b.svg": "<svg/>", "c.csv": "x\n1\n",
                                                   ".gitkeep": ""}, credits=credits)
    fs = run_static(CreditsStep, folder)
    c = "01-c/media/credits.yml"
    assert _has(fs, "credits", f"{c}:entry 2 (b.svg)", "lacks author, licence")
    assert _has(fs, "credits", f"{c}:entry 3 (gone.png)", "media/gone.png does not exist")
    assert _has(fs, "credits", "01-c/media/c.csv", "has no credit")
    warnings = [f.message for f in fs if f.severity == "warning"]
    assert any("credited twice" in w for w in warnings) and any("not a known open licence" in w for w in warnings)
    assert not any(".gitkeep" in f.place for f in fs)
    assert len([f for f in fs if f.severity == "error"]) == 3


def test_media_without_credits_file(tmp_path):
    folder = make_module(tmp_path, "01-d", media={"a.svg": "<svg/>"})
    (f,) = run_static(CreditsStep, folder)
    assert f.place.endswith("01-d/media/a.svg") and "credits.yml does not exist" in f.message


# ------------------------------------------------------------------ step 6: execution

def test_parse_param_value():
    assert [parse_param_value(v) for v in ["5", "2.5", "True", "None", "de"]] == [5, 2.5, True, None, "de"]


def test_execute_reports_failing_cell_counted_like_a_person(tmp_path):
    cells = [new_markdown_cell("# T"), new_code_cell("import os\nassert os.environ['H4S_RECORDS'] == 'off'"),
             new_code_cell("open('questions/closing-quiz.yml').close()  # cwd is the module folder"),
             new_markdown_cell("## More"), new_code_cell("x"), new_code_cell("never = 1")]
    folder = make_module(tmp_path, "01-e", cells=cells)
    res = execute_notebook(str(folder / "module.ipynb"), str(folder), "01-e", timeout=30)
    assert res == {**res, "ok": False, "cell": 5, "error": "NameError: name 'x' is not defined", "injected": False}
    mod = load_module(folder)
    ctx = Context(jobs=1, timeout=30)
    step = ExecuteStep()
    step.prepare([mod], ctx)
    (f,) = step.run(mod, ctx)
    assert f.place.endswith("01-e/module.ipynb:cell 5") and f.message == "NameError: name 'x' is not defined"
    assert "cell 5" in f.fix


def test_execute_parameters_and_override(tmp_path):
    cells = [new_markdown_cell("# T"), new_code_cell("rate = 1\nname = 'x'", metadata={"tags": ["parameters"]}),
             new_code_cell("assert rate == 5 and name == 'de', (rate, name)")]
    folder = make_module(tmp_path, "01-f", cells=cells)
    nb = str(folder / "module.ipynb")
    plain = execute_notebook(nb, str(folder), "01-f", timeout=30)
    assert not plain["ok"] and plain["cell"] == 3 and "AssertionError" in plain["error"]
    over = execute_notebook(nb, str(folder), "01-f", params={"rate": 5, "name": "de"}, timeout=30)
    assert over["ok"], over
    wrong = execute_notebook(nb, str(folder), "01-f", params={"rate": 6, "name": "de"}, timeout=30)
    assert wrong["cell"] == 3 and not wrong["injected"]  # the injected cell does not shift the numbers


def test_execute_timeout_per_cell(tmp_path):
    cells = [new_markdown_cell("# T"), new_code_cell("import time\ntime.sleep(30)")]
    folder = make_module(tmp_path, "01-t", cells=cells)
    res = execute_notebook(str(folder / "module.ipynb"), str(folder), "01-t", timeout=2)
    assert not res["ok"] and res["cell"] == 2 and "longer than 2 s" in res["error"]
    assert res["seconds"] < 20


def test_execute_finds_figures_shown_without_alt(tmp_path):
    cells = [new_markdown_cell("# T"),
             new_code_cell("import matplotlib\nmatplotlib.use('module://matplotlib_inline.backend_inline')\n"
                           "import matplotlib.pyplot as plt\nplt.plot([1, 2])\nplt.show()")]
    folder = make_module(tmp_path, "01-g", cells=cells)
    mod = load_module(folder)
    ctx = Context(jobs=1, timeout=60)
    step = ExecuteStep()
    step.prepare([mod], ctx)
    fs = step.run(mod, ctx)
    assert [(f.step, f.place.rsplit(":", 1)[1]) for f in fs] == [("accessibility", "cell 2")]
    assert "when run, the cell shows a picture" in fs[0].message


@pytest.mark.slow
def test_jobs_2_executes_3_modules(tmp_path):
    # light notebooks (no widget import) keep this quick; the static steps' findings do not matter here
    for i in (1, 2, 3):
        make_module(tmp_path, f"0{i}-small", cells=[new_markdown_cell("# T"), new_code_cell(f"n = {i}\nn * 2")])
    lines: list[str] = []
    report = run_check([tmp_path], jobs=2, progress=lines.append)
    assert [m.id for m in report.modules] == ["01-small", "02-small", "03-small"]
    assert all(m.executed and m.exec_seconds > 0 for m in report.modules), report.text()
    assert not [f for f in report.findings if f.step in ("execute", "nbval")], report.text()
    assert len([ln for ln in lines if " executing " in ln and ln.endswith(" s") and "... ok " in ln]) == 3
    assert any(ln.startswith("[nbval] 3 notebooks ... ok") for ln in lines)


# ------------------------------------------------------------------ step 7: nbval

def test_nbval_step_reports_cells(tmp_path):
    cells = [new_markdown_cell("# T"), new_code_cell("a = 1"), new_markdown_cell("text"),
             new_code_cell("raise ValueError('broken on purpose')"), new_code_cell("1 / 0")]
    folder = make_module(tmp_path, "01-v", cells=cells)
    mod = load_module(folder)
    ctx = Context(jobs=1, timeout=30)
    step = NbvalStep()
    step.prepare([mod], ctx)
    fs = step.run(mod, ctx)
    got = sorted((f.place.rsplit(":", 1)[1], f.message) for f in fs)
    assert got == [("cell 4", "nbval: ValueError: broken on purpose"),
                   ("cell 5", "nbval: ZeroDivisionError: division by zero")]


# ------------------------------------------------------------------ CLI

def test_no_exec_skips_execution(tmp_path, capsys):
    folder = make_module(tmp_path, "01-r", cells=[new_markdown_cell("# T"), new_code_cell("raise SystemError('x')"),
                                                  quiz_cell("01-r")])
    assert main(["check", str(folder), "--no-exec"]) == 0
    captured = capsys.readouterr()
    assert "01-r: ok" in captured.out and "[1/1] checking 01-r ... ok" in captured.err
    assert "executing" not in captured.err


@pytest.mark.slow
def test_cli_parameters_reach_execution_and_nbval(tmp_path, capsys):
    cells = [new_markdown_cell("# T"), new_code_cell("level = 1", metadata={"tags": ["parameters"]}),
             new_code_cell("assert level == 3, level")]
    folder = make_module(tmp_path, "01-s", cells=cells)
    # "AssertionError: 4" in both steps: the value given with -p reached the kernel of each
    assert main(["check", str(folder), "-p", "level", "4", "--timeout", "60"]) == 1
    out = capsys.readouterr().out
    assert "[execute] " + str(folder / "module.ipynb") + ":cell 3: AssertionError: 4" in out, out
    assert "[nbval] " + str(folder / "module.ipynb") + ":cell 3: nbval: AssertionError: 4" in out, out
    assert [p.name for p in folder.iterdir() if p.name.startswith(".")] == []  # the nbval copy is gone
    assert main(["check", str(folder), "--no-exec", "-p", "levle", "3"]) == 1
    assert "levle" not in capsys.readouterr().out  # no execution, no parameter check


def test_unknown_parameter_names_are_warned_about(tmp_path):
    cells = [new_markdown_cell("# T"), new_code_cell("level: int = 1\nname = 'x'", metadata={"tags": ["parameters"]})]
    folder = make_module(tmp_path, "01-u", cells=cells)
    mod = load_module(folder)
    ctx = Context(params={"levle": 3, "name": "y"})
    ctx.put("execute", mod, {"ok": True, "images": []})
    (f,) = ExecuteStep().run(mod, ctx)
    assert f.severity == "warning" and f.place.endswith("01-u/module.ipynb:cell 2")
    assert "-p levle is given but the parameters cell does not set 'levle'" in f.message
    assert "sets: level, name" in f.fix


def test_warnings_alone_exit_0(tmp_path, capsys):
    folder = make_module(tmp_path, "01-w", banks={"closing-quiz.yml": CLOSING, "unused.yml": BANK})
    assert main(["check", str(folder), "--no-exec"]) == 0
    out = capsys.readouterr().out
    assert "WARNING [questions] " + str(folder / "questions" / "unused.yml") + ": this question bank is not shown" in out
    assert "h4s check passed: 1 module, 0 errors, 1 warning in" in out


def test_bad_paths_are_clear_errors(tmp_path, capsys):
    assert main(["check", str(tmp_path / "nope")]) == 1
    assert "no such file or folder" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert main(["check", str(tmp_path / "empty")]) == 1
    assert "holds no module" in capsys.readouterr().err
    with pytest.raises(H4SError):
        run_check([tmp_path / "empty"])


def test_paths_may_be_notebooks_folders_or_module_folders(tmp_path):
    a = make_module(tmp_path, "01-a")
    make_module(tmp_path, "02-b")
    assert [m.id for m in run_check([tmp_path], execute=False).modules] == ["01-a", "02-b"]
    assert [m.id for m in run_check([a / "module.ipynb", a], execute=False).modules] == ["01-a"]


# ------------------------------------------------------------------ step 7 on the execute step's run

def run_both(folder: Path, nbval_rerun: bool = False):
    """ExecuteStep then NbvalStep on one module: (execute findings, nbval findings, progress lines)."""
    mod = load_module(folder)
    lines: list[str] = []
    ctx = Context(jobs=1, timeout=60, progress=lines.append, nbval_rerun=nbval_rerun)
    ExecuteStep().prepare([mod], ctx)
    ex = ExecuteStep().run(mod, ctx)
    NbvalStep().prepare([mod], ctx)
    nv = NbvalStep().run(mod, ctx)
    return ex, nv, lines


@pytest.fixture
def pytest_runs(monkeypatch) -> list:
    """Every ``pytest --nbval-lax`` subprocess the nbval step starts (they still run)."""
    from h4s_kit.check import nbval_step
    calls: list = []
    real = nbval_step.subprocess.run

    def spy(cmd, *a, **kw):
        calls.append(cmd)
        return real(cmd, *a, **kw)

    monkeypatch.setattr(nbval_step.subprocess, "run", spy)
    return calls


def _cells_of(findings) -> list[tuple[str, str]]:
    return sorted((f.place.rsplit(":", 1)[-1], f.message) for f in findings)


def test_nbval_uses_the_execution_run_and_keeps_reporting_every_failing_cell(tmp_path, pytest_runs):
    # the same notebook as test_nbval_step_reports_cells: a failing cell does not stop the run for nbval
    cells = [new_markdown_cell("# T"), new_code_cell("a = 1"), new_markdown_cell("text"),
             new_code_cell("raise ValueError('broken on purpose')"), new_code_cell("1 / 0")]
    ex, nv, lines = run_both(make_module(tmp_path, "01-v", cells=cells))
    assert pytest_runs == []  # no second execution
    assert _cells_of(ex) == [("cell 4", "ValueError: broken on purpose")]  # execute: the first failing cell
    assert _cells_of(nv) == [("cell 4", "nbval: ValueError: broken on purpose"),
                             ("cell 5", "nbval: ZeroDivisionError: division by zero")]
    assert any(ln.startswith("[nbval] 1 notebook ... FAILED in 01-v ") for ln in lines), lines


RAISES = [new_markdown_cell("# T"),
          new_code_cell("# NBVAL_RAISES_EXCEPTION\nraise ValueError('expected, comment marker')"),
          new_code_cell("raise KeyError('expected, tag')", metadata={"tags": ["raises-exception"]}),
          new_code_cell("raise OSError('expected, nbval tag')", metadata={"tags": ["nbval-raises-exception"]}),
          new_code_cell("after = 1\nassert after == 1")]


@pytest.mark.parametrize("rerun", [False, True], ids=["one-run", "nbval-rerun"])
def test_cells_marked_to_raise_pass_in_both_steps(tmp_path, rerun, pytest_runs):
    folder = make_module(tmp_path, "01-x", cells=RAISES)
    ex, nv, _ = run_both(folder, nbval_rerun=rerun)
    assert ex == [] and nv == [], (ex, nv)
    assert len(pytest_runs) == (1 if rerun else 0)
    # the markers are what makes them pass: without them both steps fail on cell 2
    plain = [RAISES[0], new_code_cell("raise ValueError('expected, comment marker')")] + RAISES[2:]
    ex, nv, _ = run_both(make_module(tmp_path, "02-x", cells=plain), nbval_rerun=rerun)
    assert _cells_of(ex) == [("cell 2", "ValueError: expected, comment marker")]
    assert _cells_of(nv) == [("cell 2", "nbval: ValueError: expected, comment marker")]


def _check_output_cells() -> list:
    out = lambda text: [new_output("stream", name="stdout", text=text)]  # noqa: E731
    res = lambda text: [new_output("execute_result", data={"text/plain": text}, execution_count=3)]  # noqa: E731
    return [new_markdown_cell("# T"),
            new_code_cell("# NBVAL_CHECK_OUTPUT\nprint(2 + 2)", execution_count=1, outputs=out("5\n")),
            new_code_cell("print(3)\nprint(4)", execution_count=2, outputs=out("3\n4\n"),
                          metadata={"tags": ["nbval-check-output"]}),
            new_code_cell("40 + 2", execution_count=3, outputs=res("42"), metadata={"tags": ["nbval-check-output"]}),
            new_code_cell("print('changed, not checked')", execution_count=4, outputs=out("old\n")),
            new_code_cell("# NBVAL_IGNORE_OUTPUT\nprint('changed')", execution_count=5, outputs=out("old\n"),
                          metadata={"tags": ["nbval-check-output"]}),
            new_code_cell("1 + 1", execution_count=6, outputs=res("3"), metadata={"tags": ["nbval-check-output"]})]


def test_check_output_cells_are_compared_with_their_saved_outputs(tmp_path, pytest_runs):
    ex, nv, _ = run_both(make_module(tmp_path, "01-o", cells=_check_output_cells()))
    assert ex == [] and pytest_runs == []
    got = _cells_of(nv)
    # changed and checked: cells 2 (stream) and 7 (result); unchanged (3, 4), not checked (5) or ignored (6): ok
    assert [c for c, _ in got] == ["cell 2", "cell 7"], got
    assert got[0][1] == "nbval: Cell outputs differ (stdout was '5\\n', now '4\\n')"
    assert got[1][1] == "nbval: Cell outputs differ (text/plain was '3', now '2')"
    assert all("NBVAL_CHECK_OUTPUT" in f.fix for f in nv)


def test_check_output_verdicts_agree_with_nbval_itself(tmp_path):
    folder = make_module(tmp_path, "01-o", cells=_check_output_cells() + [
        new_code_cell("print('saved but never run')", outputs=[new_output("stream", name="stdout", text="x\n")])])
    _, one, _ = run_both(folder)
    _, real, _ = run_both(folder, nbval_rerun=True)
    assert [p for p, _ in _cells_of(one)] == [p for p, _ in _cells_of(real)] == ["cell 2", "cell 7", "cell 8"]
    assert [m.split(" (")[0] for _, m in _cells_of(one)] == [m for _, m in _cells_of(real)]


def test_unrun_cell_with_outputs_is_an_nbval_failure(tmp_path, pytest_runs):
    cells = [new_markdown_cell("# T"), new_code_cell("a = 1", execution_count=1),
             new_code_cell("print(a)", outputs=[new_output("stream", name="stdout", text="1\n")])]
    ex, nv, _ = run_both(make_module(tmp_path, "01-u", cells=cells))
    assert ex == [] and pytest_runs == []
    (f,) = nv
    assert f.place.endswith("01-u/module.ipynb:cell 3") and f.message == "nbval: Unrun reference cell has outputs"
    assert "saved with outputs but never run" in f.fix


def test_nbval_skip_falls_back_to_nbval_itself(tmp_path, pytest_runs):
    # cell 2 would fail under nbval's rules (unrun with outputs) if nbval ran it; NBVAL_SKIP tells it not to
    cells = [new_markdown_cell("# T"),
             new_code_cell("# NBVAL_SKIP\nprint('skip me')", outputs=[new_output("stream", name="stdout", text="x")]),
             new_code_cell("b = 2"), new_code_cell("b / 0")]
    ex, nv, lines = run_both(make_module(tmp_path, "01-k", cells=cells))
    assert len(pytest_runs) == 1 and "--nbval-lax" in pytest_runs[0]
    assert any("runs 1 notebook again (01-k: cell 2 is marked NBVAL_SKIP)" in ln for ln in lines), lines
    assert _cells_of(nv) == [("cell 4", "nbval: ZeroDivisionError: division by zero")]
    assert _cells_of(ex) == [("cell 4", "ZeroDivisionError: division by zero")]
    # the tag form is found too
    from h4s_kit.check.nbval_lax import needs_real_nbval
    nb = new_notebook(cells=[new_code_cell("x = 1", metadata={"tags": ["nbval-skip"]})])
    assert needs_real_nbval(nb) == "cell 1 is marked NBVAL_SKIP"
    assert needs_real_nbval(new_notebook(cells=[new_code_cell("x = 1")])) is None


def test_sanitize_file_next_to_the_notebook_falls_back_to_nbval(tmp_path):
    from h4s_kit.check.nbval_lax import needs_real_nbval
    folder = make_module(tmp_path, "01-s")
    assert needs_real_nbval(load_module(folder).nb, folder) is None
    (folder / "nbval_sanitize.cfg").write_text("[x]\nregex: \\d+\nreplace: N\n", encoding="utf-8")
    assert "nbval_sanitize.cfg" in needs_real_nbval(load_module(folder).nb, folder)


@pytest.mark.slow
def test_cli_nbval_rerun_runs_nbval_on_every_notebook(tmp_path, capsys, pytest_runs):
    folder = make_module(tmp_path, "01-r", cells=[new_markdown_cell("# T"), new_code_cell("z = 1"),
                                                  new_code_cell("z.nope")])
    assert main(["check", str(folder), "--timeout", "60"]) == 1
    assert pytest_runs == []
    first = capsys.readouterr()
    assert main(["check", str(folder), "--timeout", "60", "--nbval-rerun"]) == 1
    second = capsys.readouterr()
    assert len(pytest_runs) == 1
    assert "runs 1 notebook again (01-r: --nbval-rerun)" in second.err
    nbval_line = "[nbval] " + str(folder / "module.ipynb") + ":cell 3: nbval: AttributeError: 'int' object has no " \
                                                             "attribute 'nope'"
    assert nbval_line in first.out and nbval_line in second.out, (first.out, second.out)


def test_outputs_differ_follows_nbval_comparison():
    from h4s_kit.check.nbval_lax import outputs_differ
    stream = lambda name, text: new_output("stream", name=name, text=text)  # noqa: E731
    shown = lambda data, **md: new_output("display_data", data=data, metadata=md)  # noqa: E731
    # streams are merged before comparing; metadata, execution counts and pictures are not compared
    assert outputs_differ([stream("stdout", "a\n"), stream("stdout", "b\n")], [stream("stdout", "a\nb\n")]) is None
    assert outputs_differ([shown({"text/plain": "x", "image/png": "AAA"}, width=3)],
                          [shown({"text/plain": "x", "image/png": "BBB"})]) is None
    assert outputs_differ([stream("stdout", "a")], [stream("stderr", "a")]) == "missing output stderr"
    assert outputs_differ([shown({"text/plain": "x", "text/html": "<b>x</b>"})],
                          [shown({"text/plain": "x"})]) == "new output text/html"
    assert outputs_differ([shown({"text/plain": "1"})], [shown({"text/plain": "1"}), shown({"text/plain": "1"})]) \
        == "2 saved text/plain outputs, 1 now"
