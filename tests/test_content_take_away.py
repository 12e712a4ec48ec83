"""What issue 16 (course content, second edition) promises trainers can take away, for all 15 modules.

- **A process diagram in every module**: an SVG in ``media/`` that the notebook embeds as a Markdown image
  with a non-empty alt text, that is credited in ``media/credits.yml`` as a "(process diagram)" with title,
  author, source and licence, and whose text is real SVG text with a <title> and a <desc>. Modules whose
  process diagram is a matplotlib figure are named in ``MATPLOTLIB_PROCESS`` below, with the words its
  ``show_figure(alt=...)`` must contain.
- **Feedback on every wrong answer**: every auto-graded question of every bank passes the feedback step of
  ``h4s check`` (``h4s_kit/check/feedback.py``), and every wrong option of a choice question has its own feedback.
- **Downloadable templates** where the issue lists one (``TEMPLATES``): the file is in ``media/``, not empty,
  credited, and linked from the notebook's text, so removing it (or its link) fails here.

- **Closing quizzes drawn from a pool**: every module's closing quiz (``questions/closing-quiz.yml``) with a
  ``draw`` has a pool of at least twice the draw, is shown whole (no ``ids=``) so that the draw applies, and
  every closing quiz with a pool of 12 or more questions draws (``DRAWS``: the draws of today's modules).
"""
from __future__ import annotations

import ast
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from h4s_kit.check.feedback import missing_feedback
from h4s_kit.modules import bank_files, load_module
from h4s_widgets import load_bank
from h4s_widgets._schema import MultipleResponse, SingleChoice

ROOT = Path(__file__).resolve().parents[1]
MODULES = sorted(p for p in (ROOT / "modules").iterdir() if (p / "module.ipynb").exists())
IDS = [p.name for p in MODULES]
MD_IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]+)\)")
MD_LINK = re.compile(r"(?<!!)\[[^\]]+\]\(([^)\s]+)\)")
SVG = "{http://www.w3.org/2000/svg}"

# Modules whose process diagram is drawn by matplotlib code in the notebook (no SVG file): module number ->
# words that the alt text of that figure's show_figure call must contain.
MATPLOTLIB_PROCESS = {
    "01": ("practice loop", "try again"),             # read, answer, Check, feedback, hint, and try again
    "09": ("Double Diamond", "Discover", "Deliver"),  # the design process: discover, define, develop, deliver
    "13": ("breach", "72 hours"),                     # responding to a personal data breach, step by step
    "14": ("Flow diagram", "e-portfolio"),            # task, evidence, feedback, assessment, credential
}

# Take-away templates the issue lists: module number -> files in media/ (at least these).
TEMPLATES = {
    "03": ["module-blueprint-template.csv"],                                     # module blueprint
    "08": ["judging-rubric.csv"],                                                # judging rubric (spreadsheet)
    "12": ["guidance-session-plan.csv"],                                         # guidance session plan
    "13": ["photo-consent-form-template.txt", "privacy-checklist-new-tool.csv"],  # consent form, privacy checklist
    "14": ["e-portfolio-structure.csv"],                                         # e-portfolio structure
}


def test_the_lists_name_real_modules():
    numbers = {i[:2] for i in IDS}
    assert len(IDS) == 15
    assert set(MATPLOTLIB_PROCESS) <= numbers and set(TEMPLATES) <= numbers


def figure_alts(mod) -> list[str]:
    """The literal alt texts of the show_figure(...) calls in the notebook's code cells."""
    alts = []
    for c in mod.cells:
        src = "".join(c.source)
        if c.cell_type != "code" or "show_figure(" not in src:
            continue
        for node in ast.walk(ast.parse(src)):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "show_figure":
                alts += [k.value.value for k in node.keywords
                         if k.arg == "alt" and isinstance(k.value, ast.Constant) and isinstance(k.value.value, str)]
    return alts


def markdown(mod) -> str:
    return "\n".join("".join(c.source) for c in mod.cells if c.cell_type == "markdown")


def credits(folder: Path) -> dict[str, dict]:
    path = folder / "media" / "credits.yml"
    if not path.exists():
        return {}
    return {c["file"]: c for c in yaml.safe_load(path.read_text(encoding="utf-8")) or []}


