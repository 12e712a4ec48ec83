"""The kept banks (h4s_widgets/_bank_cache.py): a quiz from a bank file is validated once, then rebuilt from
the user's cache into the same models, and shows, keys and grades exactly as before.  An entry is used only
for the same bytes, h4s, pydantic and schema source, and only from a folder and file that are the user's own
and nobody else may write; a bank that does not validate gives its one-line error and is never kept."""
from __future__ import annotations

import glob
import json
import os
import shutil
import warnings
from pathlib import Path

import pytest
import yaml

import h4s_widgets._schema as schema
from h4s_widgets import Quiz, load_bank
from h4s_widgets import _bank_cache as cache
from h4s_widgets._errors import QuestionError
from h4s_widgets._spec import json_dump
from h4s_widgets.types import UNITS

ROOT = Path(__file__).resolve().parents[1]
ALL_TYPES = ROOT / "examples" / "all-question-types.yml"
BANKS = sorted(glob.glob(str(ROOT / "modules" / "*" / "questions" / "*.yml"))) + [str(ALL_TYPES)]


@pytest.fixture(autouse=True)
def _cache_here(tmp_path, monkeypatch):
    monkeypatch.setenv("H4S_RECORDS", "off")
    monkeypatch.delenv("H4S_LIVE", raising=False)
    d = tmp_path / "cache"
    d.mkdir(mode=0o700)
    monkeypatch.setenv("H4S_CACHE_DIR", str(d))
    monkeypatch.setattr(cache, "_fingerprint", None)
    return d


@pytest.fixture
def validations(monkeypatch):
    """How many times a bank was validated (parse_bank ran)."""
    calls = []
    real = schema.parse_bank

    def counted(*a, **kw):
        calls.append(1)
        return real(*a, **kw)
    monkeypatch.setattr(schema, "parse_bank", counted)
    return calls


def _bank(tmp_path, src=ALL_TYPES, name="bank.yml") -> Path:
    p = tmp_path / name
    shutil.copyfile(src, p)
    return p


def _shown(q: Quiz) -> tuple:
    return q.spec, q.static_payload(salt="fixed-salt"), q.pass_mark, q._draw


def test_a_bank_is_validated_once_then_rebuilt_into_the_same_models(tmp_path, validations):
    p = _bank(tmp_path)
    first = Quiz(p)
    assert len(validations) == 1 and len(list((tmp_path / "cache" / "banks").glob("*.json"))) == 1
    second = Quiz(p)
    assert len(validations) == 1   # from the cache
    assert all(cache._same(a, b) for a, b in zip(second.questions, load_bank(p).questions))
    assert [type(q) for q in second.questions] == [type(q) for q in first.questions]
    assert _shown(second) == _shown(first)


@pytest.mark.parametrize("bank", BANKS, ids=lambda b: "/".join(Path(b).parts[-3:]))
def test_every_bank_of_the_course_shows_and_keys_the_same_from_the_cache(tmp_path, bank):
    p = _bank(tmp_path, bank)
    validated = Quiz(p)
    kept = cache.load(p, p.read_bytes(), lang=validated._lang)
    assert kept is not None, "the bank was not kept"
    from_cache = Quiz(p)
    assert _shown(from_cache) == _shown(validated)
    assert all(cache._same(a.model(), b) for a, b in zip(kept[2], load_bank(p).questions))
    assert all(k.shown is not None for k in kept[2])   # every question of the course shows from what was kept


def test_grading_is_the_same_from_the_cache(tmp_path, validations):
    p = _bank(tmp_path)
    validated, kept = Quiz(p), Quiz(p)
    assert len(validations) == 1
    responses = {"hand-rub-time": "b", "five-moments": ["a", "c"], "balsa": False, "board-left": 25,
                 "spelling-r": "recieve", "handover-reflection": "I would hand over in writing.",
                 "tools": {"a": "x"}}
    for qid, r in responses.items():
        a, b = validated.check(qid, r), kept.check(qid, r)
        assert a is not None and a.as_dict(details=True) == b.as_dict(details=True), qid
    assert validated.state == kept.state


