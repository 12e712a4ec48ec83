"""No quiz of the course can be passed, and no practice bank answered, by picking the longest option.

The rule is the one ``h4s check`` warns with (``h4s_kit.check.pedagogy.length_cues`` and ``cued_pattern``): in a
bank with two or more single-choice questions, fewer than a third may have a right option at least 1.3 times as
long as the longest wrong one; a closing quiz has four or more such questions.  Every bank of every module, in
English and in every language it is translated to.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from h4s_kit.check.pedagogy import cued_pattern, length_cues
from h4s_kit.translate import languages, translated_copy
from h4s_widgets import load_bank

ROOT = Path(__file__).resolve().parents[1]
BANKS = sorted((ROOT / "modules").glob("*/questions/*.yml"))
CASES = [(p, lang) for p in BANKS for lang in ["en", *languages(p.parents[1])]]


def _check(bank, where: str, closing: bool) -> None:
    cued, counted = length_cues(bank)
    assert counted >= 4 or not closing, f"{where}: only {counted} single-choice questions; the rule needs 4"
    assert not cued_pattern(cued, counted), (
        f"{where}: the right option is clearly the longest in {len(cued)} of {counted} "
        f"single-choice questions ({', '.join(cued)})")


@pytest.mark.parametrize("path,lang", CASES, ids=[f"{p.parts[-3][:2]}-{p.stem}-{lang}" for p, lang in CASES])
def test_right_options_do_not_stand_out_by_length(path, lang):
    folder, closing = path.parents[1], path.name == "closing-quiz.yml"
    if lang == "en":
        _check(load_bank(path), f"{folder.name}/questions/{path.name}", closing)
        return
    with translated_copy(folder, lang) as copy:
        _check(load_bank(copy / "questions" / path.name), f"{folder.name}/questions/{path.name} ({lang})", closing)


def test_the_rule_sees_a_cued_quiz(tmp_path):
    # the same rule on a quiz made to fail it: every right option three times as long as the wrong ones
    items = "\n".join(
        f"""  - id: q{i}
    type: single_choice
    text: Question {i}?
    answer: a
    options:
      - {{id: a, text: "The right one, with a long and careful explanation of why"}}
      - {{id: b, text: "Wrong", feedback: "No."}}
      - {{id: c, text: "Also wrong", feedback: "No."}}""" for i in range(4))
    bank = tmp_path / "quiz.yml"
    bank.write_text(f"schema_version: 1\npass_mark: 0.5\nquestions:\n{items}\n", encoding="utf-8")
    cued, counted = length_cues(load_bank(bank))
    assert (len(cued), counted) == (4, 4) and cued_pattern(cued, counted)
