"""The draw of a question pool: which ``n`` questions of a bank with ``draw: n`` one attempt shows.

A pure function, the same in JS (``_static/src/draw.js``); both run ``tests/cases/draw_cases.json``.
Every id gets the key ``sha256(seed + "\\x1f" + id)`` (hex); the ``n`` ids with the smallest keys are drawn
(ties, which need equal ids, by id) and shown in the pool's order.  Who chooses the seed decides the draw:
a static page (or a SCORM package) keeps a random one per attempt in the browser; ``h4s serve`` derives it
from a server secret, the learner, the bank and the attempt number (:mod:`h4s_kit.quiz_api`), so a learner
cannot pick their questions there.
"""
from __future__ import annotations

import hashlib
from typing import Sequence


def draw_ids(ids: Sequence[str], seed: str, n: int) -> list[str]:
    """The ``n`` ids of ``ids`` drawn with ``seed``, in the order of ``ids`` (all of them when n >= len)."""
    keyed = sorted(ids, key=lambda i: (hashlib.sha256(f"{seed}\x1f{i}".encode("utf-8")).hexdigest(), i))
    chosen = set(keyed[:max(0, int(n))])
    return [i for i in ids if i in chosen]