def test_a_changed_bank_is_validated_again(tmp_path, validations):
    p = _bank(tmp_path)
    Quiz(p)
    data = yaml.safe_load(p.read_text(encoding="utf-8"))
    data["questions"][0]["text"] = "A new question text"
    p.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    q = Quiz(p)
    assert len(validations) == 2 and q.spec["questions"][0]["text_html"].count("A new question text") == 1


def test_a_bad_bank_gives_the_same_one_line_error_and_is_never_kept(tmp_path):
    p = tmp_path / "bad.yml"
    p.write_text("schema_version: 1\nquestions:\n  - type: single_choice\n    id: q1\n    text: T\n"
                 "    options: [{id: a, text: A}, {id: b, text: B}]\n    answer: z\n", encoding="utf-8")
    with pytest.raises(QuestionError) as direct:
        load_bank(p)
    for _ in range(2):
        with pytest.raises(QuestionError) as quiz:
            Quiz(p)
        assert str(quiz.value) == str(direct.value) and "\n" not in str(quiz.value)
        assert "bad.yml: question 1 (q1)" in str(quiz.value)
    assert not list((tmp_path / "cache").rglob("*.json"))


@pytest.mark.parametrize("what", ["h4s", "pydantic", "schema", "markdown-it"])
def test_a_new_h4s_pydantic_or_schema_misses_the_cache(tmp_path, validations, monkeypatch, what):
    p = _bank(tmp_path)
    Quiz(p)
    Quiz(p)
    assert len(validations) == 1
    monkeypatch.setattr(cache, "_fingerprint", None)
    if what == "h4s":
        import h4s_widgets._version as v
        monkeypatch.setattr(v, "__version__", v.__version__ + ".post1")
    elif what == "pydantic":
        real = cache._pydantic_version()
        monkeypatch.setattr(cache, "_pydantic_version", lambda: real + ".post1")
    elif what == "markdown-it":   # another markdown-it renders the texts' HTML
        other = tmp_path / "__init__.py"
        other.write_text(cache._markdown_it_version().read_text(encoding="utf-8") + "\n# 99.0\n", encoding="utf-8")
        monkeypatch.setattr(cache, "_markdown_it_version", lambda: other)
    else:   # an edited type unit in a checkout
        src = tmp_path / "pkg"
        shutil.copytree(cache._HERE, src, ignore=shutil.ignore_patterns("__pycache__", "_static", "locales"))
        (src / "types" / "single_choice.py").write_text(
            (src / "types" / "single_choice.py").read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
        monkeypatch.setattr(cache, "_HERE", src)
    Quiz(p)
    assert len(validations) == 2


def _forge(tmp_path, p: Path) -> Path:
    """Keep the bank, then make its entry say that the single-choice answer is another option."""
    Quiz(p)
    (entry,) = (tmp_path / "cache" / "banks").glob("*.json")
    data = json.loads(entry.read_text(encoding="utf-8"))
    sc = next(q for q in data["questions"] if q["type"] == "single_choice")
    other = next(o["id"] for o in sc["options"] if o["id"] != sc["answer"])
    sc["answer"] = other
    entry.write_text(json.dumps(data), encoding="utf-8")
    return entry


def _answer(q: Quiz) -> str:
    return next(x.answer for x in q.questions if x.type == "single_choice")


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX owners and modes")
@pytest.mark.parametrize("where", ["folder", "parent", "file"])
def test_a_cache_others_may_write_is_never_read(tmp_path, where):
    p = _bank(tmp_path)
    real = _answer(Quiz(p))
    entry = _forge(tmp_path, p)
    assert _answer(Quiz(p)) != real   # the user's own cache is the user's own: it is used
    target = {"folder": entry.parent, "parent": entry.parent.parent, "file": entry}[where]
    mode = os.stat(target).st_mode
    os.chmod(target, mode | 0o002)   # anybody may write it
    assert cache.load(p, p.read_bytes()) is None and _answer(Quiz(p)) == real
    os.chmod(target, mode | 0o020)   # the group may write it
    assert cache.load(p, p.read_bytes()) is None and _answer(Quiz(p)) == real


@pytest.mark.skipif(not hasattr(os, "O_NOFOLLOW"), reason="POSIX links")
def test_a_linked_entry_is_never_read(tmp_path):
    p = _bank(tmp_path)
    real = _answer(Quiz(p))
    entry = _forge(tmp_path, p)
    elsewhere = tmp_path / "elsewhere.json"
    entry.rename(elsewhere)
    entry.symlink_to(elsewhere)
    assert _answer(Quiz(p)) == real


def test_a_malformed_or_foreign_entry_is_a_miss_not_an_error(tmp_path, validations):
    p = _bank(tmp_path)
    Quiz(p)
    (entry,) = (tmp_path / "cache" / "banks").glob("*.json")
    good = json.loads(entry.read_text(encoding="utf-8"))
    for bad in ("{not json", json.dumps({**good, "key": "0" * 64}), json.dumps({**good, "format": 99}),
                json.dumps({**good, "questions": [{"type": "no_such_type", "id": "x"}]}),
                json.dumps({**good, "questions": [{**good["questions"][0], "unknown_field": 1}]})):
        entry.write_text(bad, encoding="utf-8")
        before = len(validations)
        Quiz(p)
        assert len(validations) == before + 1


def test_the_cache_can_be_turned_off(tmp_path, monkeypatch, validations):
    monkeypatch.setenv("H4S_CACHE_DIR", "off")
    p = _bank(tmp_path)
    Quiz(p)
    Quiz(p)
    assert len(validations) == 2 and not list(tmp_path.rglob("*.json"))


def test_the_default_place_is_the_users_cache_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("H4S_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    import sys
    if sys.platform.startswith("linux"):
        assert cache.cache_dir() == tmp_path / "xdg" / "h4s" / "banks"
    else:
        import platformdirs
        assert cache.cache_dir() == Path(platformdirs.user_cache_dir("h4s", appauthor=False)) / "banks"


# ------------------------------------------------ the dump a static key starts from, without pydantic's serializer

def _models(cls) -> list:
    from h4s_widgets._schema import _models_in
    out, todo = [], [cls]
    while todo:
        c = todo.pop()
        if c not in out:
            out.append(c)
            for f in c.model_fields.values():
                todo += _models_in(f.annotation)
    return out


def test_question_models_have_nothing_that_model_dump_would_change():
    for cls in {m for name in UNITS for m in _models(schema._registry()[name])}:
        dec = cls.__pydantic_decorators__
        assert not dec.field_serializers and not dec.model_serializers, cls
        assert not cls.model_computed_fields, cls
        assert not any(f.exclude for f in cls.model_fields.values()), cls


def test_json_dump_is_pydantics_for_every_question_of_the_course():
    n = 0
    for bank in BANKS:
        for q in load_bank(bank).questions:
            d = q.model_dump(mode="json", exclude_none=True)
            assert json_dump(q) == d and list(json_dump(q)) == list(d), (bank, q.id)
            n += 1
    for name, mod in UNITS.items():
        (data,) = yaml.safe_load(mod.EXAMPLE)
        q = schema.parse_question(data)
        assert json_dump(q) == q.model_dump(mode="json", exclude_none=True), name
    assert n > 100


def test_json_dump_falls_back_to_pydantic_for_values_json_cannot_hold(tmp_path):
    import datetime
    q = schema.parse_question({"type": "true_false", "id": "t", "text": "T", "answer": True})
    q.title = datetime.date(2026, 1, 1)   # not what the schema allows, but a model can be changed by hand
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # pydantic says it serialized a date where text belongs
        assert json_dump(q)["title"] == "2026-01-01"


def test_a_few_questions_of_a_kept_bank_load_only_those(tmp_path, validations, monkeypatch):
    p = _bank(tmp_path)
    ids = ["spelling-r", "hand-rub-time"]
    validated = Quiz(p, ids=ids)
    kept = cache.load(p, p.read_bytes(), ids)
    assert [q.id for q in kept[2]] == ["hand-rub-time", "spelling-r"]   # the bank's order; Quiz orders them
    again = Quiz(p, ids=ids)
    assert len(validations) == 1 and _shown(again) == _shown(validated)
    assert [q.id for q in again.questions] == ids
    with pytest.raises(QuestionError) as direct:   # an unknown id: the same error, listing every question
        Quiz(p, ids=["spelling-r", "nope"])
    assert "names unknown question(s) nope; known: hand-rub-time, five-moments" in str(direct.value)
    assert len(validations) == 1
    monkeypatch.setenv("H4S_CACHE_DIR", "off")
    with pytest.raises(QuestionError) as validating:
        Quiz(p, ids=["spelling-r", "nope"])
    assert str(validating.value) == str(direct.value) and len(validations) == 2


def test_the_html_kept_with_a_bank_is_what_the_renderer_gives(tmp_path):
    from h4s_widgets import _markdown
    p = _bank(tmp_path)
    Quiz(p)
    (entry,) = (tmp_path / "cache" / "banks").glob("*.json")
    kept = json.loads(entry.read_text(encoding="utf-8"))["html"]
    assert len(kept) > 50 and any(k == "md" for k, _, _ in kept) and any(k == "inline" for k, _, _ in kept)
    for kind, text, html in kept:
        render = _markdown._render_block if kind == "md" else _markdown._render_inline
        assert html == render(text), (kind, text)
    # and a bank shown from the cache renders every text it shows from it: nothing else is asked for
    seen: dict = {}
    _markdown._recording.append(seen)
    try:
        Quiz(p)._repr_mimebundle_()
    finally:
        _markdown._recording.remove(seen)
    assert set(seen) <= {(k, t) for k, t, _ in kept}


def test_pydantics_version_is_read_without_importing_it():
    """The cache's key names pydantic's version, read from pydantic/version.py (an internal file: this fails if
    it moves or changes its form, and then no bank is kept rather than a wrong one used)."""
    import pydantic
    assert cache._pydantic_version() == pydantic.VERSION


def test_a_kept_quiz_grades_and_gives_its_models_as_one_validated_does(tmp_path, validations):
    """A quiz from a kept bank shows from plain data; its models are built at the first answer (or when asked
    for), equal to the validated ones, and the page's key is the model's for any salt."""
    from h4s_widgets._spec import static_key
    p = _bank(tmp_path)
    validated = Quiz(p)
    kept = Quiz(p)
    assert len(validations) == 1
    assert all(type(q).__name__ == "Kept" for q in kept._questions.values())   # nothing built yet
    for salt in ("0123456789abcdef", "fedcba9876543210"):
        payload = kept.static_payload(salt=salt)
        assert [s["key"] for s in payload["static"]] == [
            {k: v for k, v in static_key(q, salt).items() if k != "model_answer"} for q in validated.questions]
    assert kept.check("hand-rub-time", "b").as_dict() == validated.check("hand-rub-time", "b").as_dict()
    assert type(kept._questions["hand-rub-time"]).__name__ != "Kept"          # built at the first answer
    assert type(kept._questions["balsa"]).__name__ == "Kept"
    assert all(cache._same(a, b) for a, b in zip(kept.questions, validated.questions))


def test_a_kept_bank_in_another_language_shows_from_its_models(tmp_path, validations):
    p = _bank(tmp_path)
    english = Quiz(p, lang="en")
    german = Quiz(p, lang="de")
    assert len(validations) == 1
    assert all(q.shown is None for q in german._questions.values() if type(q).__name__ == "Kept")
    assert german.static_payload(salt="s")["static"][0]["key"] == english.static_payload(salt="s")["static"][0]["key"]
    assert german.strings != english.strings


def test_a_key_template_that_does_not_give_the_key_is_not_kept(tmp_path, monkeypatch):
    """The template is checked against the model's key with a fresh salt when the bank is kept: a type whose
    key the template cannot give (here: one that orders its hashes by position) shows from its model."""
    import h4s_widgets._spec as spec
    real = spec.static_key

    def odd(q, salt):   # a key whose hashes are not sorted where every hash of a list is
        k = real(q, salt)
        if q.id == "five-moments":
            k["answers"] = sorted(k["answers"], reverse=True)
        return k
    monkeypatch.setattr(spec, "static_key", odd)
    import h4s_widgets._widget as widget
    monkeypatch.setattr(widget, "static_key", odd)
    p = _bank(tmp_path)
    validated = Quiz(p)
    kept = Quiz(p)
    shown = {q.id: q.shown for q in kept._questions.values()}
    assert shown["five-moments"] is None and shown["hand-rub-time"] is not None
    assert kept.static_payload(salt="s1") == validated.static_payload(salt="s1")

