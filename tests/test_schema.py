"""The question schema: loading banks, the Python classes, one-line errors, JSON Schema, reference page."""
from __future__ import annotations

import functools
import json
import re
import textwrap
from pathlib import Path

import jsonschema
import pydantic
import pytest
import yaml

from h4s_widgets import (
    Bank, Cloze, CodeExercise, DragWords, Essay, Flashcards, H4SError, Likert, Matching, MultipleResponse, Numeric,
    Ordering, QuestionError, ShortText, SingleChoice, TrueFalse, load_bank, parse_question,
)
from h4s_widgets import _schema_tools
from h4s_widgets._errors import BankFileError
from h4s_widgets._schema import REGISTRY, json_schema, parse_bank
from h4s_widgets._schema_tools import BANK_EXAMPLE, EXAMPLES, yaml_blocks

ROOT = Path(__file__).resolve().parent.parent

GOOD_YAML = """\
schema_version: 1
title: Licences
language: en
pass_mark: 0.75
questions:
  - type: single_choice
    id: oer-licence
    text: Which licence allows adaptations?
    options:
      - {id: a, text: CC BY-SA 4.0, feedback: Yes.}
      - {id: b, text: CC BY-ND 4.0}
    answer: a
    hints: [Look at the letters after BY.]
  - type: numeric
    id: vat
    text: 80 EUR plus 20 % VAT?
    unit: EUR
    answers:
      - {value: 96, tolerance: 0.01}
  - type: cloze
    id: gaps
    text: OER use an [[open]] licence such as [[CC BY|CC-BY]].
"""


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    p = tmp_path / name
    if isinstance(text, bytes):
        p.write_bytes(text)
    else:
        p.write_text(textwrap.dedent(text), encoding="utf-8")
    return p


# ------------------------------------------------------------------ loading

def test_load_bank_from_yaml(tmp_path):
    bank = load_bank(write(tmp_path, "quiz.yml", GOOD_YAML))
    assert isinstance(bank, Bank)
    assert bank.schema_version == 1 and bank.title == "Licences" and bank.pass_mark == 0.75
    sc, num, cloze = bank.questions
    assert isinstance(sc, SingleChoice) and sc.answer == "a" and [o.id for o in sc.options] == ["a", "b"]
    assert sc.options[0].feedback == "Yes." and sc.hints == ["Look at the letters after BY."]
    assert isinstance(num, Numeric) and num.answers[0].value == 96 and num.unit == "EUR"
    assert isinstance(cloze, Cloze) and cloze.gap_answers() == [["open"], ["CC BY", "CC-BY"]]
    assert sc.points == 1.0 and sc.graded


def test_load_bank_from_json(tmp_path):
    data = yaml.safe_load(GOOD_YAML)
    p = tmp_path / "quiz.json"
    p.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    from_json = load_bank(p)
    from_yaml = load_bank(write(tmp_path, "quiz.yml", GOOD_YAML))
    assert from_json.model_dump() == from_yaml.model_dump()


def test_utf8_bom_and_non_ascii_text_are_fine(tmp_path):
    p = write(tmp_path, "quiz.yml", "\ufeff" + GOOD_YAML.replace("Which licence", "Welche Lizenz – «ok»"))
    assert load_bank(p).questions[0].text.startswith("Welche Lizenz – «ok»")


