"""GDPR tools: a learner's data export, erasure, and purge by age (on whichever store is configured).

Erasure is meant to leave nothing behind in the database files:

* SQLite runs with ``secure_delete=ON`` (deleted cells are overwritten with zeros), and after the delete
  we ``VACUUM`` and ``wal_checkpoint(TRUNCATE)`` so that neither ``records.sqlite`` nor
  ``records.sqlite-wal`` still holds the old pages;
* PostgreSQL: after the delete, ``VACUUM FULL`` rewrites the h4s tables into new files, so the table files
  no longer hold the rows.  The server's write-ahead log and its backups keep old pages until they are
  recycled; that retention is the database operator's (book/records-storage.md).

Statements already sent to an LRS are listed in the result (``sent_statement_ids``):
the LRS keeps its own copy, which its operator must erase there.

Open Badges credentials (:mod:`h4s_kit.credentials`): the export holds each issued credential as the
learner got it (with the name typed for it, if any); erasure deletes them from the store but does **not**
revoke them.  A credential states a true fact (this learner passed this module version) and is the learner's
own: erasing the server's copy must not take its value away.  Its status list slot stays (one bit, no
personal data), so a trainer can still revoke it later from the file (``h4s credentials revoke FILE``).
"""
from __future__ import annotations

import time

from h4s_widgets._errors import RecordsError

from .store import RecordStore


def export_learner(store: RecordStore, learner: str) -> dict:
    """Everything stored about ``learner``: records, queued/sent statements, module results."""
    return {
        "format": "h4s-learner-export", "version": 1, "learner": learner,
        "exported": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "records": store.records(learner=learner),
        "statements": store.queue(learner=learner),
        "module_results": store.module_results(learner=learner),
        "credentials": [{"id": c["id"], "module": c["module"], "version": c["version"], "issued": c["issued"],
                         "revoked": c["revoked"], "credential": c["credential"]}
                        for c in store.credentials(learner=learner)],
    }


def delete_learner(store: RecordStore, learner: str) -> dict:
    r = store.delete_learner(learner)
    store.scrub()
    return r


def purge_older_than(store: RecordStore, days: float) -> dict:
    if days < 0:
        raise RecordsError("--older-than must be 0 or more days")
    r = store.delete_older_than(time.time() - days * 86400)
    store.scrub()
    return {"older_than_days": days, **r}
