"""What the interop tests (GIFT, Moodle XML, JupyterQuiz, the Moodle corpus and export) share.

A test helper, not part of the h4s package: where the fixtures are, the fixture folder on ``sys.path`` (for its
helper modules ``h4s_strategies`` and ``moodle_reader``) and :func:`by_id`.
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: the project's own interop fixtures
FIX = ROOT / "tests" / "fixtures" / "interop"
#: material that is not part of the project (other tools' own fixtures, ``../shared``)
SHARED = ROOT.parent / "shared"
if str(FIX) not in sys.path:
    sys.path.insert(0, str(FIX))


def by_id(result) -> dict:
    """The questions of an import's bank, by id."""
    return {q["id"]: q for q in result.bank["questions"]}
