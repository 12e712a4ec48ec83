"""Where graded interactions go.

Widgets call :func:`store_record` after every graded check.  Sinks are plain
callables taking one record dict.  Other packages register sink factories
under the entry-point group ``h4s_widgets.record_sinks`` (h4s_kit registers
its learner-record store, ``h4s_kit.records.live:default_sink``); they are
called once, on the first record, unless ``H4S_RECORDS=off``.  This module
imports no other package of the project: the dependency runs from h4s_kit to
h4s_widgets only.  A failing sink never breaks the learner's quiz: the error
is logged once and the record goes to the next sink.
"""
from __future__ import annotations

import logging
import os
from typing import Callable

log = logging.getLogger("h4s")
_sinks: list[Callable[[dict], None]] = []
_defaults_loaded = False
#: entry-point group of sink factories (a callable returning a sink or None)
SINK_GROUP = "h4s_widgets.record_sinks"


def add_sink(fn: Callable[[dict], None]) -> None:
    if fn not in _sinks:
        _sinks.append(fn)


def remove_sink(fn: Callable[[dict], None]) -> None:
    if fn in _sinks:
        _sinks.remove(fn)


def _load_defaults() -> None:
    global _defaults_loaded
    _defaults_loaded = True
    if _records_off():
        return
    from importlib.metadata import entry_points
    for ep in entry_points(group=SINK_GROUP):
        try:
            factory = ep.load()
        except ImportError as e:   # the registering package is broken or half installed: no records from it
            log.warning("h4s: the record sink %s cannot be loaded (%s)", ep.value, e)
            continue
        sink = factory()
        if sink is not None:
            add_sink(sink)


def _records_off() -> bool:
    return os.environ.get("H4S_RECORDS", "sqlite").lower() in ("off", "0", "none", "")


def _store_sinks() -> list:
    if not _defaults_loaded:
        _load_defaults()
    if _records_off():    # read at every call: H4S_RECORDS=off switches the store off even once it was loaded
        return []
    return [s for s in _sinks if getattr(s, "is_store", False)]


def stored_attempts(learner: str | None, module: str | None, qid: str) -> int | None:
    """The learner's stored answers to a question (from the record store), or None when records are off.

    Raises when the store cannot be read: a caller that enforces limits must not guess."""
    for sink in _store_sinks():
        return sink.attempts(learner, module, qid)
    return None


def store_record(record: dict) -> None:
    """Store ``record`` in the record store (raising if it cannot be stored), then tell the other sinks."""
    for sink in _store_sinks():
        sink.record(record)
    emit_record(record, store=False)


def emit_record(record: dict, *, store: bool = True) -> None:
    """Hand ``record`` to every sink (``store=False``: to every sink except the record store)."""
    if not _defaults_loaded:
        _load_defaults()
    for sink in list(_sinks):
        if getattr(sink, "is_store", False) and (not store or _records_off()):
            continue
        try:
            sink(record)
        except Exception:  # the quiz must keep working; the store logs its own details
            log.exception("h4s: a learner-record sink failed")
