"""The module metadata schema (h4s_kit.metadata): valid metadata passes, every fault is one clear line."""
from __future__ import annotations

import pytest

from h4s_kit.metadata import ModuleMeta, json_schema, metadata_problems, validate_metadata
from h4s_widgets._errors import MetadataError

SRC = "modules/03-x/module.ipynb"


def good(**over):
    meta = {
        "id": "03-x", "title": "Designing modules", "summary": "How to plan a module.",
        "outcomes": ["You can plan a module", "You can write outcomes"], "eqf_level": 5,
        "duration_minutes": 60, "language": "en", "status": "draft", "digcompedu": [2, 5],
        "keywords": ["design"], "audience": ["VET teachers and trainers"], "closing_quiz": "questions/closing-quiz.yml",
    }
    meta.update(over)
    return {k: v for k, v in meta.items() if v is not ...}


def test_valid_metadata_and_defaults():
    m = validate_metadata(good(), SRC, "03-x")
    assert isinstance(m, ModuleMeta)
    assert m.schema_version == 1
    assert m.licence == "CC-BY-SA-4.0"
    assert m.authors == ["Hack4Society contributors"]
    assert metadata_problems(good(), SRC, "03-x") == []


def test_eqf_level_message_is_the_documented_one_liner():
    with pytest.raises(MetadataError) as e:
        validate_metadata(good(eqf_level=9), SRC, "03-x")
    assert str(e.value) == ("modules/03-x/module.ipynb: metadata h4s.eqf_level must be a whole number "
                            "from 1 to 8 (got 9)")
    assert "\n" not in str(e.value)


@pytest.mark.parametrize("value", [0, 9, 4.5, "4", True, None])
def test_eqf_level_must_be_whole_number_1_to_8(value):
    problems = metadata_problems(good(eqf_level=value), SRC, "03-x")
    assert len(problems) == 1
    assert "h4s.eqf_level must be a whole number from 1 to 8" in str(problems[0])


@pytest.mark.parametrize("status", ["proposal", "draft", "review", "published"])
def test_every_status_is_allowed(status):
    assert metadata_problems(good(status=status), SRC, "03-x") == []


def test_bad_status_names_allowed_values():
    (p,) = metadata_problems(good(status="finished"), SRC, "03-x")
    assert "h4s.status must be one of proposal, draft, review, published (got \"finished\")" in str(p)


def test_id_must_equal_folder_name():
    (p,) = metadata_problems(good(id="03-y"), SRC, "03-x")
    assert "h4s.id must equal the module's folder name '03-x'" in str(p)


def test_id_pattern():
    problems = metadata_problems(good(id="Module Three"), SRC, "03-x")
    assert len(problems) == 1 and "h4s.id must be the module's folder name" in str(problems[0])


def test_missing_required_field_and_unknown_field():
    problems = [str(p) for p in metadata_problems(good(title=..., eqf=4), SRC, "03-x")]
    assert any("h4s.title is required but missing" in p for p in problems)
    assert any("h4s.eqf is not a known field" in p for p in problems)


def test_lists_are_checked_item_by_item():
    problems = [str(p) for p in metadata_problems(good(digcompedu=[2, 7], outcomes=["You can x", ""]), SRC, "03-x")]
    assert any("h4s.digcompedu[1] must be a whole number from 1 to 6 (got 7)" in p for p in problems)
    assert any("h4s.outcomes[1] must be a non-empty text" in p for p in problems)


def test_language_code():
    assert metadata_problems(good(language="pt-BR"), SRC, "03-x") == []
    (p,) = metadata_problems(good(language="English"), SRC, "03-x")
    assert "h4s.language must be a language code" in str(p)


def test_schema_version():
    assert metadata_problems(good(schema_version=1), SRC, "03-x") == []
    (p,) = metadata_problems(good(schema_version=2), SRC, "03-x")
    assert "h4s.schema_version must be the number 1" in str(p) and "(got 2)" in str(p)


def test_no_h4s_section_and_not_a_mapping():
    (p,) = metadata_problems(None, SRC, "03-x")
    assert "no 'h4s' section" in str(p)
    (p,) = metadata_problems(["x"], SRC, "03-x")
    assert "metadata h4s must be a mapping" in str(p)


def test_first_error_says_how_many_more():
    with pytest.raises(MetadataError) as e:
        validate_metadata(good(eqf_level=9, status="x"), SRC, "03-x")
    assert "(and 1 more problem)" in str(e.value)


def test_json_schema_for_editors():
    s = json_schema()
    assert s["properties"]["eqf_level"]["maximum"] == 8
    assert "status" in s["required"] and "id" in s["required"]


# --- authors with CRediT roles, version, changelog, reviews (issue 19) ---

def _review_meta(**extra):
    base = {"id": "01-x", "title": "T", "summary": "S", "eqf_level": 4, "duration_minutes": 30,
            "language": "en", "status": "draft"}
    base.update(extra)
    return base


def test_review_fields_default_and_accept_valid_records():
    from h4s_kit.metadata import validate_metadata
    m = validate_metadata(_review_meta())
    assert (m.version, m.contributors, m.changelog, m.reviews) == ("1.0.0", [], [], [])
    assert not m.passed_review()
    m = validate_metadata(_review_meta(
        version="1.2.0",
        contributors=[{"name": "A Person", "roles": ["Writing - original draft", "Methodology"]}],
        changelog=[{"version": "1.2.0", "date": "2026-12-04", "changes": ["closing quiz draws 6 of 12"]}],
        reviews=[{"reviewer": "h4s check (automated)", "role": "automated checks", "date": "2026-12-04",
                  "version": "1.1.0", "decision": "accept", "rubric": ["h4s check"]},
                 {"reviewer": "h4s check (automated)", "role": "automated checks", "date": "2026-12-04",
                  "version": "1.2.0", "decision": "revise"}]))
    assert m.current_review().decision == "revise"
    assert not m.passed_review()          # an accepted older version does not count


def test_review_fields_bad_values_give_one_line_errors():
    from h4s_kit.metadata import metadata_problems
    probs = [str(p) for p in metadata_problems(_review_meta(
        version="1.0", contributors=[{"name": "X", "roles": ["Typing"]}],
        reviews=[{"reviewer": "R", "role": "r", "date": "2026-12-04", "version": "1.0.0", "decision": "publish"}]),
        "nb.ipynb")]
    joined = "\n".join(probs)
    assert "h4s.version must be a semantic version" in joined
    assert "h4s.contributors[0].roles[0]" in joined
    assert "h4s.reviews[0].decision" in joined
    assert all("\n" not in p for p in probs)
