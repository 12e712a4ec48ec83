"""The pool draw (h4s_widgets._draw.draw_ids) on the shared cases tests/cases/draw_cases.json (the JS
drawIds runs the same file: tests/js/draw.test.mjs), and the bank's ``draw`` field."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from h4s_widgets._draw import draw_ids
from h4s_widgets._errors import QuestionError
from h4s_widgets._schema import parse_bank

ROOT = Path(__file__).resolve().parent.parent
CASES_YML = ROOT / "tests" / "cases" / "draw_cases.yml"
CASES_JSON = ROOT / "tests" / "cases" / "draw_cases.json"


def yaml_cases() -> list[dict]:
    return yaml.safe_load(CASES_YML.read_text(encoding="utf-8"))["cases"]


def write_json_cases() -> None:
    CASES_JSON.write_text(json.dumps(yaml_cases(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


CASES = json.loads(CASES_JSON.read_text(encoding="utf-8"))


def test_json_cases_are_current():
    assert yaml_cases() == CASES, "draw_cases.json is stale; run write_json_cases() (see the YAML header)"


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_draw_case(case):
    assert draw_ids(case["ids"], case["seed"], case["n"]) == case["expected"]


def test_draws_differ_and_cover_the_pool():
    pool = [f"q{i}" for i in range(12)]
    draws = {tuple(draw_ids(pool, f"seed-{k}", 6)) for k in range(40)}
    assert len(draws) > 30 and all(len(d) == 6 for d in draws)
    assert set().union(*draws) == set(pool)


def _bank(n_questions: int, draw) -> dict:
    qs = [{"type": "true_false", "id": f"q{i}", "text": "Is it?", "answer": True} for i in range(n_questions)]
    return {"schema_version": 1, "draw": draw, "questions": qs}


def test_bank_draw_field():
    assert parse_bank(_bank(12, 6)).draw == 6
    assert parse_bank(_bank(3, 3)).draw == 3
    assert parse_bank({"schema_version": 1, "questions": _bank(2, 1)["questions"]}).draw is None


@pytest.mark.parametrize("draw, start", [
    (13, "closing.yml: 'draw' draws 13 questions but the bank has 12; "),
    (0, "closing.yml: 'draw' must be at least 1 (got 0)"),
    ("six", "closing.yml: 'draw' must be a whole number (got 'six')"),
])
def test_bad_draw_is_one_line(draw, start):
    with pytest.raises(QuestionError) as e:
        parse_bank(_bank(12, draw), source="closing.yml")
    msg = str(e.value)
    assert msg.startswith(start), msg
    assert "\n" not in msg


def test_check_warns_about_a_small_pool_and_a_draw_that_ids_undo(tmp_path):
    from test_check import make_module, quiz_cell, run_static

    from h4s_kit.check.questions import QuestionsStep
    qs = "".join(f"  - {{id: c{i}, type: true_false, text: 'Tests help {i}.', answer: true, "
                 f"feedback_false: 'They do.'}}\n" for i in range(5))
    small = make_module(tmp_path / "a", "01-a", banks={
        "closing-quiz.yml": f"schema_version: 1\npass_mark: 0.5\ndraw: 3\nquestions:\n{qs}"})
    (f,) = run_static(QuestionsStep, small)
    assert f.severity == "warning" and f.place.endswith("questions/closing-quiz.yml")
    assert "draw: 3 shows 3 of only 5 questions" in f.message and "at least 6 questions" in f.fix
    ok = make_module(tmp_path / "b", "01-b", banks={
        "closing-quiz.yml": f"schema_version: 1\npass_mark: 0.5\ndraw: 2\nquestions:\n{qs}"})
    assert run_static(QuestionsStep, ok) == []
    picked = make_module(tmp_path / "c", "01-c", cells=[quiz_cell("01-c", ids=["c1", "c2"])], banks={
        "closing-quiz.yml": f"schema_version: 1\npass_mark: 0.5\ndraw: 2\nquestions:\n{qs}"})
    (f,) = run_static(QuestionsStep, picked)
    assert "so the bank's draw: 2 does not apply" in f.message and "no ids=" in f.fix


def test_trainer_report_counts_a_pool_by_its_draw():
    """A learner of a closing quiz with draw: 2 of 4 completed it with the last 2 closing questions answered."""
    from h4s_kit.report.analysis import ModuleBanks, analyse_module
    from h4s_widgets._schema import parse_question
    qs = {f"c{i}": parse_question({"id": f"c{i}", "type": "true_false", "text": "T.", "answer": True})
          for i in range(4)}
    info = ModuleBanks("01-demo", questions=qs, closing=list(qs), pass_mark=0.5, draw=2)

    def rec(learner, qid, ok, ts):
        return {"learner": learner, "module": "01-demo", "question": qid, "qtype": "true_false", "response": ok,
                "score": 1.0 if ok else 0.0, "max_score": 1.0, "success": ok, "attempt": 1, "ts": ts}

    records = [rec("ann", "c0", False, 1), rec("ann", "c1", False, 2),     # attempt 1: 0 of 2
               rec("ann", "c2", True, 3), rec("ann", "c3", True, 4),       # attempt 2: 2 of 2
               rec("bob", "c1", True, 5)]                                  # half way
    by = {s.learner: s for s in analyse_module("01-demo", records, info).learners}
    assert (by["ann"].answered, by["ann"].required, by["ann"].completed) == (2, 2, True)
    assert by["ann"].score == 1.0 and by["ann"].passed is True
    assert (by["bob"].answered, by["bob"].required, by["bob"].completed, by["bob"].passed) == (1, 2, False, None)
    info.draw = None                    # without a draw every closing question is required
    by = {s.learner: s for s in analyse_module("01-demo", records, info).learners}
    assert (by["ann"].required, by["ann"].completed, by["ann"].score) == (4, True, 0.5)


def test_live_outcome_of_a_pool_drawn_in_the_browser(tmp_path, monkeypatch):
    """A kernel's records (no server draw): the module is completed once `draw` closing questions are answered,
    and scored over the last `draw` answered."""
    import yaml

    from h4s_kit.records.live import LiveSink
    from h4s_kit.records.store import RecordStore
    from h4s_widgets._grading import grade
    monkeypatch.setenv("H4S_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("H4S_MODULES_DIR", str(tmp_path / "modules"))
    qdir = tmp_path / "modules" / "01-demo" / "questions"
    qdir.mkdir(parents=True)
    bank = dict(_bank(6, 3), pass_mark=0.6)
    (qdir / "closing-quiz.yml").write_text(yaml.safe_dump(bank), encoding="utf-8")
    qs = {q.id: q for q in parse_bank(bank).questions}
    sink = LiveSink()
    for k, (qid, answer) in enumerate([("q0", False), ("q1", True), ("q2", True), ("q3", True)]):
        sink.record({"learner": "anna", "module": "01-demo", "question": qs[qid], "response": answer,
                     "result": grade(qs[qid], answer), "attempt": 1, "timestamp": 1000.0 + k})
        with RecordStore(tmp_path / "data" / "records.sqlite") as st:
            res = st.module_result("anna", "01-demo")
        if k == 1:
            assert res is None or not res["completed"]          # 2 of the 3 drawn answered
        if k == 2:
            assert res["completed"] and res["scaled"] == pytest.approx(2 / 3) and res["passed"] == 1
    assert res["scaled"] == pytest.approx(1.0)                   # the last three answered: q1, q2, q3
    sink.close()


def test_live_widget_draws_in_the_kernel_and_refuses_outside(tmp_path, monkeypatch):
    import yaml

    from h4s_widgets import Quiz
    monkeypatch.setenv("H4S_RECORDS", "off")
    path = tmp_path / "closing-quiz.yml"
    path.write_text(yaml.safe_dump(_bank(8, 3)), encoding="utf-8")
    w = Quiz(str(path), module="01-demo")
    assert w.spec["draw"] == {"n": 3, "bank": "closing-quiz"}
    first = w.drawn
    assert first["attempt"] == 1 and len(first["ids"]) == 3 and set(first["ids"]) <= {f"q{i}" for i in range(8)}
    outside = next(f"q{i}" for i in range(8) if f"q{i}" not in first["ids"])
    assert w.check(outside, True, learner="anna") is None
    assert "not in your current set" in w.state[outside]["error"]
    w.reveal_solution(outside, learner="anna")
    assert "solution" not in w.state.get(outside, {})
    assert w.check(first["ids"][0], True, learner="anna").correct is True
    w._on_msg(w, {"action": "reset"}, None)
    assert w.drawn["attempt"] == 2 and len(w.drawn["ids"]) == 3 and w.state == {}
    # ids=[...] picks questions: no draw
    assert "draw" not in Quiz(str(path), ids=["q1", "q2"]).spec and Quiz(str(path), ids=["q1"]).drawn == {}


def test_the_page_cannot_change_the_kernels_draw_or_questions(tmp_path, monkeypatch):
    """A live page's messages reach the kernel as widget comm messages (h4s_kit.server._messages.stamp_learner
    passes comm_msg); an ipywidgets "update" would set any synced trait.  The quiz's own page only sends custom
    messages, so the kernel takes no state from a page: a forged draw (questions it did not draw) or a changed
    spec stays without effect, and an answer outside the kernel's draw is still refused."""
    import yaml

    from h4s_widgets import Quiz
    monkeypatch.setenv("H4S_RECORDS", "off")
    path = tmp_path / "closing-quiz.yml"
    path.write_text(yaml.safe_dump(_bank(8, 3)), encoding="utf-8")
    w = Quiz(str(path), module="01-demo")
    drawn, spec = dict(w.drawn), dict(w.spec)
    outside = [f"q{i}" for i in range(8) if f"q{i}" not in drawn["ids"]][:3]
    forged = {"drawn": {"attempt": 1, "ids": outside}, "spec": {**spec, "questions": []}, "state": {"x": 1}}
    w.comm.handle_msg({"content": {"data": {"method": "update", "state": forged}}, "buffers": []})
    assert w.drawn == drawn and w.spec == spec and w.state == {}
    assert w.check(outside[0], True, learner="anna") is None
    assert "not in your current set" in w.state[outside[0]]["error"]
    # its own messages still work
    w.comm.handle_msg({"content": {"data": {"method": "custom", "content": {"action": "check", "qid": drawn["ids"][0],
                                                                             "response": True, "learner": "anna"}}},
                       "buffers": []})
    assert w.state[drawn["ids"][0]]["result"]["correct"] is True
