"""Kernel-free live grading of h4s serve: keys stay on the server, attempts and records are kept."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests
import yaml

from h4s_kit.quiz_api import QuizApiError, QuizService, strip_keys
from h4s_widgets import Quiz, load_bank
from h4s_widgets._events import add_sink, remove_sink

BANK = {
    "schema_version": 1,
    "questions": [
        {"id": "capital", "type": "single_choice", "text": "Where does the European Parliament sit in plenary?",
         "options": [{"id": "a", "text": "Strasbourg"}, {"id": "b", "text": "Oslo", "feedback": "Norway is not in the EU."}],
         "answer": "a", "show_solution_after": 2, "max_attempts": 3},
        {"id": "pi", "type": "numeric", "text": "Pi to two decimals?", "answers": [{"value": 3.14, "tolerance": 0.005}]},
        {"id": "sq", "type": "code", "text": "Write square(x).", "starter": "def square(x):\n    pass\n",
         "tests": [{"name": "square(3) is 9", "code": "assert square(3) == 9"}], "solution": "def square(x):\n    return x * x\n"},
    ],
}
LEARNER = "a1b2c3d4-0000-4000-8000-000000000001"


@pytest.fixture()
def service(tmp_path: Path, monkeypatch) -> QuizService:
    monkeypatch.setenv("H4S_DATA_DIR", str(tmp_path / "data"))   # records (and attempts) go to this test's store
    monkeypatch.delenv("H4S_RECORDS", raising=False)
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    qdir = tmp_path / "01-demo" / "questions"
    qdir.mkdir(parents=True)
    (qdir / "q.yml").write_text(yaml.safe_dump(BANK), encoding="utf-8")
    return QuizService(tmp_path)


def test_strip_keys_removes_every_key_and_points_at_the_server(tmp_path: Path):
    qdir = tmp_path / "questions"
    qdir.mkdir()
    (qdir / "q.yml").write_text(yaml.safe_dump(BANK), encoding="utf-8")
    page = "<html><body>" + Quiz(str(qdir / "q.yml"), module="01-demo").static_html() + "</body></html>"

    def data_text(html: str) -> str:
        return html.split('class="h4s-data">', 1)[1].split("</script>", 1)[0]

    before = data_text(page)
    assert '"salt"' in before and "Norway is not in the EU." in before  # the static page has key and feedback
    out = strip_keys(page)
    after = data_text(out)
    data = json.loads(after.replace("<\\/", "</"))
    assert data["server"] == "/api/quiz"
    assert data["static"] == [{}, {}, {}]
    assert '"salt"' not in after and "Norway is not in the EU." not in after and "3.14" not in after
    assert "return x * x" not in out and "Norway" not in out


def test_check_grades_counts_attempts_and_returns_only_this_answers_feedback(service: QuizService):
    seen: list[dict] = []
    add_sink(seen.append)
    try:
        out = service.check({"module": "01-demo", "qid": "capital", "response": "b"}, LEARNER)
        assert out["result"]["correct"] is False and out["attempts"] == 1
        assert out["messages"] == ["Norway is not in the EU."]
        assert out["solution_available"] is False
        with pytest.raises(QuizApiError) as e:
            service.solution({"module": "01-demo", "qid": "capital"}, LEARNER)
        assert e.value.status == 403
        out = service.check({"module": "01-demo", "qid": "capital", "response": "a"}, LEARNER)
        assert out["result"]["score"] == 1.0 and out["attempts"] == 2 and out["solution_available"] is True
        assert "Strasbourg" in service.solution({"module": "01-demo", "qid": "capital"}, LEARNER)["solution"]
        service.check({"module": "01-demo", "qid": "capital", "response": "a"}, LEARNER)
        with pytest.raises(QuizApiError) as e:  # max_attempts 3
            service.check({"module": "01-demo", "qid": "capital", "response": "a"}, LEARNER)
        assert e.value.status == 409
        # an empty answer costs no attempt and makes no record
        out = service.check({"module": "01-demo", "qid": "pi", "response": ""}, LEARNER)
        assert out["attempts"] == 0 and out["result"]["feedback"] == ["empty"]
        out = service.check({"module": "01-demo", "qid": "pi", "response": "3,14"}, LEARNER)
        assert out["result"]["correct"] is True
    finally:
        remove_sink(seen.append)
    assert [(r["question"].id, r["attempt"], r["learner"]) for r in seen] == [
        ("capital", 1, LEARNER), ("capital", 2, LEARNER), ("capital", 3, LEARNER), ("pi", 1, LEARNER)]


def test_attempts_are_the_stored_records_and_survive_a_restart(service: QuizService, tmp_path: Path):
    from h4s_kit.records.store import RecordStore
    for answer in ("b", "b"):
        service.check({"module": "01-demo", "qid": "capital", "response": answer}, LEARNER)
    with RecordStore(tmp_path / "data" / "records.sqlite") as st:
        assert st.attempts(LEARNER, "01-demo", "capital") == 2
    again = QuizService(tmp_path)            # a restarted server: same store, same limits
    out = again.check({"module": "01-demo", "qid": "capital", "response": "b"}, LEARNER)
    assert out["attempts"] == 3 and out["solution_available"] is True
    with pytest.raises(QuizApiError) as e:
        again.check({"module": "01-demo", "qid": "capital", "response": "a"}, LEARNER)
    assert e.value.status == 409
    # the body's "learner" is not the learner: another id in the body changes nothing
    with pytest.raises(QuizApiError):
        again.check({"module": "01-demo", "qid": "capital", "response": "a", "learner": "someone-else-0001"}, LEARNER)
    other = again.check({"module": "01-demo", "qid": "capital", "response": "a"}, "someone-else-0001")
    assert other["attempts"] == 1
    hub = again.check({"module": "01-demo", "qid": "capital", "response": "a"}, "anna")   # a short Hub user name
    assert hub["attempts"] == 1


def test_code_solution_only_by_the_rule_and_non_finite_or_broken_text_is_refused(service: QuizService):
    with pytest.raises(QuizApiError) as e:                      # no show_solution_after: never
        service.solution({"module": "01-demo", "qid": "sq"}, LEARNER)
    assert e.value.status == 403
    for bad in (float("nan"), float("inf"), "\ud800", ["ok", {"x": float("-inf")}]):
        with pytest.raises(QuizApiError) as e:
            service.check({"module": "01-demo", "qid": "pi", "response": bad}, LEARNER)
        assert e.value.status == 400
    assert service.attempts(LEARNER, "01-demo", service.question("01-demo", "pi")) == 0


@pytest.mark.parametrize("body, status", [
    ({"module": "../etc", "qid": "capital", "learner": LEARNER}, 400),
    ({"module": "02-missing", "qid": "capital", "learner": LEARNER}, 404),
    ({"module": "01-demo", "qid": "nope", "learner": LEARNER}, 404),
    ({"module": "01-demo", "qid": "capital", "learner": "not an id!"}, 400),   # (a short id such as a Hub user "x" is fine now)
    ({"module": "01-demo", "qid": "capital", "learner": None}, 400),
    ({"module": "01-demo", "qid": "capital", "learner": "anna@example.org"}, 400),
])
def test_bad_requests_are_refused_with_a_reason(service: QuizService, body: dict, status: int):
    learner = body.pop("learner")
    with pytest.raises(QuizApiError) as e:
        service.check(dict(body, response="a"), learner)   # the id the server issued, not one from the body
    assert e.value.status == status and str(e.value)


def test_http_roundtrip_including_a_code_exercise(service: QuizService, tmp_path: Path):
    """Through the server of h4s serve (its jupyter_server extension, without the live pages)."""
    from h4s_kit.serve import LiveServer, free_port
    with LiveServer(html_dir=None, modules_dir=tmp_path, port=free_port(), live_pages=False,
                    echo=lambda s: None) as srv:
        base = f"{srv.url}api/quiz"
        r = requests.post(f"{base}/check", json={"module": "01-demo", "qid": "sq", "learner": LEARNER,
                                                 "response": "def square(x):\n    return x * x\n"}, timeout=30)
        assert r.status_code == 200, r.text
        assert r.json()["result"]["correct"] is True
        assert r.cookies.get("h4s_learner"), "the server issues the learner id"
        r = requests.post(f"{base}/check", json={"module": "01-demo", "qid": "sq", "learner": LEARNER,
                                                 "response": "def square(x):\n    return x + x\n"}, timeout=30)
        assert r.json()["result"]["feedback"] == ["test:0:failed"]
        r = requests.post(f"{base}/check", data="not json", headers={"Content-Type": "application/json"}, timeout=10)
        assert r.status_code == 400 and "JSON" in r.json()["error"]
        r = requests.post(f"{base}/check", json={"module": "01-demo", "qid": "zz", "learner": LEARNER}, timeout=10)
        assert r.status_code == 404 and "zz" in r.json()["error"]


def test_simultaneous_checks_cannot_exceed_max_attempts(service: QuizService, tmp_path: Path):
    from concurrent.futures import ThreadPoolExecutor

    from h4s_kit.records.store import RecordStore

    def one(_):
        try:
            return service.check({"module": "01-demo", "qid": "capital", "response": "b"}, LEARNER)["attempts"]
        except QuizApiError as e:
            return e.status

    with ThreadPoolExecutor(max_workers=8) as ex:
        got = list(ex.map(one, range(16)))
    assert sorted(a for a in got if a != 409) == [1, 2, 3] and got.count(409) == 13
    with RecordStore(tmp_path / "data" / "records.sqlite") as st:
        assert st.attempts(LEARNER, "01-demo", "capital") == 3
