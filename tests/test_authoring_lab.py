"""The authoring panels in JupyterLab (Chromium): a module made with the panels only, then h4s check.

JupyterLab runs with the configuration h4s ships for authors (h4s_kit/assets/jupyterlab on
JUPYTER_CONFIG_PATH: no news feed, no update check) and a throw-away home; the page must make no request
to another host.  In the notebook: NewModulePanel creates a module (typing its title), then a QuestionEditor
on a new bank gets 4 questions of 4 types by clicks and typing; a schema error appears next to a field and
goes away; Save writes the bank; ``h4s check`` (without running the notebook) passes on the module.  And a
check panel in authoring.ipynb: a finding's cell link opens module.ipynb in its tab and selects the cell."""
from __future__ import annotations

import contextlib
import json
import os
import re
import sys
import urllib.request
from pathlib import Path
from typing import Iterator

import nbformat
import pytest

from _browser import format_violations, open_page, run_axe, screenshot, start_server_process

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]


def _expect():
    from playwright.sync_api import expect
    return expect


def _lab(tmp_path: Path, port: int, root: Path | None = None) -> tuple[list[str], dict]:
    home = tmp_path / "home"
    for d in ("config", "data", "runtime", "settings", "workspaces"):
        (home / d).mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, H4S_RECORDS="off", HOME=str(home), JUPYTER_CONFIG_DIR=str(home / "config"),
               JUPYTER_RUNTIME_DIR=str(home / "runtime"), JUPYTERLAB_SETTINGS_DIR=str(home / "settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"))
    env.pop("H4S_LIVE", None)
    env.pop("JUPYTER_CONFIG_PATH", None)   # `h4s lab` puts the kit's configuration (h4s_kit/assets/jupyterlab) there
    argv = [str(Path(sys.executable).with_name("h4s")), "lab", "--no-browser", "--port", str(port), "--",
            "--ServerApp.token=", "--ServerApp.password=", "--ServerApp.disable_check_xsrf=True",
            f"--ServerApp.root_dir={root or tmp_path / 'work'}", "--allow-root"]
    return argv, env


@contextlib.contextmanager
def _authoring_lab(browser, tmp_path: Path, port: int, work: Path, cells: list, height: int,
                   root: Path | None = None) -> Iterator[tuple[str, object, object, list]]:
    """``work``/authoring.ipynb of ``cells`` (Python 3 kernel), JupyterLab (:func:`_lab`) on ``port`` and a page of
    1400 x ``height`` with the notebook open and its kernel idle: yields ``(base URL, page, request log, page
    errors)``.  The page's browser context closes and the server stops when the block ends, also when the test
    fails."""
    nb = nbformat.v4.new_notebook()
    nb.cells = cells
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, str(work / "authoring.ipynb"))
    argv, env = _lab(tmp_path, port, root=root)
    with start_server_process(argv, port, env=env, cwd=work, timeout=90, log_path=tmp_path / "lab.log"):
        base = f"http://127.0.0.1:{port}"
        context, page, log, errors = open_page(browser, width=1400, height=height)
        try:
            page.goto(f"{base}/lab/tree/authoring.ipynb", timeout=120_000)
            page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=120_000)
            _expect()(page.locator(".jp-StatusBar-Widget", has_text=re.compile(r"Python 3.*\| Idle"))).to_have_count(
                1, timeout=120_000)
            yield base, page, log, errors
        finally:
            context.close()


def _run_cell(page, n: int) -> None:
    cell = page.locator(".jp-Notebook .jp-Cell").nth(n)
    cell.locator(".jp-InputPrompt").click()
    page.keyboard.press("Escape")
    page.keyboard.press("Shift+Enter")
    _expect()(cell.locator(".jp-InputPrompt")).to_contain_text(re.compile(r"\[\d+\]"), timeout=60_000)