def svg_process_diagrams(folder: Path) -> list[str]:
    """The SVG process diagrams of a module that pass every condition (file names)."""
    mod = load_module(folder)
    cred = credits(folder)
    found = []
    for alt, target in MD_IMAGE.findall(markdown(mod)):
        if not target.startswith("media/") or not target.endswith(".svg"):
            continue
        name = target[len("media/"):]
        path = folder / "media" / name
        entry = cred.get(name) or {}
        if not (alt.strip() and path.is_file() and "process diagram" in str(entry.get("title", ""))):
            continue
        if not all(entry.get(k) for k in ("title", "author", "source", "licence")):
            continue
        root = ET.parse(path).getroot()
        if root.tag != f"{SVG}svg":
            continue
        title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
        texts = [t for t in root.iter(f"{SVG}text") if (t.text or "").strip()]
        if title is not None and (title.text or "").strip() and desc is not None and (desc.text or "").strip() \
                and len(texts) >= 3:
            found.append(name)
    return found


@pytest.mark.parametrize("folder", MODULES, ids=IDS)
def test_every_module_has_a_process_diagram(folder: Path):
    number = folder.name[:2]
    if number in MATPLOTLIB_PROCESS:
        words = MATPLOTLIB_PROCESS[number]
        assert any(all(w in alt for w in words) for alt in figure_alts(load_module(folder))), (
            f"{folder.name}: no show_figure cell whose alt text contains {words} (the process diagram)")
        return
    assert svg_process_diagrams(folder), (
        f"{folder.name}: no process diagram: an SVG in media/, embedded in the notebook as ![alt text](media/x.svg), "
        f"credited in media/credits.yml with a title ending '(process diagram)', author, source and licence, "
        f"and with <title>, <desc> and its words as SVG <text>")


@pytest.mark.parametrize("folder", MODULES, ids=IDS)
def test_feedback_on_every_wrong_answer(folder: Path):
    banks = bank_files(folder)
    assert banks, f"{folder.name}: no question banks"
    lacking = []
    for path in banks:
        for q in load_bank(path).questions:
            if not q.auto_graded:
                continue
            lack = missing_feedback(q)
            if lack:
                lacking.append(f"{path.name}:{q.id}: {lack}")
            if isinstance(q, (SingleChoice, MultipleResponse)):
                right = {q.answer} if isinstance(q, SingleChoice) else set(q.answers)
                lacking += [f"{path.name}:{q.id}: option {o.id} has no feedback" for o in q.options
                            if o.id not in right and not (o.feedback or "").strip()]
    assert not lacking, f"{folder.name}: wrong answers without feedback:\n" + "\n".join(lacking)


@pytest.mark.parametrize("number", sorted(TEMPLATES))
def test_listed_templates_can_be_downloaded(number: str):
    folder = next(p for p in MODULES if p.name.startswith(number + "-"))
    mod = load_module(folder)
    links = set(MD_LINK.findall(markdown(mod)))
    cred = credits(folder)
    for name in TEMPLATES[number]:
        path = folder / "media" / name
        assert path.is_file(), f"{folder.name}: the template media/{name} is missing"
        text = path.read_text(encoding="utf-8")
        assert len(text.strip().splitlines()) >= 3, f"{folder.name}: media/{name} is (nearly) empty"
        assert f"media/{name}" in links, f"{folder.name}: the notebook has no link [..](media/{name}) to download it"
        entry = cred.get(name) or {}
        assert all(entry.get(k) for k in ("title", "author", "source", "licence")), (
            f"{folder.name}: media/{name} is not fully credited in media/credits.yml")


# Closing quizzes that draw from a pool (issue 16): module number -> draw.  Every module's closing quiz draws
# 6 of 12 questions.
DRAWS = {n: 6 for n in ("01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "13", "14", "15")}


@pytest.mark.parametrize("folder", MODULES, ids=IDS)
def test_closing_quiz_pool_is_at_least_twice_the_draw(folder: Path):
    path = folder / "questions" / "closing-quiz.yml"
    assert path.is_file(), f"{folder.name}: no closing quiz (questions/closing-quiz.yml)"
    bank = load_bank(path)
    pool, draw = len(bank.questions), bank.draw
    assert draw == DRAWS.get(folder.name[:2]), f"{folder.name}: the closing quiz draws {draw}, DRAWS says " \
                                                f"{DRAWS.get(folder.name[:2])}"
    if draw is None:
        assert pool < 12, f"{folder.name}: a closing quiz pool of {pool} questions should draw (draw: 6)"
        return
    assert pool >= 2 * draw, f"{folder.name}: the closing quiz draws {draw} of {pool} questions; the pool " \
                             f"needs at least {2 * draw}"
    calls = [c for c in re.findall(r"Quiz\((.*?)\)", "".join(
        "".join(c.source) for c in load_module(folder).cells if c.cell_type == "code")) if "closing-quiz" in c]
    assert calls and not any("ids=" in c for c in calls), f"{folder.name}: the closing quiz must be shown " \
                                                          f"whole (no ids=) for its draw to apply: {calls}"
