"""`h4s report` on a synthetic class of 30 learners (seeded RNG; the data is labelled synthetic everywhere)."""
from __future__ import annotations

import csv
import json
import math
import os
import random
import re
import shutil
import statistics
import time
import uuid
from pathlib import Path

import pytest

from h4s_kit.cli import main
from h4s_kit.records.store import RecordStore
from h4s_kit.report import analyse, build_report, load_banks
from h4s_widgets._grading import grade

ARTIFACTS = Path(__file__).parent / "_artifacts"
MODULE = "07-synthetic-safety-at-work"

BANK = f"""schema_version: 1
title: "Safety at work (synthetic class)"
pass_mark: 0.6
questions:
  - type: single_choice
    id: ppe-basics
    text: Which item protects your eyes?
    options: [{{id: a, text: Safety goggles}}, {{id: b, text: Ear defenders}}, {{id: c, text: Steel-toe boots}}]
    answer: a
  - type: single_choice
    id: fire-class
    text: Which extinguisher do you use on an electrical fire?
    options: [{{id: a, text: Water}}, {{id: b, text: CO2}}, {{id: c, text: Foam}}, {{id: d, text: Wet chemical}}]
    answer: b
  - type: single_choice
    id: bad-key
    text: Who must report a near miss? (answer key deliberately wrong)
    options: [{{id: a, text: Only the supervisor}}, {{id: b, text: Everybody who saw it}}]
    answer: a
  - type: multiple_response
    id: risk-steps
    text: Which are steps of a risk assessment?
    options: [{{id: a, text: Identify hazards}}, {{id: b, text: Decide who might be harmed}}, {{id: c, text: Buy insurance}}]
    answers: [a, b]
  - type: true_false
    id: lifting
    text: You should bend your back, not your knees, when lifting.
    answer: false
  - type: numeric
    id: exits
    text: How many metres may the way to an emergency exit be at most here?
    answers: [{{value: 35, tolerance: 0}}]
  - type: likert
    id: confidence
    text: How confident do you feel?
    scale: [not at all, a little, quite, very]
    statements: [{{id: s1, text: I can spot hazards}}]
"""

# difficulty (higher = harder) per question; bad-key is answered "right" (b) by strong learners
DIFFICULTY = {"ppe-basics": 0.05, "fire-class": 0.8, "bad-key": None, "risk-steps": 0.45, "lifting": 0.3,
              "exits": 0.7}


def _p(ability: float, b: float) -> float:
    return 1 / (1 + math.exp(-6 * (ability - b)))


def synthetic_class(seed: int = 20261128, n: int = 30) -> list[dict]:
    """30 synthetic learners (ids 'synthetic-01'..), answers drawn with a seeded RNG and graded by h4s."""
    from h4s_widgets._schema import Bank
    import yaml
    bank = Bank.model_validate(yaml.safe_load(BANK))
    qs = {q.id: q for q in bank.questions}
    rng = random.Random(seed)
    t0 = 1795000000.0
    recs = []
    for i in range(n):
        learner = f"synthetic-{i + 1:02d}"
        ability = rng.random()
        stop_after = 4 if i % 5 == 4 else None  # every fifth learner stops early: 24 of 30 complete
        for k, (qid, q) in enumerate(qs.items()):
            if stop_after is not None and k >= stop_after:
                break
            for attempt in (1, 2):
                if qid == "confidence":
                    resp = {"s1": 1 + min(3, int(ability * 4))}
                elif qid == "bad-key":
                    resp = "b" if rng.random() < _p(ability, 0.4) else "a"
                else:
                    right = rng.random() < _p(ability, DIFFICULTY[qid]) or (attempt == 2 and rng.random() < 0.6)
                    resp = _answer(qid, right, rng)
                res = grade(q, resp)
                recs.append({"uuid": str(uuid.uuid4()), "learner": learner, "module": MODULE, "question": qid,
                             "qtype": q.type, "question_text": q.text, "response": resp, "score": res.score,
                             "max_score": res.max_score, "success": res.correct, "attempt": attempt,
                             "timestamp": t0 + i * 600 + k * 60 + attempt, "duration_s": 20 + rng.random() * 60})
                if res.correct is not False or rng.random() < 0.3:
                    break  # right (or not graded), or gave up: no second attempt
    # a second, smaller module without a bank (ids and texts come from the records)
    for i in range(4):
        ok = i % 2 == 0
        recs.append({"uuid": str(uuid.uuid4()), "learner": f"synthetic-{i + 1:02d}", "module": "08-synthetic-extra",
                     "question": "q1", "qtype": "true_false", "question_text": "Synthetic extra question",
                     "response": ok, "score": float(ok), "max_score": 1.0, "success": ok, "attempt": 1,
                     "timestamp": t0 + 99999 + i, "duration_s": 10})
    return recs


