"""`h4s check` content rules: feedback for wrong answers on every auto-graded question (step ``feedback``)
and the declared duration against an estimate from the content (step ``duration``)."""
from __future__ import annotations

import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell

from h4s_kit.check import Context, run_check
from h4s_kit.check.duration import DurationStep, estimate
from h4s_kit.check.feedback import FeedbackStep
from h4s_kit.check.questions import QuestionsStep
from h4s_kit.modules import load_module
from test_check import CLOSING, make_module, meta, quiz_cell, run_static

HEAD = "schema_version: 1\nquestions:\n"

#: (question YAML without feedback, the same with enough feedback, words the message must contain)
CASES = {
    "tf-true": ("""  - {id: q, type: true_false, text: Water boils at 100 °C at sea level., answer: true}
""", """  - {id: q, type: true_false, text: Water boils at 100 °C at sea level., answer: true,
     feedback_false: At normal air pressure it does.}
""", "wrong answer False (feedback_false)"),
    "tf-false": ("""  - {id: q, type: true_false, text: Ice sinks., answer: false, feedback_false: Right.}
""", """  - {id: q, type: true_false, text: Ice sinks., answer: false, feedback_true: Ice floats; it is lighter.}
""", "wrong answer True (feedback_true)"),
    "cloze": ("""  - {id: q, type: cloze, text: "[[red]] and [[green]]", gap_feedback: [A warm colour.]}
""", """  - {id: q, type: cloze, text: "[[red]] and [[green]]", gap_feedback: [A warm colour., The colour of grass.]}
""", "gap 2"),
    "matching": ("""  - id: q
    type: matching
    text: Match.
    pairs:
      - {id: p1, left: a, right: A, feedback: Upper case.}
      - {id: p2, left: b, right: B}
""", """  - id: q
    type: matching
    text: Match.
    feedback: Each letter goes with its capital.
    pairs:
      - {id: p1, left: a, right: A}
      - {id: p2, left: b, right: B}
""", "pair 'p2'"),
    "ordering": ("""  - {id: q, type: ordering, text: Order., items: [{id: a, text: one}, {id: b, text: two}]}
""", """  - {id: q, type: ordering, text: Order., items: [{id: a, text: one}, {id: b, text: two}],
     feedback: One comes before two.}
""", "ordering question has no feedback for a wrong answer"),
    "drag": ("""  - {id: q, type: drag_words, text: "The [[cat]] sat.", distractors: [dog]}
""", """  - {id: q, type: drag_words, text: "The [[cat]] sat.", distractors: [dog], feedback: It rhymes with sat.}
""", "drag_words question has no feedback"),
    "numeric": ("""  - {id: q, type: numeric, text: "2 + 2?", answers: [{value: 4, feedback: Right.}, {value: 5, score: 0,
     feedback: One too many.}]}
""", """  - {id: q, type: numeric, text: "2 + 2?", answers: [{value: 4}], feedback: Two and two make four.}
""", "no catch-all feedback"),
    "short": ("""  - {id: q, type: short_text, text: "Capital of France?", answers: [{text: Paris, feedback: Yes.}]}
""", """  - {id: q, type: short_text, text: "Capital of France?", answers: [{text: Paris}], feedback: It is Paris.}
""", "no catch-all feedback"),
    "code": ("""  - id: q
    type: code
    text: Write f.
    solution: "def f():\\n    return 1"
    tests:
      - {name: f is 1, code: assert f() == 1, feedback: Return 1.}
      - {name: f is an int, code: "assert isinstance(f(), int)"}
""", """  - id: q
    type: code
    text: Write f.
    solution: "def f():\\n    return 1"
    tests:
      - {name: f is 1, code: assert f() == 1, feedback: Return 1.}
      - {name: f is an int, code: "assert isinstance(f(), int)", feedback: Return a whole number.}
""", "test 'f is an int' fails"),
}


def _feedback_findings(tmp_path, name, bank):
    folder = make_module(tmp_path, name, cells=[new_markdown_cell("# T"), quiz_cell(name),
                                                quiz_cell(name, "questions/b.yml")],
                         banks={"closing-quiz.yml": CLOSING, "b.yml": HEAD + bank})
    return run_static(FeedbackStep, folder, QuestionsStep)


@pytest.mark.parametrize("case", sorted(CASES))
def test_feedback_rule_names_the_question_and_the_fix(tmp_path, case):
    bare, good, words = CASES[case]
    (f,) = _feedback_findings(tmp_path, "01-bare", bare)
    assert f.severity == "error" and f.step == "feedback"
    assert f.place.endswith("01-bare/questions/b.yml:question 1 (q)")
    assert words in f.message, f.message
    assert "in questions/b.yml, question 1" in f.fix and "feedback" in f.fix
    assert _feedback_findings(tmp_path, "02-good", good) == []


def test_general_feedback_is_enough_and_ungraded_types_need_none(tmp_path):
    bank = """  - {id: q1, type: true_false, text: Yes?, answer: true, feedback: It is so.}
  - {id: q2, type: cloze, text: "[[a]] [[b]]", feedback: a then b.}
  - {id: q3, type: essay, text: Reflect.}
  - {id: q4, type: likert, text: Rate., statements: [{id: s, text: I can.}], scale: [no, yes]}
  - {id: q5, type: flashcards, cards: [{id: c, front: a, back: b}]}
  - {id: q6, type: single_choice, text: Pick., answer: a,
     options: [{id: a, text: A}, {id: b, text: B, feedback: Not B.}]}
"""
    assert _feedback_findings(tmp_path, "01-g", bank) == []


