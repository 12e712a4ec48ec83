"""Keys of the course modules that were wrong once (issue 16): they must stay right."""
from __future__ import annotations

from pathlib import Path

from h4s_widgets import grade, load_bank

MODULES = Path(__file__).resolve().parents[1] / "modules"


def _question(module: str, bank: str, qid: str):
    (folder,) = MODULES.glob(f"{module}-*")
    return next(q for q in load_bank(folder / "questions" / bank).questions if q.id == qid)


def test_contrast_cloze_takes_a_decimal_comma():
    # module 01 tells learners that 3,5 and 3.5 are both fine; module 06 must grade that way
    q = _question("06", "practice.yml", "contrast-cloze")
    for typed in (["4,5", "3", "21"], ["4.5", "3,0", "21"], ["4.50", "3", "21.0"]):
        assert grade(q, typed).correct is True, typed
    assert grade(q, ["45", "3", "21"]).correct is False


def test_attempt_2_of_3_means_one_check_used():
    # the widget shows "Attempt {attempts + 1} of {max}" (h4s_widgets/_static/ui.js)
    q = _question("01", "tour.yml", "attempts")
    assert grade(q, ["1", "2"]).correct is True
    assert grade(q, ["2", "1"]).correct is False
    ui = (Path(__file__).resolve().parents[1] / "h4s_widgets" / "_static" / "ui.js").read_text(encoding="utf-8")
    assert 'T("Attempt {n} of {m}", { n: attempts + 1, m: q.max_attempts })' in ui