def _answer(qid: str, right: bool, rng: random.Random):
    if qid == "ppe-basics":
        return "a" if right else rng.choice("bc")
    if qid == "fire-class":   # the popular misconception: water
        return "b" if right else ("a" if rng.random() < 0.8 else rng.choice("cd"))
    if qid == "risk-steps":
        return ["a", "b"] if right else rng.choice([["a"], ["a", "c"], ["c"]])
    if qid == "lifting":
        return not right
    if qid == "exits":
        return "35" if right else rng.choice(["50", "20", "100"])
    raise AssertionError(qid)


@pytest.fixture(scope="module")
def klass(tmp_path_factory):
    root = tmp_path_factory.mktemp("report")
    qdir = root / "modules" / MODULE / "questions"
    qdir.mkdir(parents=True)
    (qdir / "closing-quiz.yml").write_text(BANK)
    db = root / "data" / "records.sqlite"
    recs = synthetic_class()
    with RecordStore(db) as s:
        for r in recs:
            s.add_record(r)
    return root, db, recs


def test_numbers_match_a_hand_computation(klass):
    root, db, recs = klass
    banks = load_banks(root / "modules")
    with RecordStore(db) as s:
        stored = s.records()
    mods = {m.module: m for m in analyse(stored, banks)}
    m = mods[MODULE]
    assert m.started == 30 and m.completed == 24 and m.pass_mark == 0.6
    qs = {q.id: q for q in m.questions}
    # facility by hand: first attempts only
    firsts = {}
    for r in sorted(recs, key=lambda r: r["attempt"]):
        if r["module"] == MODULE:
            firsts.setdefault((r["learner"], r["question"]), r)
    for qid in ("ppe-basics", "fire-class", "exits", "risk-steps"):
        vals = [r["score"] / r["max_score"] for (ln, q), r in firsts.items() if q == qid]
        assert qs[qid].facility == pytest.approx(statistics.fmean(vals), abs=1e-3)
        assert qs[qid].n == len(vals)
    assert qs["ppe-basics"].facility >= 0.75 > qs["fire-class"].facility
    assert qs["bad-key"].discrimination < 0, "a wrong key must show as negative discrimination"
    assert qs["fire-class"].discrimination > 0 and qs["exits"].discrimination > 0.3
    assert qs["confidence"].graded is False and qs["confidence"].facility is None
    fire = {c["option"]: c for c in qs["fire-class"].choices}
    assert fire["b"]["correct"] and not fire["a"]["correct"]
    assert sum(c["count"] for c in fire.values()) == qs["fire-class"].n
    assert fire["a"]["count"] > fire["c"]["count"] + fire["d"]["count"]
    assert any("Water" in f for f in qs["fire-class"].flags) or fire["a"]["count"] <= fire["b"]["count"]
    assert any("picked more often" in f for f in qs["bad-key"].flags)
    # score = latest answers on the closing quiz, passed against 0.6
    for x in m.learners:
        assert (x.passed is not None) == x.completed
    extra = mods["08-synthetic-extra"]
    assert extra.started == 4 and extra.completed == 4 and extra.pass_mark is None