def test_a_short_text_regex_that_matches_anything_is_a_catch_all(tmp_path):
    bank = """  - {id: q, type: short_text, text: "EQF in full?", answers: [{text: European Qualifications Framework},
     {regex: ".*", score: 0, feedback: "E = European, Q = Qualifications, F = Framework."}]}
"""
    assert _feedback_findings(tmp_path, "01-r", bank) == []
    narrow = bank.replace('".*"', '".*quality.*"')
    (f,) = _feedback_findings(tmp_path, "02-r", narrow)
    assert "no catch-all feedback" in f.message


def test_feedback_rule_runs_in_h4s_check(tmp_path):
    bare = CASES["ordering"][0]
    folder = make_module(tmp_path, "01-c", cells=[new_markdown_cell("# T"), quiz_cell("01-c"),
                                                  quiz_cell("01-c", "questions/b.yml")],
                         banks={"closing-quiz.yml": CLOSING, "b.yml": HEAD + bare})
    report = run_check([folder], execute=False)
    assert not report.ok
    assert [(f.step, f.place.rsplit("/", 2)[-2:]) for f in report.errors] == \
        [("feedback", ["questions", "b.yml:question 1 (q)"])]


# ------------------------------------------------------------------ duration

def _words(n: int) -> str:
    return " ".join(["word"] * n)


def _bank(n_tf: int, essay_words: int | None = None) -> str:
    qs = "".join(f"  - {{id: t{i}, type: true_false, text: Agreed, answer: true, feedback: So.}}\n" for i in range(n_tf))
    if essay_words is not None:
        qs += f"  - {{id: e1, type: essay, text: Reflect, min_words: {essay_words}}}\n"
    return "schema_version: 1\npass_mark: 0.5\nquestions:\n" + qs


def _module(tmp_path, name, declared, words=2000, n_tf=10, code_cells=2, essay_words=None):
    cells = [new_markdown_cell("# T " + _words(words - 3) + " [example page](https://example.org/a/b)")]
    cells += [new_code_cell(f"x = {i}\nx * 2") for i in range(code_cells)]
    cells += [new_code_cell("print('hidden')", metadata={"tags": ["remove-input"]}), quiz_cell(name),
              quiz_cell(name)]  # the same quiz twice counts once
    return make_module(tmp_path, name, cells=cells, metadata=meta(name, duration_minutes=declared),
                       banks={"closing-quiz.yml": _bank(n_tf, essay_words)})


def test_estimate_counts_reading_items_and_code_activities(tmp_path):
    folder = _module(tmp_path, "01-e", 30, essay_words=150)
    mod = load_module(folder)
    ctx = Context(execute=False)
    QuestionsStep().run(mod, ctx)
    est = estimate(mod, ctx.get("banks", mod))
    # 2000 words of text + 11 words of questions ("Agreed" x10, "Reflect"); the link target is not read
    assert est["words"] == 2011
    assert est["items"] == 11 and est["item_minutes"] == pytest.approx(10 * 1.5 + 10)  # 150 words at 15/min
    assert est["code_cells"] == 2
    assert est["minutes"] == pytest.approx(2011 / 200 + 25 + 4)


@pytest.mark.parametrize("declared, warned", [(30, False), (36, False), (24, False), (40, True), (20, True),
                                              (75, True)])
def test_duration_warns_beyond_25_percent(tmp_path, declared, warned):
    folder = _module(tmp_path, f"01-d{declared}", declared)  # estimate 10 + 15 + 4 = 29.05 minutes
    fs = run_static(DurationStep, folder, QuestionsStep)
    assert bool(fs) == warned, [f.line() for f in fs]
    if warned:
        (f,) = fs
        assert f.severity == "warning" and f.step == "duration" and f.place.endswith("module.ipynb")
        assert f"declares {declared} minutes" in f.message and "about 29 (" in f.message
        assert "200 words/min" in f.message and "10 questions" in f.message and "2 code activities" in f.message
        if declared > 45:
            assert "add real learning activities" in f.fix and 'to about 45 (never below 45' in f.fix
        elif declared > 29:
            assert "add real learning activities" in f.fix and "declares at least 45 minutes" in f.fix
        else:
            assert 'set "duration_minutes" to about 29' in f.fix


def test_small_differences_of_short_modules_are_not_warned(tmp_path):
    # 1 item, a few words: estimate about 1.5 minutes; 5 declared is over 25 % off but within 5 minutes
    folder = _module(tmp_path, "01-s", 5, words=10, n_tf=1, code_cells=0)
    assert run_static(DurationStep, folder, QuestionsStep) == []
    report = run_check([_module(tmp_path, "02-s", 45, words=10, n_tf=1, code_cells=0)], execute=False)
    assert report.ok and [f.step for f in report.warnings] == ["duration"]


def test_a_pool_counts_only_the_questions_drawn(tmp_path):
    # a bank that draws 4 of its 12 questions per attempt costs 4 questions' time, not 12
    from types import SimpleNamespace
    folder = _module(tmp_path, "01-p", 30, n_tf=12)
    mod = load_module(folder)
    ctx = Context(execute=False)
    QuestionsStep().run(mod, ctx)
    bank = ctx.get("banks", mod)["questions/closing-quiz.yml"]
    full = estimate(mod, {"questions/closing-quiz.yml": bank})
    pool = estimate(mod, {"questions/closing-quiz.yml": SimpleNamespace(questions=bank.questions, draw=4)})
    assert full["items"] == 12 and full["item_minutes"] == pytest.approx(18)
    assert pool["items"] == pytest.approx(4) and pool["item_minutes"] == pytest.approx(6)
    assert pool["words"] == pytest.approx(2000 + 4)