def test_a_module_written_with_the_panels_only_passes_h4s_check(browser, free_port, tmp_path):
    from h4s_kit.check import run_check
    from h4s_widgets import load_bank

    work = tmp_path / "work"
    work.mkdir()
    cells = [
        nbformat.v4.new_code_cell('from h4s_kit.authoring import NewModulePanel\nNewModulePanel("modules")'),
        nbformat.v4.new_code_cell('import glob\nfrom h4s_kit.authoring import QuestionEditor\n'
                                  'QuestionEditor(sorted(glob.glob("modules/*/"))[0] + "questions/section-2.yml",'
                                  ' confirm_delete=False)'),
        nbformat.v4.new_code_cell('from h4s_kit.authoring import CheckPanel\n'
                                  'CheckPanel(sorted(glob.glob("modules/*/"))[0], execute=False)'),
    ]
    with _authoring_lab(browser, tmp_path, free_port(), work, cells, height=1000) as (base, page, log, errors):
        # the shipped configuration is in force: no news, no update check (answered by the local server)
        news = json.loads(urllib.request.urlopen(f"{base}/lab/api/news", timeout=30).read())
        assert news.get("news") == [], news
        # 1. the module panel: h4s new as a form
        _run_cell(page, 0)
        new = page.locator(".jp-OutputArea .h4s-a-module").first
        _expect()(new).to_be_visible(timeout=60_000)
        new.locator('[data-field="title"] input').fill("")
        new.locator('[data-field="title"] input').type("Safe lifting at work")
        page.wait_for_timeout(400)
        new.locator(".h4s-a-save").click()
        _expect()(new.locator(".h4s-a-status")).to_contain_text("Created", timeout=30_000)
        folder = work / "modules" / "01-safe-lifting-at-work"
        assert "null" not in new.inner_text().split()
        assert (folder / "module.ipynb").is_file()
        # 2. the question editor on a new bank of that module
        _run_cell(page, 1)
        ed = page.locator(".jp-OutputArea .h4s-a-editor").first
        _expect()(ed).to_be_visible(timeout=60_000)

        def add(type_name: str, text: str) -> None:
            ed.locator(".h4s-a-add select").select_option(type_name)
            ed.locator(".h4s-a-addq").click()
            _expect()(ed.locator(".h4s-a-form h3")).to_contain_text(type_name.replace("_", "-"), timeout=30_000)
            box = ed.locator('[data-field="text"] textarea')
            _expect()(ed.locator('.h4s-a-error[data-path="text"]')).to_contain_text("must not be empty",
                                                                                    timeout=30_000)
            box.click()
            page.keyboard.type(text)
            _expect()(ed.locator('.h4s-a-error[data-path="text"]')).to_have_text("", timeout=30_000)

        add("true_false", "Bend your knees when you lift a box from the floor.")
        ed.locator('[data-field="answer"] input[type="checkbox"]').check()
        ed.locator('[data-field="feedback"] textarea').type("Keep the load close to your body.")

        add("numeric", "Up to how many kilograms may one person lift alone in this workplace?")
        ed.locator('[data-field="answers.0.value"] input').type("25")
        ed.locator('[data-field="feedback"] textarea').type("The workplace rule says 25 kg.")

        add("single_choice", "How do you turn while carrying a load?")
        ed.locator('[data-field="options.0.text"] textarea').type("Twist the back")
        ed.locator('[data-field="options.0.feedback"] textarea').type("Twisting strains the back.")
        ed.locator('[data-add="options"]').click()
        ed.locator('[data-field="options.1.text"] textarea').type("Turn with the feet")
        ed.locator('[data-field="options.1.feedback"] textarea').type("Yes: the feet lead the turn.")
        ed.locator(".h4s-a-choice input").nth(1).check()

        add("essay", "Describe a lift at your workplace that you would now do differently.")
        # a schema error appears next to the field while typing, and goes away
        idbox = ed.locator('[data-field="id"] input')
        idbox.click()
        page.keyboard.press("End")
        page.keyboard.type(" x")
        id_err = ed.locator('.h4s-a-error[data-path="id"]')
        _expect()(id_err).not_to_have_text("", timeout=30_000)
        page.keyboard.press("Backspace")
        page.keyboard.press("Backspace")
        _expect()(id_err).to_have_text("", timeout=30_000)
        # the preview beside the form is the real quiz
        _expect()(page.locator('.jp-OutputArea .h4s-question[data-qid="essay-1"]')).to_be_visible(timeout=30_000)
        found = run_axe(page, context=".jp-OutputArea .h4s-a-editor")
        assert found == [], format_violations(found)
        ed.locator(".h4s-a-save").click()
        _expect()(ed.locator(".h4s-a-status")).to_contain_text("Saved", timeout=30_000)
        assert "null" not in ed.inner_text().split()
        # the announcements extension asks nothing (settings/overrides.json of the shipped config)
        assert page.get_by_text("Jupyter news").count() == 0
        screenshot(page, "authoring-question-editor", full_page=False)
        shots = os.environ.get("H4S_AUTHORING_SHOTS")   # book/trainers/make_screenshots.sh sets it
        if shots:
            new.screenshot(path=str(Path(shots) / "new-module-panel.png"))
            ed.screenshot(path=str(Path(shots) / "question-editor.png"))
        bank = folder / "questions" / "section-2.yml"
        assert [q.type for q in load_bank(bank).questions] == ["true_false", "numeric", "single_choice", "essay"]
        report = run_check([folder], execute=False)
        assert report.ok, report.text()
        # the same from the check panel, in JupyterLab
        _run_cell(page, 2)
        panel = page.locator(".jp-OutputArea .h4s-a-checkpanel").first
        _expect()(panel).to_be_visible(timeout=60_000)
        panel.locator(".h4s-a-run").click()
        _expect()(panel.locator(".h4s-a-summary")).to_contain_text("h4s check passed", timeout=60_000)
        found = run_axe(page, context=".jp-OutputArea .h4s-a-checkpanel")
        assert found == [], format_violations(found)
        log.assert_only_local()
        assert not [e for e in errors if "h4s" in e.lower()], errors


