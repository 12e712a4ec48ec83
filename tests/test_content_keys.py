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
    # the widget shows "Attempt {attempts + 1} of {max}" (h4s_widgets/_static/src/ui/question.js)
    q = _question("01", "tour.yml", "attempts")
    assert grade(q, ["1", "2"]).correct is True
    assert grade(q, ["2", "1"]).correct is False
    ui = (Path(__file__).resolve().parents[1] / "h4s_widgets" / "_static" / "src" / "ui" / "question.js").read_text(encoding="utf-8")
    assert 'T("Attempt {n} of {m}", { n: attempts + 1, m: q.max_attempts })' in ui


def test_mean_item_names_the_real_median():
    # module 10 once called 16.5 "the median" of 15, 16, 17, 18, 24, 35 (it is 17.5)
    import statistics
    q = _question("10", "practice.yml", "mean-numeric")
    values = [18, 15, 16, 17, 24, 35]
    assert grade(q, f"{statistics.mean(values):.1f}").correct is True
    assert statistics.median(values) == 17.5
    fb = {a.value: a.feedback for a in q.answers if a.value is not None}
    assert grade(q, "17.5").correct is False and "median" in fb[17.5]
    assert grade(q, "16.5").correct is False and "neither the mean nor the median" in fb[16.5]


def test_chart_reading_ranks_rye_bread_from_the_data():
    # module 10 once called rye bread "in the middle" for revenue; it is fourth of five
    import csv
    (folder,) = MODULES.glob("10-*")
    revenue: dict[str, float] = {}
    with open(folder / "media" / "bakery-sales.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            revenue[row["product"]] = revenue.get(row["product"], 0) + int(row["units"]) * float(row["price_eur"])
    ranking = sorted(revenue, key=revenue.get, reverse=True)
    assert ranking.index("Rye bread") == 3
    q = _question("10", "practice.yml", "chart-reading")
    d = next(o for o in q.options if o.id == "d")
    assert "fourth of five" in d.feedback and "middle" not in d.feedback


def test_photos_of_minors_are_not_an_article_8_rule():
    # module 08 once implied that parents must consent to photos of 16-year-olds; Article 8 GDPR is about
    # online services offered directly to children (16, or lower down to 13), as module 13 says
    q = _question("08", "closing-quiz.yml", "cq-photos")
    assert grade(q, "b").correct is True
    art8 = next(o for o in q.options if o.id == "c")
    assert grade(q, "c").correct is False and "Article 8" in art8.feedback and "13" in art8.feedback
    q13 = _question("13", "closing-quiz.yml", "cq-minors-photos")
    assert grade(q13, "b").correct is True and grade(q13, "a").correct is False