def test_python_classes_can_be_used_directly():
    sc = SingleChoice(id="q1", text="Pick one", options=[{"id": "a", "text": "A"}, {"id": "b", "text": "B"}],
                      answer="b")
    mr = MultipleResponse(id="q2", text="Pick", options=[{"id": "a", "text": "A"}, {"id": "b", "text": "B"}],
                          answers=["a", "b"])
    tf = TrueFalse(id="q3", text="Sky is blue", answer=True)
    st = ShortText(id="q4", text="Say BY", answers=[{"text": "BY"}, {"regex": "cc ?by", "score": 0.5}])
    mt = Matching(id="q5", text="Match", pairs=[{"id": "x", "left": "1", "right": "one"},
                                                 {"id": "y", "left": "2", "right": "two"}])
    od = Ordering(id="q6", text="Order", items=[{"id": "i1", "text": "first"}, {"id": "i2", "text": "second"}])
    dw = DragWords(id="q7", text="Wear [[gloves]]", distractors=["sandals"])
    ce = CodeExercise(id="q8", text="Add", tests=[{"name": "t", "code": "assert f() == 1"}],
                      solution="def f():\n    return 1\n")
    es = Essay(id="q9", text="Reflect", min_words=20)
    lk = Likert(id="q10", text="Rate", statements=[{"id": "s", "text": "I can"}], scale=["no", "yes"])
    fc = Flashcards(id="q11", cards=[{"id": "c", "front": "BY", "back": "credit"}])
    bank = Bank(questions=[sc, mr, tf, st, mt, od, dw, ce, es, lk, fc])
    assert [q.type for q in bank.questions] == ["single_choice", "multiple_response", "true_false", "short_text",
                                                "matching", "ordering", "drag_words", "code", "essay", "likert",
                                                "flashcards"]
    assert not es.graded and es.points == 0 and ce.timeout_s == 5.0 and fc.text
    # a Python-built bank and the same bank through parse_bank agree
    again = parse_bank(json.loads(bank.model_dump_json()), "python")
    assert again.model_dump() == bank.model_dump()
    with pytest.raises(pydantic.ValidationError, match="must be one of the option ids a, b"):
        SingleChoice(id="q1", text="t", options=[{"id": "a", "text": "A"}, {"id": "b", "text": "B"}], answer="c")
    with pytest.raises(pydantic.ValidationError):
        Bank(questions=[tf, tf])


def test_parse_question_names_the_source():
    with pytest.raises(QuestionError) as e:
        parse_question({"type": "true_false", "id": "t1", "text": "x"}, "notebook cell 3")
    assert str(e.value) == "notebook cell 3 (t1): 'answer' is required but missing"
    assert isinstance(parse_question({"type": "essay", "id": "e", "text": "Why?"}), Essay)


# ------------------------------------------------------------------ errors

SC = """\
  - type: single_choice
    id: {id}
    text: Pick one.
    options:
      - {{id: a, text: A}}
      - {{id: b, text: B}}
      - {{id: c, text: C}}
    answer: a
"""


def bank(*questions: str, head: str = "schema_version: 1\nquestions:\n") -> str:
    return head + "".join(questions)


TYPES = ", ".join(sorted(REGISTRY))
ID_RULE = "must start with a letter or digit and use only letters, digits, '-', '_' or '.' (at most 64 characters"

