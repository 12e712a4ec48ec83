"""A question pool (`draw: n`) on h4s serve: the server decides each learner's draw, refuses answers outside
it and computes the pass mark over the drawn questions; end to end through the real server (HTTP)."""
from __future__ import annotations

from pathlib import Path

import pytest
import requests
import yaml

from h4s_widgets._draw import draw_ids

POOL = [f"p{i}" for i in range(1, 13)]
BANK = {
    "schema_version": 1, "title": "Closing quiz", "pass_mark": 0.75, "draw": 4,
    "questions": [{"id": i, "type": "true_false", "text": f"Statement {i} is true.", "answer": True} for i in POOL],
}
MODULE = "01-demo"


@pytest.fixture()
def server(tmp_path: Path, monkeypatch):
    from h4s_kit.serve import LiveServer, free_port
    monkeypatch.setenv("H4S_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("H4S_MODULES_DIR", str(tmp_path / "modules"))
    monkeypatch.delenv("H4S_RECORDS", raising=False)
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    qdir = tmp_path / "modules" / MODULE / "questions"
    qdir.mkdir(parents=True)
    (qdir / "closing-quiz.yml").write_text(yaml.safe_dump(BANK), encoding="utf-8")
    with LiveServer(html_dir=None, modules_dir=tmp_path / "modules", port=free_port(), live_pages=False,
                    echo=lambda s: None) as srv:
        yield f"{srv.url}api/quiz"


def _draw(s: requests.Session, base: str, **extra) -> dict:
    r = s.post(f"{base}/draw", json={"module": MODULE, "bank": "closing-quiz", **extra}, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def _check(s: requests.Session, base: str, qid: str, response=True) -> requests.Response:
    return s.post(f"{base}/check", json={"module": MODULE, "qid": qid, "response": response}, timeout=10)


def test_the_server_decides_the_draw_and_refuses_answers_outside_it(server, tmp_path: Path):
    s = requests.Session()
    first = _draw(s, server)
    assert first["n"] == 4 and first["attempt"] == 1 and len(first["ids"]) == 4
    assert set(first["ids"]) <= set(POOL) and first["ids"] == [i for i in POOL if i in first["ids"]]
    assert _draw(s, server) == first, "a reload shows the same set"
    # attack: the browser names a seed (or another learner); the server ignores both
    for seed in ("", "s1", "0" * 64):
        forged = _draw(s, server, seed=seed, learner="someone-else", attempt=7)
        assert forged == first
        assert draw_ids(POOL, seed, 4) == draw_ids(POOL, seed, 4)   # (a browser could compute such a draw)
    # attack: an answer to a pool question outside the learner's draw
    outside = next(i for i in POOL if i not in first["ids"])
    r = _check(s, server, outside)
    assert r.status_code == 403, r.text
    err = r.json()["error"]
    assert outside in err and "current set" in err and "\n" not in err and "/" not in err
    r = s.post(f"{server}/solution", json={"module": MODULE, "qid": outside}, timeout=10)
    assert r.status_code == 403
    # inside the draw: graded
    r = _check(s, server, first["ids"][0])
    assert r.status_code == 200 and r.json()["result"]["correct"] is True
    # a new attempt draws again (attempt numbers go up; some new set differs from the first)
    sets = []
    for k in range(2, 7):
        new = _draw(s, server, new=True)
        assert new["attempt"] == k and len(new["ids"]) == 4
        sets.append(new["ids"])
    assert any(ids != first["ids"] for ids in sets)
    assert _draw(s, server)["ids"] == sets[-1]
    if first["ids"][0] not in sets[-1]:   # the old set's question is refused now
        assert _check(s, server, first["ids"][0]).status_code == 403
    # another learner (another cookie) has a draw of their own, equally enforced
    other = requests.Session()
    theirs = _draw(other, server)
    assert theirs["attempt"] == 1 and len(theirs["ids"]) == 4
    bad = next(i for i in POOL if i not in theirs["ids"])
    assert _check(other, server, bad).status_code == 403


def test_pass_mark_is_over_the_drawn_questions(server, tmp_path: Path):
    from h4s_kit.records.store import RecordStore
    s = requests.Session()
    ids = _draw(s, server)["ids"]
    for qid in ids[:3]:
        assert _check(s, server, qid, True).status_code == 200
    assert _check(s, server, ids[3], False).status_code == 200
    with RecordStore(tmp_path / "data" / "records.sqlite") as st:
        results = st.module_results()
    assert len(results) == 1, results
    res = results[0]
    # 3 of the 4 drawn right: completed although 8 pool questions were never shown, 0.75 >= pass mark 0.75
    assert res["completed"] and res["scaled"] == pytest.approx(0.75) and res["passed"] == 1


@pytest.mark.parametrize("body, status, words", [
    ({"module": MODULE, "bank": "practice"}, 404, "no question pool"),
    ({"module": MODULE, "bank": "../x"}, 400, "bank:"),
    ({"module": "../etc", "bank": "closing-quiz"}, 400, "module:"),
    ({"module": MODULE}, 400, "bank:"),
])
def test_bad_draw_requests_are_one_line(server, body, status, words):
    r = requests.post(f"{server}/draw", json=body, timeout=10)
    assert r.status_code == status, r.text
    assert words in r.json()["error"] and "\n" not in r.json()["error"]
