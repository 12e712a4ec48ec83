"""The trainer report: who completed what, and which questions confuse learners.

``h4s report [--module M] [-o DIR]`` writes ``DIR/index.html`` (one self-contained page: inline SVG
plots, tables, plain-language explanations) and CSV files next to it.  The same numbers are shown by
``templates/trainer-dashboard.ipynb``.  The parts: :mod:`.analysis` (the numbers), :mod:`.plots` (inline SVG)
and :mod:`.page` (the HTML page and the CSV files); this module puts them together.

How the numbers are made (also explained on the page):

* **Completion**: a learner has completed a module when they have answered every question of its
  closing quiz (``questions/closing-quiz.yml``; without the bank: every question anybody answered); a
  closing quiz that draws n questions from a pool (``draw: n``) is completed with n of them answered.
* **Score**: the learner's latest answer to each of those questions (with a pool: the n answered last), as a
  share of the points.
  *Passed* when the score reaches the closing quiz's ``pass_mark``.
* **Facility index** of a question: the mean of score / max score over each learner's *first*
  attempt (later attempts follow feedback, so they say less about the question).  1 = everybody
  right, 0 = nobody.
* **Discrimination index**: upper-lower groups.  Learners are ranked by their first-attempt score on
  the *other* questions of the module; D = facility in the top 27 % minus facility in the bottom 27 %.
  Shown only with at least 10 learners.
* **Answer-choice counts**: how often each option was picked on the first attempt (choice and
  true/false questions); a wrong option picked more often than the right one is flagged.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

from .analysis import (  # noqa: F401  (the report's public names)
    CHOICE_TYPES, MIN_FOR_DISCRIMINATION, LearnerStats, ModuleBanks, ModuleStats, QuestionStats, analyse,
    analyse_module, discrimination_words, facility_words, load_banks,
)
from .page import CSS, csv_data_links, render_html, scoped_css, write_csv  # noqa: F401
from .plots import facility_plot, score_plot  # noqa: F401

__all__ = [
    "CHOICE_TYPES", "CSS", "MIN_FOR_DISCRIMINATION", "LearnerStats", "ModuleBanks", "ModuleStats", "QuestionStats",
    "analyse", "analyse_module", "build_report", "csv_data_links", "discrimination_words", "facility_plot",
    "facility_words", "load_banks", "render_html", "report_from_store", "score_plot", "scoped_css", "write_csv",
]


def build_report(records: Iterable[dict], out_dir: str | Path, *, banks: dict[str, ModuleBanks] | None = None,
                 module: str | None = None, title: str = "Trainer report", note: str | None = None,
                 synthetic: bool = False, credentials: Iterable[dict] | None = None) -> dict:
    """``credentials``: issued credentials (record store rows) to list, with ``credentials.csv``."""
    from .page import credential_rows, write_credentials_csv
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    mods = analyse(records, banks, module)
    rows = credential_rows(credentials) if credentials is not None else None
    page = out / "index.html"
    page.write_text(render_html(mods, title, note, synthetic, credentials=rows), encoding="utf-8")
    files = write_csv(mods, out)
    if rows is not None:
        files.append(write_credentials_csv(rows, out))
    return {"html": page, "csv": files, "modules": mods}


def report_from_store(out_dir: str | Path, *, db: str | Path | None = None, module: str | None = None,
                      modules_dir: str | Path | None = "modules", title: str = "Trainer report") -> dict:
    from h4s_kit.records.store import open_store
    with open_store(db) as s:
        recs = s.records(module=module)
        creds = s.credentials(module=module)
    return build_report(recs, out_dir, banks=load_banks(modules_dir), module=module, title=title, credentials=creds)