#: (case name, file name, file content, expected message without the "<file>" prefix)
BAD = [
    ("bad-yaml-line", "quiz.yml",
     "schema_version: 1\nquestions:\n  - type: true_false\n    id: q1\n    text: Is this: fine?\n    answer: true\n",
     ":5: invalid YAML: mapping values are not allowed here; check indentation and quote text containing ':' or '#'"),
    ("bad-json-line", "quiz.json",
     '{"schema_version": 1,\n "questions": [\n  {"type": "essay" "id": "e"}\n ]\n}\n',
     ":3: invalid JSON: Expecting ',' delimiter (column 20)"),
    ("not-utf8", "quiz.yml",
     b"schema_version: 1\nquestions:\n  - type: essay\n    id: e1\n    text: caf\xe9\n",
     ":5: is not UTF-8 text (byte 0xe9); save the file as UTF-8"),
    ("empty-file", "quiz.yml", "# nothing yet\n",
     ": the file is empty; start it with 'schema_version: 1' and 'questions:'"),
    ("bare-list", "quiz.yml", SC.format(id="q1"),
     ": the file must be a mapping with 'schema_version: 1' and 'questions:' (found a bare list; "
     "put the list under 'questions:')"),
    ("missing-version", "quiz.yml", bank(SC.format(id="q1"), head="questions:\n"),
     ": 'schema_version' is required; add 'schema_version: 1' at the top"),
    ("wrong-version", "quiz.yml", bank(SC.format(id="q1"), head="schema_version: 2\nquestions:\n"),
     ": 'schema_version' must be 1 (this h4s understands version 1; got 2)"),
    ("empty-questions", "quiz.yml", "schema_version: 1\nquestions: []\n",
     ": 'questions' must list at least one question"),
    ("unknown-bank-field", "quiz.yml", bank(SC.format(id="q1"), head="schema_version: 1\ntitel: X\nquestions:\n"),
     ": 'titel' is not a known field of a question bank (did you mean 'title'?); "
     "allowed: schema_version, title, language, pass_mark, draw, questions"),
    ("pass-mark-percent", "quiz.yml", bank(SC.format(id="q1"), head="schema_version: 1\npass_mark: 80\nquestions:\n"),
     ": 'pass_mark' must be a fraction from 0 to 1, e.g. 0.8 for 80% (got 80)"),
    ("answer-not-an-option", "quiz.yml",
     bank(SC.format(id="q1"), SC.format(id="q2"), SC.format(id="q3"),
          SC.format(id="oer-licence").replace("answer: a", "answer: d")),
     ": question 4 (oer-licence): 'answer' must be one of the option ids a, b, c"),
    ("duplicate-question-id", "quiz.yml", bank(SC.format(id="q1"), SC.format(id="q2"), SC.format(id="q1")),
     ": question 3 (q1): 'id' repeats 'q1', the id of question 1; every question needs its own id"),
    ("duplicate-option-id", "quiz.yml", bank(SC.format(id="q1").replace("{id: c, text: C}", "{id: a, text: C}")),
     ": question 1 (q1): 'options[2].id' repeats 'a' (already options[0].id); every option needs its own id"),
    ("unknown-type", "quiz.yml", bank(SC.format(id="q1").replace("single_choice", "essai")),
     f": question 1 (q1): 'type' must be one of {TYPES} (got 'essai') (did you mean 'essay'?)"),
    ("missing-type", "quiz.yml", bank("  - id: q1\n    text: Hello\n"),
     f": question 1 (q1): 'type' is required; use one of {TYPES}"),
    ("matching-duplicate-right", "quiz.yml",
     bank("  - type: matching\n    id: m1\n    text: Match\n    pairs:\n      - {id: p1, left: BY, right: credit}\n"
          "      - {id: p2, left: SA, right: same licence}\n    distractors: [pay, credit]\n"),
     ": question 1 (m1): 'distractors[1]' repeats 'credit' (already pairs[0].right); every right-hand item "
     "and distractor must be different"),
    ("drag-words-alternatives", "quiz.yml",
     bank("  - type: drag_words\n    id: d1\n    text: Wear [[gloves|mittens]] at work.\n"),
     ": question 1 (d1): 'text' has the gap [[gloves|mittens]]; each gap must hold exactly one word or phrase "
     "(no '|' alternatives)"),
    ("cloze-empty-alternative", "quiz.yml",
     bank("  - type: cloze\n    id: c1\n    text: An [[open|]] licence.\n"),
     ": question 1 (c1): 'text' has the gap [[open|]] with an empty answer; write [[answer]] or "
     "[[answer|alternative]]"),
    ("unknown-field", "quiz.yml", bank(SC.format(id="q1").replace("answer: a", "answr: a")),
     ": question 1 (q1): 'answr' is not a known field of a single_choice question (did you mean 'answer'?); "
     "allowed: id, text, title, points, hints, feedback, max_attempts, show_solution_after, options, answer, "
     "scores, shuffle (and 1 more problem)"),
    ("unknown-nested-field", "quiz.yml", bank(SC.format(id="q1").replace("{id: b, text: B}", "{id: b, txt: B}")),
     ": question 1 (q1): 'options[1].txt' is not a known field here (did you mean 'text'?); "
     "allowed: id, text, feedback (and 1 more problem)"),
    ("missing-field", "quiz.yml", bank(SC.format(id="q1").replace("    answer: a\n", "")),
     ": question 1 (q1): 'answer' is required but missing"),
    ("bad-question-id", "quiz.yml", bank(SC.format(id="'my question'")),
     f": question 1 (my question): 'id' {ID_RULE}; got 'my question')"),
    ("bad-option-id", "quiz.yml", bank(SC.format(id="q1").replace("{id: b,", "{id: b/2,")),
     f": question 1 (q1): 'options[1].id' {ID_RULE}; got 'b/2')"),
    ("numeric-option-id", "quiz.yml",
     bank(SC.format(id="q1").replace("{id: a,", "{id: 1,").replace("answer: a", "answer: '1'")),
     ": question 1 (q1): 'options[0].id' must be text (got the number 1; put it in quotes: '1')"),
    ("question-not-mapping", "quiz.yml", bank(SC.format(id="q1"), "  - Is this a question?\n"),
     ": question 2: must be a mapping of fields such as 'type:', 'id:' and 'text:' (got text)"),
    ("numeric-value-and-min", "quiz.yml",
     bank("  - type: numeric\n    id: vat\n    text: How much?\n    answers:\n      - {value: 96, min: 90}\n"),
     ": question 1 (vat): 'answers[0]' has both 'value' and 'min'/'max'; give either 'value' "
     "(with optional 'tolerance') or both 'min' and 'max'"),
    ("numeric-min-above-max", "quiz.yml",
     bank("  - type: numeric\n    id: vat\n    text: How much?\n    answers:\n      - {min: 99, max: 90}\n"),
     ": question 1 (vat): 'answers[0].min' must not be greater than 'max' (99 > 90)"),
    ("bad-regex", "quiz.yml",
     bank("  - type: short_text\n    id: by\n    text: Two letters?\n    answers:\n"
          "      - text: BY\n      - regex: '(cc|by'\n"),
     ": question 1 (by): 'answers[1].regex' is not a valid regular expression: "
     "missing ), unterminated subpattern at position 0"),
    ("named-group-regex", "quiz.yml",
     bank("  - type: short_text\n    id: by\n    text: Two letters?\n    answers:\n"
          "      - regex: '(?P<x>by)'\n"),
     ": question 1 (by): 'answers[0].regex' must not use named groups (?P<name>...) or (?<name>...); "
     "they work differently in Python and JavaScript"),
    ("cloze-without-gaps", "quiz.yml", bank("  - type: cloze\n    id: c1\n    text: No gaps here.\n"),
     ": question 1 (c1): 'text' must contain at least one gap written as [[answer]] or [[answer|alternative]]"),
    ("likert-band-outside-scale", "quiz.yml",
     bank("  - type: likert\n    id: conf\n    text: Rate\n    statements: [{id: s1, text: I can}]\n"
          "    scale: [never, sometimes, often]\n    bands:\n      - {min: 1, max: 2, label: Low, advice: Practise.}\n"
          "      - {min: 2.5, max: 5, label: High, advice: Go on.}\n"),
     ": question 1 (conf): 'bands[1]' runs from 2.5 to 5 but must lie between 1 and 3 (the scale has 3 points)"),
    ("yaml-yes-no-trap", "quiz.yml",
     bank("  - type: likert\n    id: conf\n    text: Rate\n    statements: [{id: s1, text: I can}]\n"
          "    scale: [no, a bit, yes]\n"),
     ": question 1 (conf): 'scale[0]' must be text (got false: YAML reads yes, no, on, off, true and false "
     "as true/false; put the text in quotes) (and 1 more problem)"),
    ("mr-answer-not-an-option", "quiz.yml",
     bank(SC.format(id="m1").replace("single_choice", "multiple_response").replace("answer: a", "answers: [a, e]")),
     ": question 1 (m1): 'answers[1]' must be one of the option ids a, b, c (got 'e')"),
    ("negative-points", "quiz.yml", bank(SC.format(id="q1") + "    points: -2\n"),
     ": question 1 (q1): 'points' must be at least 0 (got -2)"),
    ("too-few-options", "quiz.yml",
     bank("  - type: single_choice\n    id: q1\n    text: t\n    options: [{id: a, text: A}]\n    answer: a\n"),
     ": question 1 (q1): 'options' needs at least 2 entries (got 1)"),
    ("hints-not-a-list", "quiz.yml", bank(SC.format(id="q1") + "    hints: Look closely\n"),
     ": question 1 (q1): 'hints' must be a list, one '- ' entry per line (got text)"),
]


