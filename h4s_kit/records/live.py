"""The live sink: what happens to a graded check in a kernel.

``h4s_widgets._events`` calls :func:`default_sink` once per kernel (unless
``H4S_RECORDS=off``) and hands every graded interaction to the sink it returns.
The sink

1. picks the learner id: ``JUPYTERHUB_USER`` when set, else the pseudonymous id the
   browser sent (localStorage ``h4s-learner``), else a random id made once per kernel;
   an id that looks like an e-mail or IP address is replaced by a keyed pseudonym;
2. stores the record and, when ``H4S_LRS_URL`` is set, its xAPI statement, in one
   transaction;
3. when the module's closing quiz (``questions/closing-quiz.yml``) is now fully answered,
   records *completed* and *passed*/*failed* for the module;
4. pokes a background thread that sends the queue to the LRS (it also retries on a timer,
   so statements that waited while the LRS was down go out without anybody doing anything).
"""
from __future__ import annotations

import logging
import os
import threading
import time
import uuid as uuidlib
from pathlib import Path
from typing import Any

from h4s_widgets._errors import H4SError, RecordsError

from . import xapi
from .lrs import BackgroundSender, config_from_env
from .store import RecordStore, StoreUnavailable, clean_learner, data_dir, new_uuid

log = logging.getLogger("h4s.records")
#: seconds between two tries of a record store that could not be opened (a database server that is down)
RETRY_S = 30


def _closing_bank(module: str):
    """The closing-quiz bank of ``module`` if it can be found, else None."""
    candidates = []
    if Path.cwd().name == module:
        candidates.append(Path.cwd() / "questions" / "closing-quiz.yml")
    root = os.environ.get("H4S_MODULES_DIR")
    if root:
        candidates.append(Path(root) / module / "questions" / "closing-quiz.yml")
    candidates.append(Path.cwd() / "modules" / module / "questions" / "closing-quiz.yml")
    for c in candidates:
        if c.is_file():
            try:
                from h4s_widgets._schema import load_bank
                return load_bank(c)
            except Exception:  # a broken bank is h4s check's business, not the learner's
                log.warning("h4s records: cannot read %s", c)
                return None
    return None