def test_cli_writes_html_and_csv(klass, tmp_path, capsys):
    root, db, _ = klass
    out = tmp_path / "rep"
    assert main(["report", "--db", str(db), "--modules-dir", str(root / "modules"), "-o", str(out),
                 "--title", "Trainer report (synthetic class of 30)"]) == 0
    assert "2 module(s)" in capsys.readouterr().out
    page = (out / "index.html").read_text()
    assert "synthetic" in page.lower()
    assert not re.search(r'(src|href)="(https?:)?//', page), "the page must not load anything from elsewhere"
    assert page.count('<img src="data:image/svg+xml;base64,') >= 3
    for alt in re.findall(r'<img [^>]*alt="([^"]*)"', page):
        assert len(alt) > 40
    assert '<th scope="col">Facility</th>' in page and "<caption>" in page
    assert "most learners found this hard" in page or "hard:" in page
    assert "negative: stronger learners did worse" in page
    with open(out / "questions.csv", newline="") as f:
        rows = {r["question"]: r for r in csv.DictReader(f)}
    assert float(rows["bad-key"]["discrimination"]) < 0
    assert rows["confidence"]["facility"] == ""
    with open(out / "modules.csv", newline="") as f:
        mrows = {r["module"]: r for r in csv.DictReader(f)}
    assert mrows[MODULE]["completed"] == "24" and mrows[MODULE]["started"] == "30"
    with open(out / "choices.csv", newline="") as f:
        ch = [r for r in csv.DictReader(f) if r["question"] == "fire-class"]
    assert {r["text"] for r in ch} == {"Water", "CO2", "Foam", "Wet chemical"}
    with open(out / "learners.csv", newline="") as f:
        assert sum(1 for r in csv.DictReader(f) if r["module"] == MODULE) == 30

    one = tmp_path / "one"
    assert main(["report", "--db", str(db), "--modules-dir", str(root / "modules"), "-o", str(one),
                 "--module", "08-synthetic-extra"]) == 0
    with open(one / "modules.csv", newline="") as f:
        assert [r["module"] for r in csv.DictReader(f)] == ["08-synthetic-extra"]


def test_empty_store(tmp_path, capsys):
    assert main(["report", "--db", str(tmp_path / "r.sqlite"), "-o", str(tmp_path / "o")]) == 0
    assert "No learner records yet" in (tmp_path / "o" / "index.html").read_text()


@pytest.mark.browser
def test_report_screenshot(klass, tmp_path, browser):
    root, db, recs = klass
    r = build_report(RecordStore(db).records(), tmp_path / "rep", banks=load_banks(root / "modules"),
                     title="Trainer report", synthetic=True,
                     note="Synthetic data: 30 made-up learners generated with a seeded random generator for this test.")
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    try:
        page = context.new_page()
        requests = []
        page.on("request", lambda req: requests.append(req.url))
        page.goto(r["html"].as_uri())
        assert page.locator("h1").inner_text() == "Trainer report"
        # every image decoded and has alt text
        imgs = page.locator("img")
        assert imgs.count() >= 3
        for i in range(imgs.count()):
            assert imgs.nth(i).evaluate("e => e.complete && e.naturalWidth > 100")
            assert len(imgs.nth(i).get_attribute("alt")) > 40
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        assert not [u for u in requests if not u.startswith(("file:", "data:"))]
        page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
    finally:
        context.close()
    assert (ARTIFACTS / "report.png").stat().st_size > 20_000
    shutil.copy(r["html"], ARTIFACTS / "report.html")


def test_trainer_dashboard_notebook_runs(klass, tmp_path, monkeypatch):
    """templates/trainer-dashboard.ipynb (what h4s serve offers trainers) shows the same report."""
    import nbformat
    from nbclient import NotebookClient
    root, db, _ = klass
    nb_path = Path(__file__).resolve().parents[1] / "h4s_kit" / "templates" / "trainer-dashboard.ipynb"
    nb = nbformat.read(nb_path, as_version=4)
    monkeypatch.setenv("H4S_DATA_DIR", str(db.parent))
    monkeypatch.setenv("H4S_MODULES_DIR", str(root / "modules"))
    # the kernel runs as it would under h4s serve, not "inside pytest" (ipykernel changes how it captures
    # output when PYTEST_CURRENT_TEST is set); an earlier Output-widget version sometimes hung for the whole
    # timeout here, hence the time limit
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
    t0 = time.time()
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute(env=env)
    assert time.time() - t0 < 60
    state = json.dumps(nb.metadata["widgets"])
    assert "Completion per module" in state and "<h1>" not in state   # the notebook has the h1
    assert "Which extinguisher do you use on an electrical fire?" in state   # question text from the bank
    assert "negative: stronger learners did worse" in state
    assert "data:text/csv;charset=utf-8;base64," in state
    assert "07-synthetic-safety-at-work" in state