@pytest.mark.parametrize("name,filename,content,expected", BAD, ids=[b[0] for b in BAD])
def test_malformed_bank_gives_exact_one_line_message(tmp_path, monkeypatch, name, filename, content, expected):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, filename, content)
    with pytest.raises(H4SError) as e:
        load_bank(filename)
    msg = str(e.value)
    assert msg == filename + expected
    assert "\n" not in msg and "Traceback" not in msg and "pydantic" not in msg.lower()
    assert isinstance(e.value, (QuestionError, BankFileError)) and isinstance(e.value, ValueError)


def test_distinct_malformed_cases():
    assert len(BAD) >= 14 and len({b[3] for b in BAD}) == len(BAD)


def test_missing_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(BankFileError) as e:
        load_bank("questions/nope.yml")
    assert str(e.value) == f"questions/nope.yml: file not found; check the path (relative to {tmp_path})"
    with pytest.raises(BankFileError) as e:
        load_bank(tmp_path / "nope.yml")
    assert str(e.value) == f"{tmp_path / 'nope.yml'}: file not found; check the path"


def test_question_error_carries_its_parts(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "quiz.yml", bank(SC.format(id="q1"), SC.format(id="x").replace("answer: a", "answer: z")))
    with pytest.raises(QuestionError) as e:
        load_bank("quiz.yml")
    assert (e.value.where, e.value.field) == ("quiz.yml: question 2 (x)", "answer")
    assert e.value.problem == "must be one of the option ids a, b, c"


