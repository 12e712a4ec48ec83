"""Where graded interactions go.

Widgets call :func:`emit_record` after every graded check.  Sinks are plain
callables taking one record dict; the learner-record store
(``h4s_kit.records``) registers itself as the default sink unless
``H4S_RECORDS=off``.  A failing sink never breaks the learner's quiz: the
error is logged once and the record goes to the next sink.
"""
from __future__ import annotations

import logging
import os
from typing import Callable

log = logging.getLogger("h4s")
_sinks: list[Callable[[dict], None]] = []
_defaults_loaded = False


def add_sink(fn: Callable[[dict], None]) -> None:
    if fn not in _sinks:
        _sinks.append(fn)


def remove_sink(fn: Callable[[dict], None]) -> None:
    if fn in _sinks:
        _sinks.remove(fn)


def _load_defaults() -> None:
    global _defaults_loaded
    _defaults_loaded = True
    if os.environ.get("H4S_RECORDS", "sqlite").lower() in ("off", "0", "none", ""):
        return
    try:
        from h4s_kit.records.live import default_sink
    except ImportError:
        return
    sink = default_sink()
    if sink is not None:
        add_sink(sink)


def emit_record(record: dict) -> None:
    if not _defaults_loaded:
        _load_defaults()
    for sink in list(_sinks):
        try:
            sink(record)
        except Exception:  # the quiz must keep working; the store logs its own details
            log.exception("h4s: a learner-record sink failed")