class LiveSink:
    #: the record store: ``h4s_widgets._events.store_record`` stores through it and fails when it fails
    is_store = True

    def __init__(self, db: str | os.PathLike | None = None):
        self.db = db
        self.kernel_learner = "k-" + uuidlib.uuid4().hex[:20]
        self.cfg = config_from_env()
        self._store: RecordStore | None = None
        self._sender: BackgroundSender | None = None
        self._broken: str | None = None
        self._broken_until = 0.0
        self._lock = threading.Lock()
        self._banks: dict[str, Any] = {}

    # ------------------------------------------------------------------ parts
    def learner_for(self, sent: Any) -> str:
        hub = os.environ.get("JUPYTERHUB_USER")
        return clean_learner(hub) or clean_learner(sent) or self.kernel_learner

    def store(self) -> RecordStore:
        if self._store is None:
            self._store = RecordStore(self.db)
            # H4S_LRS_SENDER=off (kernels of h4s serve): queue statements only; the front server sends them
            if self.cfg is not None and self._sender is None and os.environ.get("H4S_LRS_SENDER") != "off":
                self._sender = BackgroundSender(lambda: RecordStore(self.db), self.cfg)
        return self._store

    def _bank(self, module: str):
        if module not in self._banks:
            self._banks[module] = _closing_bank(module)
        return self._banks[module]

    def module_for(self, module: Any) -> str:
        return module or os.environ.get("H4S_MODULE_ID") or Path.cwd().name

    def attempts(self, sent: Any, module: Any, qid: str) -> int:
        """Stored answers of the learner (resolved as for a record) to ``qid`` of ``module``."""
        with self._lock:
            return self.store().attempts(self.learner_for(sent), self.module_for(module), qid)

    def stored(self, uuid: str) -> dict | None:
        """The record stored under ``uuid`` (an answer sent again: see QuizService.check's ``answer_id``)."""
        with self._lock:
            return self.store().record(uuid)

    def record(self, event: dict) -> dict:
        """Store one graded interaction now; RecordsError when it cannot be stored (nothing is half-stored)."""
        with self._lock:
            store = self.store()
            try:
                rec = self._record(store, event)
            except store.errors + (UnicodeError, ValueError, TypeError, OverflowError) as e:
                log.error("h4s records: a record could not be stored: %s", e)
                raise RecordsError("the answer could not be stored") from e
        if self._sender is not None:
            self._sender.poke()
        return rec

    # ------------------------------------------------------------------ sink
    def __call__(self, event: dict) -> None:
        if self._broken and time.monotonic() < self._broken_until:
            log.debug("h4s records: store unavailable (%s); record dropped", self._broken)
            return
        with self._lock:
            try:
                store = self.store()
            except StoreUnavailable as e:   # a database server that may come back: try again later
                if self._broken is None:
                    log.error("h4s records: learner records cannot be stored now (trying again every %d s): %s",
                              RETRY_S, e)
                self._broken, self._broken_until = str(e), time.monotonic() + RETRY_S
                return
            except H4SError as e:
                self._broken, self._broken_until = str(e), float("inf")
                log.error("h4s records: learner records are off for this kernel: %s", e)
                return
            if self._broken:
                log.warning("h4s records: the record store is back; learner records are stored again")
            self._broken = None
            self._record(store, event)
        if self._sender is not None:
            self._sender.poke()

    def _record(self, store: RecordStore, event: dict) -> dict:
        q = event["question"]
        result = event["result"]
        module = self.module_for(event.get("module"))
        learner = self.learner_for(event.get("learner"))
        rec = {
            "uuid": event.get("uuid") or new_uuid(), "learner": learner, "module": module, "question": q.id, "qtype": q.type,
            "question_text": xapi.public_text(q.type, q.text), "question_title": q.title, "response": event.get("response"),
            "score": result.score, "max_score": result.max_score, "success": result.correct,
            "attempt": int(event.get("attempt") or 1), "timestamp": float(event.get("timestamp") or time.time()),
            "duration_s": event.get("duration_s"), "source": "live",
        }
        stmts = [xapi.answered_statement(rec, q)] if self.cfg is not None else []
        rec["inserted"] = store.add_record(rec, stmts)
        self._module_outcome(store, learner, module, q.id, rec["timestamp"], event.get("drawn"))
        return rec

    def _module_outcome(self, store: RecordStore, learner: str, module: str, qid: str, ts: float,
                        drawn: list[str] | None = None) -> None:
        bank = self._bank(module)
        if bank is None or qid not in {q.id for q in bank.questions}:
            return
        latest: dict[str, dict] = {}
        for r in store.history(learner, module):
            latest[r["question"]] = r
        # a pool (`draw: n`): the learner's current draw, as h4s serve decided it (QuizService._require_drawn)
        wanted = [q for q in bank.questions if q.graded and (drawn is None or q.id in drawn)]
        if drawn is None and bank.draw:   # drawn in the browser (live widget): the last `draw` answered count
            wanted = sorted((q for q in wanted if q.id in latest), key=lambda q: latest[q.id].get("ts") or 0,
                            reverse=True)[:bank.draw]
            if len(wanted) < bank.draw:
                return
        if not wanted or any(q.id not in latest for q in wanted):
            return
        total = sum(float(latest[q.id]["score"] or 0) for q in wanted)
        top = sum(float(latest[q.id]["max_score"] or 0) for q in wanted)
        scaled = total / top if top else None
        passed = None if bank.pass_mark is None or scaled is None else scaled >= bank.pass_mark - 1e-9
        before = store.module_result(learner, module)
        stmts = []
        n = len(latest) + sum(int(r.get("attempt") or 1) for r in latest.values())
        if before is None or before.get("completed") is None:
            stmts.append(xapi.module_statement("completed", learner, module, ts, scaled=scaled, success=passed,
                                               statement_id=xapi.module_statement_id(learner, module, "completed")))
        was = None if before is None or before.get("passed") is None else bool(before["passed"])
        if passed is not None and (before is None or was != passed):
            verb = "passed" if passed else "failed"
            stmts.append(xapi.module_statement(verb, learner, module, ts, scaled=scaled, success=passed,
                                               statement_id=xapi.module_statement_id(learner, module, verb, n)))
        if self.cfg is None:
            stmts = []
        completed = before["completed"] if before and before.get("completed") else ts
        store.set_module_result(learner, module, completed, passed, scaled, stmts)

    def close(self) -> None:
        if self._sender is not None:
            self._sender.stop()
            self._sender = None
        if self._store is not None:
            self._store.close()
            self._store = None


_sink: LiveSink | None = None


def default_sink() -> LiveSink | None:
    """The sink ``h4s_widgets._events`` registers (one per kernel); None if records are off."""
    global _sink
    if os.environ.get("H4S_RECORDS", "sqlite").lower() in ("off", "0", "none", ""):
        return None
    if _sink is None:
        _sink = LiveSink()
    return _sink


__all__ = ["LiveSink", "default_sink", "data_dir"]