def test_messages_stay_on_one_line_even_with_multiline_input(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "quiz.yml", bank("  - type: single_choice\n    id: q1\n    text: |\n      two\n      lines\n"
                                     "    options: [{id: a, text: A}, {id: b, text: B}]\n    answer: |\n      c\n      d\n"))
    with pytest.raises(QuestionError) as e:
        load_bank("quiz.yml")
    assert "\n" not in str(e.value) and str(e.value).startswith("quiz.yml: question 1 (q1): 'answer'")


def test_error_classes():
    assert issubclass(QuestionError, H4SError) and issubclass(BankFileError, H4SError)
    assert str(QuestionError("a.yml: question 1 (x)", "text", "must\nnot be\tempty")) == \
        "a.yml: question 1 (x): 'text' must not be empty"


# ------------------------------------------------------------------ JSON Schema

@functools.lru_cache(maxsize=None)
def _validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(_schema_tools.SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_committed_json_schema_is_up_to_date():
    assert _schema_tools.SCHEMA_FILE.read_text(encoding="utf-8") == _schema_tools.schema_text(), \
        "h4s_widgets/schema/question-bank.schema.json is out of date; run: python -m h4s_widgets._schema_tools schema"
    assert json_schema()["required"][0] == "schema_version"


EXAMPLE_BANKS: dict[str, object] = {"reference: bank file": yaml.safe_load(BANK_EXAMPLE),
                                    "good": yaml.safe_load(GOOD_YAML)}
EXAMPLE_BANKS.update({f"reference: {t}": {"schema_version": 1, "questions": yaml.safe_load(text)}
                      for t, text in EXAMPLES.items()})


@pytest.mark.parametrize("name", sorted(EXAMPLE_BANKS))
def test_example_banks_pass_json_schema_and_pydantic(name):
    data = EXAMPLE_BANKS[name]
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in _validator().iter_errors(data)]
    assert not errors, errors
    parse_bank(data, name)


