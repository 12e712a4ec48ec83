"""`h4s build` on a bad question bank: the fault in one line, as `h4s check` words it; no traceback, exit 1."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from h4s_kit.build import build
from h4s_widgets._errors import BuildError
from test_build import MINI_IDS, make_project


@pytest.fixture
def project(tmp_path):
    proj = make_project(tmp_path / "proj")
    for m in MINI_IDS[1:]:
        shutil.rmtree(proj / "modules" / m)
    return proj


def test_a_bank_that_is_not_utf8_stops_the_build_with_one_line(project):
    bad = project / "modules" / MINI_IDS[0] / "questions" / "extra.yml"
    bad.write_bytes(b"schema_version: 1\nquestions:\n- type: essay\n  id: caf\xe9\n  text: x\n")
    said: list[str] = []
    with pytest.raises(BuildError) as e:
        build(root=project, echo=said.append)
    msg = str(e.value)
    assert f"modules/{MINI_IDS[0]}/questions/extra.yml:line 4" in msg and "not UTF-8" in msg
    assert "\n" not in msg and "Traceback" not in msg
    assert not any("Jupyter Book" in s for s in said), "the build ran although a bank is bad"


def test_cli_build_reports_an_invalid_bank_like_check_and_exits_non_zero(project):
    bank = project / "modules" / MINI_IDS[0] / "questions" / "closing-quiz.yml"
    bank.write_text(bank.read_text(encoding="utf-8").replace("answer:", "anwser:", 1), encoding="utf-8")
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    build_run = subprocess.run([sys.executable, "-m", "h4s_kit.cli", "build"], cwd=project, env=env,
                               capture_output=True, text=True, timeout=600)
    check_run = subprocess.run([sys.executable, "-m", "h4s_kit.cli", "check", f"modules/{MINI_IDS[0]}", "--no-exec"],
                               cwd=project, env=env, capture_output=True, text=True, timeout=600)
    out = build_run.stdout + build_run.stderr
    assert build_run.returncode != 0
    for noise in ("Traceback", "please report", "bug report", "sphinx-err", "| "):
        assert noise not in out, noise
    fault = [ln for ln in (check_run.stdout + check_run.stderr).splitlines() if "[questions]" in ln and "anwser" in ln]
    assert fault, check_run.stdout
    wording = fault[0].split("[questions]", 1)[1].strip()
    assert wording in out, (wording, out)
    assert len([ln for ln in out.splitlines() if "anwser" in ln]) == 1


def test_a_bad_bank_met_while_a_notebook_runs_is_one_line_without_traceback(project):
    """A bank that only a running notebook finds (a computed path): its error line, not the traceback."""
    import nbformat
    extra = project / "modules" / MINI_IDS[0] / "extra"
    extra.mkdir()
    (extra / "bad.yml").write_text("schema_version: 1\nquestions:\n- type: numeric\n  id: n1\n  text: x\n"
                                   "  anwsers: [{value: 1}]\n", encoding="utf-8")
    nb_path = project / "modules" / MINI_IDS[0] / "module.ipynb"
    nb = nbformat.read(nb_path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell('from h4s_widgets import Quiz\nQuiz("extra/" + "bad.yml")'))
    nbformat.write(nb, nb_path)
    said: list[str] = []
    with pytest.raises(BuildError) as e:
        build(root=project, echo=said.append)
    msg = str(e.value)
    assert "question bank fault" in msg and "extra/bad.yml" in msg and "anwsers" in msg, msg
    text = "\n".join(said) + msg
    for noise in ("Traceback", "report this", "bug report", "sphinx-err", "---->"):
        assert noise not in text, noise
