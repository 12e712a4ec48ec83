"""A quiz in JupyterLab, where trainers author: the live widget, graded in the kernel.

JupyterLab (a dependency) runs on 127.0.0.1 with a throw-away config and data folder; Chromium opens a
notebook that shows one question, runs the cell, and answers wrong then right.  What is checked:

* the anywidget view renders (the static fallback, which carries hashed keys, is not what is shown);
* the verdict comes from the kernel: the wrong option's feedback is not in the page before Check;
* feedback appears in the question's role="status" live region, with a sign as well as colour;
* axe-core finds no WCAG 2.1 A/AA violation inside the quiz, and no request leaves 127.0.0.1.
"""
from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

import nbformat
import pytest

from _browser import format_violations, open_page, run_axe, screenshot, start_server_process

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
BANK = ROOT / "examples" / "all-question-types.yml"
QID = "hand-rub-time"


def _expect():
    from playwright.sync_api import expect
    return expect


def _lab(tmp_path: Path, port: int) -> tuple[list[str], dict]:
    home = tmp_path / "home"
    for d in ("config", "data", "runtime", "settings", "workspaces"):
        (home / d).mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, H4S_RECORDS="off", HOME=str(home), JUPYTER_CONFIG_DIR=str(home / "config"),
               JUPYTER_RUNTIME_DIR=str(home / "runtime"), JUPYTERLAB_SETTINGS_DIR=str(home / "settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"))
    env.pop("H4S_LIVE", None)
    argv = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
            "--ServerApp.token=", "--ServerApp.password=", "--ServerApp.disable_check_xsrf=True",
            f"--ServerApp.root_dir={tmp_path / 'work'}", "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.extension_manager=readonly", "--allow-root"]
    return argv, env


def test_quiz_is_live_in_jupyterlab(browser, free_port, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    shutil.copy(BANK, work / BANK.name)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(f'from h4s_widgets import Quiz\nQuiz("{BANK.name}", ids=["{QID}"])')]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, str(work / "lab.ipynb"))
    port = free_port()
    argv, env = _lab(tmp_path, port)
    with start_server_process(argv, port, env=env, cwd=work, timeout=90, log_path=tmp_path / "lab.log"):
        context, page, log, errors = open_page(browser, width=1200)
        try:
            page.goto(f"http://127.0.0.1:{port}/lab/tree/lab.ipynb", timeout=120_000)
            page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=120_000)
            # wait for the kernel, then run the cell with Shift+Enter from command mode
            _expect()(page.locator(".jp-StatusBar-Widget", has_text=re.compile(r"Python 3.*\| Idle"))).to_have_count(
                1, timeout=120_000)
            page.locator(".jp-Notebook .jp-Cell").first.click()
            page.keyboard.press("Escape")
            page.keyboard.press("Shift+Enter")
            _expect()(page.locator(".jp-Notebook .jp-Cell").first.locator(".jp-InputPrompt")).to_contain_text(
                "[1]", timeout=120_000)
            card = page.locator(f'.jp-OutputArea .h4s-question[data-qid="{QID}"]')
            try:
                _expect()(card).to_be_visible(timeout=120_000)
            except AssertionError:
                screenshot(page, "jupyterlab-quiz-missing", full_page=False)
                raise AssertionError("no quiz in the cell's output; output area says: "
                                     + " | ".join(page.locator(".jp-OutputArea").all_inner_texts())[:2000]) from None
            # the live view, not the static fallback: no hashed key block, no feedback text in the page yet
            assert page.locator(".jp-OutputArea [data-h4s-static]").count() == 0
            assert "Too short" not in page.content()
            radios = card.locator('input[type="radio"]')
            _expect()(radios).to_have_count(4)
            radios.first.focus()
            page.keyboard.press("Space")                       # a: 5 to 10 seconds (wrong)
            card.locator(".h4s-check").focus()
            page.keyboard.press("Enter")
            fb = card.locator('.h4s-feedback[role="status"]')
            _expect()(fb).to_contain_text("Too short", timeout=30_000)   # sent by the kernel's grader
            _expect()(fb).to_contain_text("\u2717")
            radios.first.focus()
            page.keyboard.press("ArrowDown")                   # b: 20 to 30 seconds (right)
            card.locator(".h4s-check").focus()
            page.keyboard.press("Enter")
            _expect()(fb).to_contain_text(re.compile("Correct"), timeout=30_000)
            _expect()(fb).to_contain_text("\u2713")
            found = run_axe(page, context=".jp-OutputArea .h4s-quiz")
            assert found == [], format_violations(found)
            screenshot(page, "jupyterlab-quiz", full_page=False)
            log.assert_only_local()
            assert not [e for e in errors if "h4s" in e.lower()], errors
        finally:
            context.close()
