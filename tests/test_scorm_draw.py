"""A closing quiz with `draw: n` in a SCORM 1.2 package, in Chromium under scorm-again: the package's runtime
draws, keeps the draw in cmi.suspend_data (the same set after a resume), records only the drawn questions
and scores out of them; Reset draws again and drops the old set's answers."""
from __future__ import annotations

import json
import re
import shutil

import pytest

from h4s_kit.interop.scorm import build_scorm
from test_scorm import FIXTURE, interactions, lms_page

POOL = ["goggles", "guard-off", "distance"]
RIGHT = {"goggles": ("radio", "a"), "guard-off": ("radio", "false"), "distance": ("number", "3")}


@pytest.fixture()
def package(tmp_path):
    mod = tmp_path / FIXTURE.name
    shutil.copytree(FIXTURE, mod)
    bank = mod / "questions" / "closing-quiz.yml"
    bank.write_text(bank.read_text(encoding="utf-8").replace("pass_mark: 0.6\n", "pass_mark: 0.6\ndraw: 2\n"),
                    encoding="utf-8")
    out = tmp_path / "draw.zip"
    build_scorm(mod, out)
    return out


def _shown(sco) -> list[str]:
    return [q for q in POOL if sco.locator(f'.h4s-question[data-qid="{q}"]').count()]


@pytest.mark.browser
def test_scorm_package_draws_records_only_the_drawn_and_scores_out_of_them(browser, package, tmp_path):
    from _browser import format_violations, run_axe
    from playwright.sync_api import expect
    with lms_page(browser, tmp_path, package) as (page, log, errors):
        page.evaluate("window.openSco(null)")
        sco = page.frame_locator("#sco")
        expect(sco.locator('.h4s-question[data-qid="sparks-hot"]')).to_be_visible(timeout=60_000)
        expect(sco.locator(".h4s-question")).to_have_count(3)        # 2 drawn of 3 + the practice question
        drawn = _shown(sco)
        assert len(drawn) == 2
        for qid in drawn:
            card = sco.locator(f'.h4s-question[data-qid="{qid}"]')
            kind, value = RIGHT[qid]
            if kind == "radio":
                card.locator(f'input[value="{value}"]').check()
            else:
                card.locator("input.h4s-num-input").fill(value)
            card.locator(".h4s-check").press("Enter")
            expect(card.locator(".h4s-feedback")).not_to_be_empty(timeout=15_000)
        page.wait_for_function("window.API.cmi.interactions.childArray.length >= 2", timeout=15_000)
        cmi = page.evaluate("window.readCMI()")
        assert float(cmi["core"]["score"]["raw"]) == 100 and cmi["core"]["lesson_status"] == "passed"
        assert sorted(i["id"] for i in interactions(cmi)) == sorted(f"90-scorm-fixture.{q}" for q in drawn)
        saved = json.loads(cmi["suspend_data"])
        (rec,) = saved["d"].values()
        assert rec["ids"] == drawn and rec["attempt"] == 1
        frame = page.frame(url=re.compile(r"pkg/index\.html"))
        assert run_axe(frame) == [], format_violations(run_axe(frame))

        # resume: the same set, with its answers
        page.evaluate("document.getElementById('sco').src = 'about:blank'")
        page.wait_for_function("window.API.isTerminated()", timeout=10_000)
        cmi = page.evaluate("window.readCMI()")
        page.evaluate("(s) => window.openSco({suspend_data: s, core: {entry: 'resume'}})", cmi["suspend_data"])
        expect(sco.locator('.h4s-question[data-qid="sparks-hot"]')).to_be_visible(timeout=60_000)
        expect(sco.locator(".h4s-scorm-status")).to_contain_text("answered 2 of 2", timeout=15_000)
        assert _shown(sco) == drawn
        expect(sco.locator(f'.h4s-question[data-qid="{drawn[0]}"] .h4s-feedback')).not_to_be_empty()

        # Reset of the closing quiz: attempt 2, a set of 2 again, the old set's answers gone
        sco.locator(f'.h4s-quiz:has(.h4s-question[data-qid="{drawn[0]}"]) .h4s-reset').press("Enter")
        frame = page.frame(url=re.compile(r"pkg/index\.html"))
        frame.wait_for_function("() => Object.values(window.h4sScorm.state().d)[0].attempt === 2")
        state = frame.evaluate("window.h4sScorm.state()")
        (rec,) = state["d"].values()
        assert len(rec["ids"]) == 2 and _shown(sco) == rec["ids"]
        assert not set(drawn) & set(state["a"])
        assert frame.evaluate("window.h4sScorm.summary()")["total"] == 2
        assert not errors, errors
        log.assert_only_local()
