"""GDPR tools: a learner's data export, erasure, and purge by age.

Erasure is meant to leave nothing behind in the files: the store runs with
``secure_delete=ON`` (deleted cells are overwritten with zeros), and after the
delete we ``VACUUM`` and ``wal_checkpoint(TRUNCATE)`` so that neither
``records.sqlite`` nor ``records.sqlite-wal`` still holds the old pages.
Statements already sent to an LRS are listed in the result (``sent_statement_ids``):
the LRS keeps its own copy, which its operator must erase there.
"""
from __future__ import annotations

import time

from h4s_widgets._errors import RecordsError

from .store import RecordStore


def export_learner(store: RecordStore, learner: str) -> dict:
    """Everything stored about ``learner``: records, queued/sent statements, module results."""
    mods = [dict(r) for r in store.conn.execute("SELECT * FROM module_results WHERE learner=? ORDER BY module",
                                                (learner,))]
    return {
        "format": "h4s-learner-export", "version": 1, "learner": learner,
        "exported": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "records": store.records(learner=learner),
        "statements": store.queue(learner=learner),
        "module_results": mods,
    }


def _scrub(store: RecordStore) -> None:
    """Rewrite the database without free pages and empty the WAL."""
    c = store.conn
    busy, _, _ = store.checkpoint()
    c.execute("VACUUM")
    busy2, _, _ = store.checkpoint()
    if busy or busy2:
        raise RecordsError("the records database is in use (a kernel is writing); the rows are deleted but old "
                           "copies may remain in the WAL until it is checkpointed: stop the server and run the "
                           "command again")


def delete_learner(store: RecordStore, learner: str) -> dict:
    with store.write() as c:
        sent = [r[0] for r in c.execute("SELECT statement_id FROM xapi_queue WHERE learner=? AND status='sent'",
                                        (learner,))]
        n_rec = c.execute("DELETE FROM records WHERE learner=?", (learner,)).rowcount
        n_st = c.execute("DELETE FROM xapi_queue WHERE learner=?", (learner,)).rowcount
        n_mod = c.execute("DELETE FROM module_results WHERE learner=?", (learner,)).rowcount
    _scrub(store)
    return {"learner": learner, "records": n_rec, "statements": n_st, "module_results": n_mod,
            "sent_statement_ids": sent}


def purge_older_than(store: RecordStore, days: float) -> dict:
    if days < 0:
        raise RecordsError("--older-than must be 0 or more days")
    cut = time.time() - days * 86400
    with store.write() as c:
        n_st = c.execute("DELETE FROM xapi_queue WHERE created < ? OR record_uuid IN"
                         " (SELECT uuid FROM records WHERE ts < ?)", (cut, cut)).rowcount
        n_rec = c.execute("DELETE FROM records WHERE ts < ?", (cut,)).rowcount
        n_mod = c.execute("DELETE FROM module_results WHERE updated < ?", (cut,)).rowcount
    _scrub(store)
    return {"older_than_days": days, "records": n_rec, "statements": n_st, "module_results": n_mod}
