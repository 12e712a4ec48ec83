"""GIFT import and export: our own fixture, malformed input, escaping, the CLI, Moodle's own fixture, and
hypothesis round trips h4s -> GIFT -> h4s for every type GIFT can carry."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from h4s_kit.cli import main
from h4s_kit.interop.gift import escape, parse_gift, read_gift, to_gift
from h4s_widgets._errors import ImportFormatError
from h4s_widgets._grading import grade
from h4s_widgets._markdown import md_inline
from h4s_widgets._schema import load_bank, parse_bank, parse_question

from _interop import FIX, SHARED, by_id  # first: puts FIX on sys.path
import h4s_strategies as S  # noqa: E402


# ------------------------------------------------------------------ our own fixture

def test_sample_fixture_every_feature():
    r = read_gift(FIX / "sample.gift.txt")
    parse_bank(r.bank)
    q = by_id(r)
    assert r.count == 16 and r.skipped == 1
    assert r.bank["title"] == "Sicherheit"                           # $CATEGORY:
    assert set(r.categories.values()) == {"Werkstatt/Sicherheit"} and len(r.categories) == 16
    assert [x["type"] for x in r.bank["questions"]].count("true_false") == 4
    sc = q["ppe-single"]                                             # // [id:...] comment -> id
    assert sc["type"] == "single_choice" and sc["answer"] == "a" and sc["title"] == "Schutzausrüstung"
    assert sc["options"][1] == {"id": "b", "text": "Gehörschutz", "feedback": "Nein, der schützt die Ohren."}
    assert sc["feedback"] == "Beim Schleifen fliegen Funken und Späne."
    mr = next(x for x in r.bank["questions"] if x.get("title") == "Ασφάλεια")
    assert mr["type"] == "multiple_response" and mr["answers"] == ["a", "b"]
    assert mr["options"][2]["feedback"] == "Όχι! Αυτό αυξάνει τον κίνδυνο."
    esc = q["escapes"]
    # Moodle's default format is plain text: stored as Markdown that shows the same characters
    assert esc["text"] == "Which characters must be escaped in GIFT: \\~ = # { } and \\\\ ?"
    assert md_inline(esc["text"]) == "Which characters must be escaped in GIFT: ~ = # { } and \\ ?"
    assert esc["options"][0] == {"id": "a", "text": "All of \\~ = # { } :", "feedback": "Right: every one of them."}
    tf = q["prawda-czy-falsz"]                                       # {TRUE#if wrong#if right####general}
    assert tf["answer"] is True and tf["feedback_true"] == "Dobrze!"
    assert tf["feedback_false"] == "Źle: proszek nie przewodzi prądu."
    assert tf["feedback"] == "Sprawdź zawsze etykietę gaśnicy."
    assert [q[k]["answer"] for k in ("vrai-ou-faux", "igaz-hamis", "sant-eller-falskt")] == [False, True, False]
    sa = q["paakaupunki"]
    assert sa["answers"][1] == {"text": "Helsingfors", "score": 0.5, "feedback": "Ruotsiksi, kyllä."}
    assert sa["answers"][2]["regex"] == ".*" and sa["answers"][2]["score"] == 0
    assert grade(parse_question(sa), "helsinki").correct is True
    assert grade(parse_question(sa), "Oslo").feedback == ["answer:2"]
    cl = q["luckentext"]                                             # missing word -> cloze
    assert cl == {"type": "cloze", "id": "luckentext", "title": "Lückentext",
                  "text": "Der Feuerlöscher hängt [[neben der Tür|an der Tür]] im Flur."}
    assert "\\_\\_\\_\\_\\_" in q["palabra"]["text"] and q["palabra"]["type"] == "single_choice"
    assert q["pi"]["answers"] == [{"value": 3.14, "tolerance": 0.005, "score": 1.0}]
    assert q["range"]["answers"] == [{"min": 1.0, "max": 5.0, "score": 1.0}]
    volt = parse_question(q["voltage"])
    assert [a.score for a in volt.answers] == [1.0, 0.5, 0.0]
    assert grade(volt, "220").score == 0.5 and grade(volt, "7").feedback == ["answer:2"]
    ma = next(x for x in r.bank["questions"] if x.get("title") == "Σύνδεση")
    assert [p["right"] for p in ma["pairs"]] == ["Prohibition", "Mandatory action", "Warning"]
    assert ma["distractors"] == ["Information"]
    assert q["reflexe"]["type"] == "essay"
    assert q["formats"]["text"] == "Which sign means **danger**?"
    assert q["formats"]["options"][1]["text"] == "*Green* square"
    lines = [str(w) for w in r.warnings]
    assert "sample.gift.txt:72: question 'formats': [html] formatting converted to Markdown in the question text" in lines
    assert any(w.startswith("sample.gift.txt:78: question 'intro':") and "skipped" in w for w in lines)
    assert any(w.startswith("sample.gift.txt:47: question 'palabra':") for w in lines)
    assert len(lines) == 3


@pytest.mark.parametrize("text, line, words", [
    ("::a:: x {=y\n", 1, "not closed"),
    ("::a:: ok {=y}\n\n::b:: x } {=z}\n", 3, "without"),
    ("::a:: x {=y ~z}\n\n\n::b:: x {#abc}\n", 4, "not a number"),
    ("::a:: x {#1..}\n", 1, "not a number"),
    ("::a:: x {~y ~z}\n", 1, "no answer is right"),
    ("::a:: x {=y} and {=z}\n", 1, "second answer block"),
    ("// c\n::a x {T}\n", 2, "title is not closed"),
    ("::a:: x {TRUE#a#b#c}\n", 1, "at most two feedbacks"),
    ("::a:: x {=%50%y =%20%z}\n", 1, "no fully right answer"),
    ("::a:: {=a -> b}\n", 1, "at least two pairs"),
])
def test_malformed_gift_names_file_and_line(text, line, words):
    try:
        msgs = parse_gift(text, "bad.gift").refused        # the others are imported
    except ImportFormatError as e:                           # nothing left to import
        msgs = [str(e)]
    assert any(m.startswith(f"bad.gift:{line}:") and words in m for m in msgs), msgs


def test_not_utf8_is_an_import_error(tmp_path):
    p = tmp_path / "latin1.gift"
    p.write_bytes("::a:: Größe? {=groß}".encode("latin-1"))
    with pytest.raises(ImportFormatError, match="not UTF-8"):
        read_gift(p)


# ------------------------------------------------------------------ export

def test_escape_every_special_character():
    assert escape("a~b=c#d{e}f:g\\h\ni") == "a\\~b\\=c\\#d\\{e\\}f\\:g\\h\\ni"
    assert escape("\\~") == "\\\\\\~"          # a backslash before a special character is itself escaped
    assert escape("$\\pi$") == "$\\pi$"         # LaTeX stays readable


def test_export_says_what_and_why_and_skips():
    bank = load_bank(FIX / "mixed-bank.yml")
    res = to_gift(bank.questions, category="h4s/mixed")
    w = "\n".join(res.warnings)
    for qid, why in [("or", "ordering has no GIFT equivalent; skipped"), ("li", "likert"), ("fl", "flashcards"),
                     ("co", "code"), ("cl", "2 gaps"), ("st", "regular-expression answer"), ("rx", "no fully right answer"),
                     ("st", "case_sensitive"), ("nu", "unit 'V'"), ("mr", "all-or-nothing"),
                     ("ma", "feedback not exported"), ("es", "model_answer"), ("dw", "missing-word multiple choice")]:
        assert f"question '{qid}': " in w and why in w, (qid, why)
    assert res.exported == 8
    assert res.text.startswith("$CATEGORY: $course$/h4s/mixed\n")
    assert parse_gift(res.text, "m.gift").categories["sc"] == "h4s/mixed"
    assert "::sc::[markdown]Pick the safe option\\: \\~ \\= \\# \\{ \\} \\: {" in res.text
    back = by_id(parse_gift(res.text, "m.gift"))
    assert set(back) == {"sc", "mr", "tf", "st", "nu", "ma", "dw", "es"}
    assert back["dw"]["type"] == "single_choice"      # drag the words -> missing-word multiple choice
    assert back["sc"]["options"][0]["text"] == "Goggles {safe}"


# ------------------------------------------------------------------ CLI

def test_cli_import_prints_count_and_warnings(tmp_path, capsys):
    out = tmp_path / "bank.yml"
    assert main(["import", "gift", str(FIX / "sample.gift.txt"), "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "imported 16 questions" in printed
    assert "warning: sample.gift.txt:72: question 'formats': [html] formatting converted to Markdown" in printed
    assert len(load_bank(out).questions) == 16
    # refuses to overwrite; malformed input: exit 1 with file and line
    assert main(["import", "gift", str(FIX / "sample.gift.txt"), "-o", str(out)]) == 1
    bad = tmp_path / "bad.gift"
    bad.write_text("::a:: fine {T}\n\n::b:: broken {=x\n", encoding="utf-8")
    assert main(["import", "gift", str(bad), "-o", str(tmp_path / "b.yml")]) == 1   # one refused: exit 1
    err = capsys.readouterr().err
    assert "refused: bad.gift:3: '{' is not closed" in err and "1 question refused" in err
    assert [q.id for q in load_bank(tmp_path / "b.yml").questions] == ["a"]         # the rest is imported
    only_bad = tmp_path / "only-bad.gift"
    only_bad.write_text("::b:: broken {=x\n", encoding="utf-8")
    assert main(["import", "gift", str(only_bad), "-o", str(tmp_path / "c.yml")]) == 1
    assert "only-bad.gift:1:" in capsys.readouterr().err and not (tmp_path / "c.yml").exists()


def test_cli_export_gift_from_a_bank(tmp_path, capsys):
    out = tmp_path / "x.gift.txt"
    assert main(["export", "gift", str(FIX / "mixed-bank.yml"), "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "exported 8 of 14 questions" in printed
    assert "warning: question 'or': type ordering has no GIFT equivalent; skipped" in printed
    assert parse_gift(out.read_text(encoding="utf-8"), "x").count == 8


# ------------------------------------------------------------------ Moodle's own fixture (../shared)

def test_shared_moodle_gift_fixture():
    path = SHARED / "interop" / "moodle" / "questions.gift.txt"
    if not path.exists():
        pytest.skip(f"{path} is absent (../shared is not checked out beside the repo)")
    r = read_gift(path)
    assert r.count == 9 and r.skipped == 0                       # Moodle's test: "Importing 9 questions"
    types = [q["type"] for q in r.bank["questions"]]
    assert types == ["essay", "matching", "single_choice", "multiple_response", "numeric", "short_text",
                     "true_false", "true_false", "true_false"]
    q = by_id(r)
    assert q["moodle-activities"]["distractors"] == ["Chat"] and len(q["moodle-activities"]["pairs"]) == 4
    assert q["colours"]["answers"] == ["a", "c"]
    assert q["q5"]["answers"][0] == {"value": 3.0, "tolerance": 2.0, "score": 1.0}
    assert q["q5"]["answers"][-1]["feedback"] == "Completely wrong"
    assert q["q1"]["answer"] is False and q["q1"]["feedback_true"] == "42 is the Ultimate Answer."
    assert q["q1"]["feedback_false"] == "You gave the right answer."
    assert len({q_["id"] for q_ in r.bank["questions"]}) == 9       # the two "2-08 TSL" questions get distinct ids
    assert any("[html] formatting converted to Markdown" in str(w) and "'moodle-activities'" in str(w)
               for w in r.warnings)
    assert any("weights" in str(w) and "'colours'" in str(w) for w in r.warnings)


# ------------------------------------------------------------------ round trip

@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(S.questions("gift"))
def test_round_trip_h4s_gift_h4s(qs):
    res = to_gift(qs)
    assert res.warnings == [] and res.exported == len(qs)
    back = parse_gift(res.text, "rt.gift")
    assert back.warnings == [], [str(w) for w in back.warnings]
    assert [parse_question(d).model_dump() for d in back.bank["questions"]] == [q.model_dump() for q in qs]


@pytest.mark.parametrize("qtype", sorted(S.GIFT_TYPES))
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=S.st.data())
def test_round_trip_gift_each_type(qtype, data):
    qs = data.draw(S.questions("gift", types=[qtype]))
    back = parse_gift(to_gift(qs).text, "rt.gift")
    got = [parse_question(d).model_dump() for d in back.bank["questions"]]
    assert [g["type"] for g in got] == [qtype] * len(qs)
    assert got == [q.model_dump() for q in qs]


# ------------------------------------------------------------------ Moodle's reading of GIFT (issue 17)

def one(text: str) -> tuple[dict, list[str]]:
    r = parse_gift(text, "m.gift")
    assert r.count == 1 and not r.refused, r.refused
    return r.bank["questions"][0], [str(w) for w in r.warnings]


def test_plain_text_keeps_its_characters():
    q, _ = one("::a:: What is 2*3*4? A \\\\ B \\\\\\\\ C costs $5 {=24}")
    assert md_inline(q["text"]) == "What is 2*3*4? A \\ B \\\\ C costs $5"     # no italics, no lost backslash
    q, _ = one("::b:: [markdown]What is *this*? {=x}")
    assert md_inline(q["text"]) == "What is <em>this</em>?"                    # [markdown] stays Markdown


@pytest.mark.parametrize("text, qtype, check", [
    ("::a:: Say one {One}", "short_text", lambda q: q["answers"] == [{"text": "One", "score": 1.0}]),
    ("::a:: Write it {true}", "short_text", lambda q: q["answers"][0]["text"] == "true"),
    ("::a:: Is it? {TRUE}", "true_false", lambda q: q["answer"] is True),
    ("::a:: Capital? {=[markdown]Paris}", "short_text", lambda q: q["answers"][0]["text"] == "Paris"),
    ("::a:: Pick {=%50%yes ~no}", "single_choice", lambda q: q["answer"] == "a" and "scores" not in q),
    ("::a:: Pick {~wrong ~%50%half =full}", "single_choice",
     lambda q: q["answer"] == "c" and q["scores"] == {"b": 0.5}),
    ("::a:: Pick {=one =two ~three}", "single_choice", lambda q: q["answer"] == "a" and q["scores"] == {"b": 1.0}),
    ("::a:: Pick {~%50%a ~%50%b ~c}", "multiple_response", lambda q: q["answers"] == ["a", "b"]),
])
def test_types_and_marks_as_moodle_reads_them(text, qtype, check):
    q, _ = one(text)
    assert q["type"] == qtype and check(q), q


def test_single_answer_with_partial_marks_grades_as_in_moodle():
    q, warnings = one("::a:: Pick {~wrong ~%50%half =full ~%-25%bad}")
    sc = parse_question(q)
    assert [grade(sc, o).score for o in "abcd"] == [0, 0.5, 1, 0]
    assert grade(sc, "c").correct is True and grade(sc, "b").correct is False
    assert any("negative marks" in w for w in warnings)
    back = parse_gift(to_gift([sc]).text, "x")                 # and back to GIFT: '~%50%half', '=full'
    assert back.bank["questions"][0]["scores"] == {"b": 0.5}


def test_tags_and_embedded_files_are_named():
    _, warnings = one("// [tag:safety] [tag:ppe]\n::a:: [html]See <img src=\"@@PLUGINFILE@@/x.png\"> {T}")
    assert any("tags (safety, ppe) left out" in w for w in warnings)
    assert any("@@PLUGINFILE@@" in w or "embedded image" in w for w in warnings)


def test_one_refused_question_does_not_stop_the_file():
    text = "::a:: fine {T}\n\n::b:: broken {#abc}\n\n::c:: also fine {F}\n\n::d:: } stray\n\n::e:: last {=x}\n"
    r = parse_gift(text, "m.gift")
    assert [q["id"] for q in r.bank["questions"]] == ["a", "c", "e"]
    assert [m.split(":")[1] for m in r.refused] == ["3", "7"]
    assert r.lines == {"a": 1, "c": 5, "e": 9}