@pytest.mark.parametrize("root", ["home", "symlink"])
def test_a_findings_cell_link_opens_the_module_notebook_at_the_cell(browser, free_port, tmp_path, root):
    """The panels in authoring.ipynb, the finding in module.ipynb: its link (mouse, then keyboard) makes
    module.ipynb the active tab (opening it when it is not open) with the cell selected and in view.

    home: the course is in the home folder, as authors' courses are (JupyterLab's page config then writes the
    server root as ~/course); symlink: JupyterLab is started on a symbolic link to the course, so the kernel's
    absolute paths (resolved) do not start with the server root and the path is found from the notebook
    that holds the panel."""
    from h4s_kit.new import new_module

    work = tmp_path / "home" / "course"
    work.mkdir(parents=True)
    served = work
    if root == "symlink":
        served = tmp_path / "course-link"
        served.symlink_to(work, target_is_directory=True)
    folder = new_module("Safe lifting", directory=work / "modules")
    nb_path = folder / "module.ipynb"
    module_nb = nbformat.read(str(nb_path), 4)
    filler = "\n\n".join(["Lifting safely starts before the lift: look at the load, the path and the place."] * 8)
    at = len(module_nb.cells) - 1            # before the closing quiz, after many long cells
    for k in range(14):
        module_nb.cells.insert(at, nbformat.v4.new_markdown_cell(f"## Part {k + 1}\n\n{filler}"))
    at += 14
    module_nb.cells.insert(at, nbformat.v4.new_markdown_cell("Cell marker KNEES-BENT\n\n![](media/lifting.png)"))
    nbformat.write(module_nb, str(nb_path))
    n = at + 1                                # h4s check counts cells from 1
    cells = [nbformat.v4.new_code_cell(
        'from h4s_kit.authoring import CheckPanel\nCheckPanel("modules/01-safe-lifting", execute=False)')]
    with _authoring_lab(browser, tmp_path, free_port(), work, cells, height=900,
                        root=served) as (base, page, log, errors):
        _run_cell(page, 0)
        panel = page.locator(".jp-OutputArea .h4s-a-checkpanel").first
        _expect()(panel).to_be_visible(timeout=60_000)
        panel.locator(".h4s-a-run").click()
        _expect()(panel.locator(".h4s-a-summary")).to_be_visible(timeout=60_000)
        assert page.evaluate("() => JSON.parse(document.getElementById('jupyter-config-data').textContent)"
                             ".serverRoot") == ("~/course" if root == "home" else str(served))
        link = panel.locator('.h4s-a-goto[data-kind="cell"]', has_text=f"Go to cell {n}").first
        _expect()(link).to_be_visible(timeout=30_000)
        assert link.get_attribute("href") == "/lab/tree/modules/01-safe-lifting/module.ipynb"
        found = run_axe(page, context=".jp-OutputArea .h4s-a-checkpanel")
        assert found == [], format_violations(found)
        tabs = page.locator("#jp-main-dock-panel .lm-DockPanel-tabBar .lm-TabBar-tab")
        assert tabs.filter(has_text="authoring.ipynb").count() == 1
        assert tabs.filter(has_text="module.ipynb").count() == 0     # not open yet

        def at_the_cell() -> None:
            current = page.locator("#jp-main-dock-panel .lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current")
            _expect()(current).to_contain_text("module.ipynb", timeout=30_000)
            active = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell.jp-mod-active")
            _expect()(active).to_contain_text("KNEES-BENT", timeout=30_000)
            _expect()(active).to_be_in_viewport(timeout=30_000)
            _expect()(page.locator("#h4s-a-announcer")).to_have_text(f"module.ipynb: cell {n} selected",
                                                                      timeout=30_000)

        link.click()                               # 1. the mouse, the notebook not open: it opens
        at_the_cell()
        # away from the cell, back to the panel's tab; 2. the keyboard, the notebook open: its tab
        page.evaluate("() => { const nb = window.jupyterapp.shell.currentWidget.content;"
                      " nb.activeCellIndex = 0; nb.scrollToItem(0, 'start'); }")
        page.evaluate("() => document.getElementById('h4s-a-announcer').textContent = ''")
        tabs.filter(has_text="authoring.ipynb").click()
        _expect()(link).to_be_visible(timeout=30_000)
        link.focus()
        page.keyboard.press("Enter")
        at_the_cell()
        assert tabs.filter(has_text="module.ipynb").count() == 1     # the open tab, not a second one
        shots = os.environ.get("H4S_AUTHORING_SHOTS")
        if shots:
            page.screenshot(path=str(Path(shots) / "check-panel-goto-cell.png"))
        # the link's own address (a new browser tab, or a JupyterLab without the application exposed)
        other = page.context.new_page()
        other.goto(base + link.get_attribute("href"), timeout=120_000)
        _expect()(other.locator("#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current")).to_contain_text(
            "module.ipynb", timeout=60_000)
        other.close()
        log.assert_only_local()
        assert not [e for e in errors if "h4s" in e.lower()], errors