BANK_GLOBS = ("modules/*/questions/*.yml", "examples/**/*.yml", "examples/**/*.yaml", "examples/**/*.json",
              "tests/fixtures/**/questions/*.yml")


def test_bank_files_json_schema_agrees_with_pydantic():
    """Committed banks (modules, examples, fixtures): the JSON Schema and load_bank give the same verdict.

    Modules and examples must be valid; fixtures may be broken on purpose, but then both must reject them
    (a few checks, such as answer ids and duplicate ids, are beyond JSON Schema: those count as agreeing).
    One test over all files, so that files added while the suite is collected cannot upset pytest-xdist.
    """
    files = sorted({p for pattern in BANK_GLOBS for p in ROOT.glob(pattern)})
    assert files, "no question bank files found"
    problems = []
    for path in files:
        rel = path.relative_to(ROOT)
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError):
            data = None
        schema_ok = data is not None and not list(_validator().iter_errors(data))
        try:
            load_bank(path)
            pydantic_ok, why = True, ""
        except H4SError as e:
            pydantic_ok, why = False, str(e)
        if "fixtures" not in rel.parts and not (schema_ok and pydantic_ok):
            problems.append(f"{rel} is not a valid bank: {why or 'the JSON Schema rejects it'}")
        elif not schema_ok and pydantic_ok:
            problems.append(f"{rel}: the JSON Schema rejects a bank that load_bank accepts")
    assert not problems, problems


def _q(**kw):
    q = {"type": "single_choice", "id": "q1", "text": "Pick", "answer": "a",
         "options": [{"id": "a", "text": "A"}, {"id": "b", "text": "B"}]}
    q.update(kw)
    return {k: v for k, v in q.items() if v is not None}


JSON_BAD = {
    "bare list": [_q()],
    "missing schema_version": {"questions": [_q()]},
    "schema_version 2": {"schema_version": 2, "questions": [_q()]},
    "empty questions": {"schema_version": 1, "questions": []},
    "unknown bank field": {"schema_version": 1, "titel": "x", "questions": [_q()]},
    "unknown type": {"schema_version": 1, "questions": [_q(type="essai")]},
    "unknown field": {"schema_version": 1, "questions": [_q(answr="a")]},
    "bad id": {"schema_version": 1, "questions": [_q(id="my question")]},
    "missing text": {"schema_version": 1, "questions": [_q(text=None)]},
    "one option": {"schema_version": 1, "questions": [_q(options=[{"id": "a", "text": "A"}])]},
    "pass_mark 80": {"schema_version": 1, "pass_mark": 80, "questions": [_q()]},
    "negative points": {"schema_version": 1, "questions": [_q(points=-1)]},
}


@pytest.mark.parametrize("name", sorted(JSON_BAD))
def test_bad_banks_are_rejected_by_json_schema_and_pydantic(name):
    data = JSON_BAD[name]
    assert list(_validator().iter_errors(data)), f"JSON Schema accepted {name}"
    with pytest.raises(QuestionError):
        parse_bank(data, "bad.json")


# ------------------------------------------------------------------ reference page

def test_reference_is_up_to_date():
    assert _schema_tools.REFERENCE_FILE.read_text(encoding="utf-8") == _schema_tools.reference_text(), \
        "book/trainers/question-types.md is out of date; run: python -m h4s_widgets._schema_tools reference"


def test_reference_has_one_top_heading_and_every_type():
    text = _schema_tools.REFERENCE_FILE.read_text(encoding="utf-8")
    outside_code = re.sub(r"^```.*?^```$", "", text, flags=re.S | re.M)
    assert re.findall(r"^# .*$", outside_code, flags=re.M) == ["# Question types reference"]
    assert text.startswith("# Question types reference\n")
    assert set(EXAMPLES) == set(REGISTRY)
    for name, cls in REGISTRY.items():
        assert f"\n## {cls.label}\n" in text and f"`type: {name}`" in text
        assert EXAMPLES[name].rstrip("\n") in text
        for field in cls.model_fields:
            if field != "type":
                assert f"| `{field}` |" in text


