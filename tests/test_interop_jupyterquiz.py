"""jupyterquiz JSON import: our own fixture, malformed input, the CLI and jupyterquiz's own example file."""
from __future__ import annotations

import json

import pytest

from h4s_kit.cli import main
from h4s_kit.interop.jupyterquiz import parse_jupyterquiz, read_jupyterquiz
from h4s_widgets._errors import ImportFormatError
from h4s_widgets._grading import grade
from h4s_widgets._schema import load_bank, parse_bank, parse_question

from _interop import FIX, SHARED


def test_sample_fixture():
    r = read_jupyterquiz(FIX / "sample.jupyterquiz.json")
    parse_bank(r.bank)
    qs = r.bank["questions"]
    assert [q["type"] for q in qs] == ["single_choice", "multiple_response", "numeric", "single_choice", "short_text"]
    sc = qs[0]
    assert sc["answer"] == "a" and sc["options"][1] == {"id": "b", "text": "Blue circle",
                                                         "feedback": "That is mandatory action."}
    assert qs[1]["answers"] == ["a", "b"]
    nu = parse_question(qs[2])
    # precision 2: jupyterquiz rounds to 2 significant digits -> 230 is "2.3e2": 225 <= x < 235 accepted
    assert nu.answers[0].value == 230 and nu.answers[0].tolerance == 5
    assert grade(nu, "233").correct is True and grade(nu, "240").correct is False
    assert grade(nu, "50").feedback == ["answer:1"]
    assert grade(nu, "1000").feedback == ["answer:2"]            # default feedback
    assert nu.answers[2].feedback == "Look at a device label."
    code = qs[3]
    assert "```python\na = '1'\nb = '2'\n```" in code["text"]
    assert code["options"][0]["text"] == "`print(a + b)`"
    st = parse_question(qs[4])
    assert grade(st, "ljubljana").correct is True and grade(st, "Zagreb").feedback == ["answer:1"]
    assert [str(w) for w in r.warnings] == [
        "sample.jupyterquiz.json:19: question 'mains-voltage-in-volts-to': range: high end now included "
        "(jupyterquiz excludes it)"]


@pytest.mark.parametrize("text, line, words", [
    ('[\n  {"question": "x", "type": "many_choice",\n', 3, "invalid JSON"),
    ('{"a": 1}', 1, "JSON list"),
    ('[\n{"question": "q", "type": "multiple_choice", "answers": [{"answer": "a", "correct": false},'
     ' {"answer": "b"}]}\n]', 2, "correct"),
    ('[\n{"question": "q", "type": "numeric", "answers": [{"type": "value", "value": "3"}]}\n]', 2, "must be a number"),
    ('[{"question": "ok", "type": "string", "answers": [{"answer": "a", "correct": true}]},\n\n'
     '{"question": "", "type": "string", "answers": []}]', 3, "'question'"),
])
def test_malformed_json_names_file_and_line(text, line, words):
    with pytest.raises(ImportFormatError) as e:
        parse_jupyterquiz(text, "bad.json")
    assert str(e.value).startswith(f"bad.json:{line}:"), str(e.value)
    assert words in str(e.value)


def test_unknown_type_is_skipped_with_a_warning():
    text = json.dumps([{"question": "a", "type": "drawing", "answers": [{}]},
                       {"question": "b", "type": "string", "answers": [{"answer": "x", "correct": True}]}])
    r = parse_jupyterquiz(text, "j.json")
    assert r.count == 1 and r.skipped == 1
    assert "type 'drawing' has no h4s equivalent; skipped" in str(r.warnings[0])


def test_cli(tmp_path, capsys):
    out = tmp_path / "jq.yml"
    assert main(["import", "jupyterquiz", str(FIX / "sample.jupyterquiz.json"), "-o", str(out)]) == 0
    assert "imported 5 questions" in capsys.readouterr().out
    assert len(load_bank(out).questions) == 5


def test_shared_jupyterquiz_example():
    path = SHARED / "interop" / "jupyterquiz" / "questions.json"
    if not path.exists():
        pytest.skip(f"{path} is absent (../shared is not checked out beside the repo)")
    r = read_jupyterquiz(path)
    qs = r.bank["questions"]
    assert len(qs) == 8
    # jupyterquiz: many_choice = several right answers, multiple_choice = one right answer
    assert [q["type"] for q in qs] == ["multiple_response", "multiple_response", "single_choice", "numeric",
                                       "numeric", "single_choice", "single_choice", "single_choice"]
    assert qs[0]["answers"] == ["a", "b", "c", "d"]
    plain, precise = parse_question(qs[3]), parse_question(qs[4])
    assert plain.answers[0].value == 3.14 and plain.answers[0].tolerance == 0
    assert precise.answers[0].value == 3.1 and precise.answers[0].tolerance == pytest.approx(0.05)
    assert grade(plain, "3.1428571").feedback == ["answer:1"]       # the 22/7 range
    assert grade(plain, "-3").correct is False
    assert grade(plain, "7").feedback == ["answer:3"]               # default feedback
    assert qs[6]["options"][1]["text"] == "`mylist+=[3]`" and qs[6]["answer"] == "b"
    assert "```python" in qs[5]["text"]
    assert len({q["id"] for q in qs}) == 8