def test_every_example_in_the_reference_parses():
    blocks = yaml_blocks(_schema_tools.REFERENCE_FILE.read_text(encoding="utf-8"))
    assert len(blocks) == len(REGISTRY) + 1
    seen_types = []
    all_questions = []
    for block in blocks:
        data = yaml.safe_load(block)
        if isinstance(data, list):
            data = {"schema_version": 1, "questions": data}
        parsed = parse_bank(data, "question-types.md")
        seen_types += [q.type for q in parsed.questions]
        all_questions += data["questions"]
    assert set(REGISTRY) <= set(seen_types)
    # the examples have distinct ids, so they can be copied into one bank together
    parse_bank({"schema_version": 1, "questions": all_questions}, "all examples")
    # every documented type's example is of that type
    for name, text in EXAMPLES.items():
        (q,) = yaml.safe_load(text)
        assert parse_question(q).type == name


# ------------------------------------------------------------------ generator command

def test_generated_files_are_up_to_date_per_the_command(capsys):
    assert _schema_tools.main(["all", "--check"]) == 0, capsys.readouterr().out
    assert "up to date" in capsys.readouterr().out


def test_check_reports_a_stale_file_and_the_command_rewrites_it(tmp_path, monkeypatch, capsys):
    stale = tmp_path / "question-bank.schema.json"
    stale.write_text("{}\n", encoding="utf-8")
    monkeypatch.setattr(_schema_tools, "SCHEMA_FILE", stale)
    assert _schema_tools.main(["schema", "--check"]) == 1
    assert "out of date" in capsys.readouterr().out and stale.read_text() == "{}\n"
    assert _schema_tools.main(["schema"]) == 0
    assert stale.read_text(encoding="utf-8") == _schema_tools.schema_text()
    assert _schema_tools.main(["schema", "--check"]) == 0


RIGHT_ANSWERS = {
    "single_choice": "a", "multiple_response": ["a", "b", "d"], "true_false": False, "cloze": ["open", "CC-BY"],
    "numeric": "96,00", "short_text": "cc by", "ordering": ["l1", "l2", "l3", "l4"],
    "drag_words": ["gloves", "goggles"],
    "matching": {"by": "Credit the author", "sa": "Share under the same licence", "nc": "No commercial use",
                 "nd": "No changed versions"},
}


@pytest.mark.parametrize("qtype", sorted(RIGHT_ANSWERS))
def test_reference_examples_grade_their_right_answer_as_correct(qtype):
    """The examples teach by example, so they must work: the intended answer gets full marks."""
    from h4s_widgets import grade
    q = parse_question(yaml.safe_load(EXAMPLES[qtype])[0])
    result = grade(q, RIGHT_ANSWERS[qtype])
    assert result.correct and result.score == q.points


@pytest.mark.parametrize("pattern, shown", [
    (r"\d+", r"\d"), (r"[a-z]+\w", r"\w"), (r"\bcat\b", r"\b"), (r"(?i)katze", "(?i"), (r"\Aabc\Z", r"\A"),
])
def test_regexes_that_python_and_the_browser_read_differently_are_refused(pattern, shown):
    bank = {"schema_version": 1, "questions": [
        {"id": "q", "type": "short_text", "text": "t", "answers": [{"regex": pattern}]}]}
    with pytest.raises(QuestionError) as e:
        parse_bank(bank, "quiz.yml")
    assert str(e.value).startswith(f"quiz.yml: question 1 (q): 'answers[0].regex' must not use {shown}:")


@pytest.mark.parametrize("pattern", [r"[0-9]+", r"colou?r", r"\\d", r"\.5", r"x(?:y|z)", r"(?=a)a"])
def test_portable_regexes_are_accepted(pattern):
    bank = {"schema_version": 1, "questions": [
        {"id": "q", "type": "short_text", "text": "t", "answers": [{"regex": pattern}]}]}
    assert parse_bank(bank, "quiz.yml").questions[0].answers[0].regex == pattern
