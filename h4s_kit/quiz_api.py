"""Kernel-free live grading for ``h4s serve``.

The book's module pages already carry the whole quiz UI.  When ``h4s serve``
hands such a page to a learner it removes every key from it (hashed keys,
feedback texts and obfuscated solutions) and tells the front-end to ask the
server instead: ``POST /api/quiz/check`` grades the response in Python with
the same :func:`h4s_widgets.grade` as the live widget, counts attempts,
returns the feedback for that answer only, and stores the learner record
(SQLite / xAPI) exactly as a kernel would.  No kernel per learner is started,
so a page is interactive as soon as it has loaded; code exercises run in the
sandbox of ``h4s_widgets._sandbox`` through the fair queue of ``h4s_kit.code_queue``
(``max_code_runs`` workers, one run per learner at a time).  Its HTTP handler is
:mod:`h4s_kit.server.quiz` (``h4s serve``'s jupyter_server extension).

The Voilà version under ``/live/`` stays for running a whole notebook.
"""
from __future__ import annotations

import json
import logging
import math
import os
import re
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from h4s_widgets._errors import H4SError
from h4s_widgets._events import emit_record
from h4s_widgets._grading import grade
from h4s_widgets._safe_json import UnsafeInput
from h4s_widgets._safe_json import check as check_clean
from h4s_widgets._schema import QuestionBase, load_bank
from h4s_widgets._session import rule_of, session_step
from h4s_widgets._spec import feedback_texts, solution_html

log = logging.getLogger("h4s.serve")

API_PREFIX = "/api/quiz"
MAX_BODY = 256 * 1024
_DATA = re.compile(r'(<script type="application/json" class="h4s-data">)(.*?)(</script>)', re.S)
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
#: records of answers sent with an ``answer_id`` are stored under uuid5(this, learner + answer id)
_ANSWER_NS = uuid.UUID("5b0d6c4e-6f1a-4c36-9a8e-2f4f0b7d2a11")


class QuizApiError(H4SError):
    def __init__(self, status: int, message: str):
        self.status = status
        super().__init__(message)


def strip_keys(page: str, api: str = API_PREFIX) -> str:
    """Remove every key from the static quizzes of an HTML page and point them at the server."""

    def keyless(m: re.Match) -> str:
        try:
            payload = json.loads(m.group(2).replace("<\\/", "</"))
        except ValueError:
            return m.group(0)
        payload["static"] = [{} for _ in payload.get("static", [])]
        payload["server"] = api
        text = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
        return m.group(1) + text + m.group(3)

    return _DATA.sub(keyless, page)


class QuizService:
    """Grades for every module under ``modules_dir``; banks are read once and reloaded when changed.

    The learner id is an argument of :meth:`check` and :meth:`solution`, never a field of the body: the
    front server passes the id it issued (``h4s_kit.identity``).  Attempts are the learner's answers
    stored in the record store (``records.sqlite``), so a limit survives a restart and cannot be reset
    by the browser; with records off (``H4S_RECORDS=off``) they are counted in memory instead.  An answer
    is graded only when it can be stored (:mod:`h4s_widgets._safe_json` refuses what cannot), and the
    grade is returned only once its record is stored.  A question bank that cannot be read fails its own
    questions only; the reason goes to the server log, the learner gets one line without paths.
    """

    def __init__(self, modules_dir: Path, max_code_runs: int = 2, lang: str | None = None):
        self.modules_dir = Path(modules_dir)
        self.lang = lang
        self._banks: dict[str, tuple[float, dict[str, QuestionBase]]] = {}
        self._attempts: dict[tuple[str, str, str], int] = {}   # only when records are off
        self._answered: dict[str, dict] = {}                   # answer uuid -> reply, only when records are off
        self._lock = threading.Lock()
        self._key_locks = [threading.Lock() for _ in range(64)]   # striped: bounded, one key always one lock
        self._broken: dict[str, list[str]] = {}                # module -> bank files that cannot be read
        self._pools: dict[str, dict[str, tuple[list[str], int]]] = {}   # module -> bank -> (pool ids, draw)
        self._draw_no: dict[str, int] | None = None            # "learner/module/bank" -> attempt (draws.json)
        self.sink = None
        if os.environ.get("H4S_RECORDS", "sqlite").lower() not in ("off", "0", "none", ""):
            from .records.live import LiveSink
            self.sink = LiveSink()   # the configured store: H4S_DATABASE_URL, else $H4S_DATA_DIR/records.sqlite
        from .code_queue import CodeQueue
        self.code_queue = CodeQueue(workers=max_code_runs)   # bounded and fair: one run per learner at a time
        self.pool = self.code_queue.pool

    # ----------------------------------------------------------- questions
    def _module_dir(self, module: str) -> Path:
        if not isinstance(module, str) or not _ID.match(module):
            raise QuizApiError(400, "module: expected a module id such as 04-open-educational-resources")
        d = self.modules_dir / module
        if not (d / "questions").is_dir():
            raise QuizApiError(404, f"there is no module {module!r} with questions on this server; "
                                    "open the module from the book's table of contents")
        return d

    def questions(self, module: str) -> dict[str, QuestionBase]:
        qdir = self._module_dir(module) / "questions"
        files = sorted(list(qdir.glob("*.yml")) + list(qdir.glob("*.yaml")) + list(qdir.glob("*.json")))
        stamp = max((f.stat().st_mtime for f in files), default=0.0) + len(files)
        with self._lock:
            cached = self._banks.get(module)
            if cached and cached[0] == stamp:
                return cached[1]
        found: dict[str, QuestionBase] = {}
        broken: list[str] = []
        pools: dict[str, tuple[list[str], int]] = {}
        for f in files:
            try:
                bank = load_bank(f)
            except Exception as e:   # one bad bank fails its own questions only; the reason goes to the log
                log.error("h4s serve: module %s: question bank %s cannot be read: %s", module, f.name, e)
                broken.append(f.name)
                continue
            for q in bank.questions:
                found.setdefault(q.id, q)
            if bank.draw is not None:
                pools[f.stem] = ([q.id for q in bank.questions], bank.draw)
        with self._lock:
            self._banks[module] = (stamp, found)
            self._pools[module] = pools
            self._broken[module] = broken
        return found

    def question(self, module: str, qid: Any) -> QuestionBase:
        if not isinstance(qid, str) or not _ID.match(qid):
            raise QuizApiError(400, "qid: expected a question id")
        q = self.questions(module).get(qid)
        if q is None:
            broken = self._broken.get(module)
            if broken:
                raise QuizApiError(503, f"module {module}: question {qid} cannot be graded now: a question bank "
                                        f"of this module ({', '.join(broken)}) cannot be read; tell your trainer "
                                        "(`h4s check` names the fault)")
            raise QuizApiError(404, f"module {module!r} has no question {qid!r}")
        return q

    # ---------------------------------------------------------------- draws
    def _draw_file(self) -> Path:
        from .records.store import data_dir
        return data_dir() / "draws.json"

    def _drawn(self, learner: str, module: str, bank: str, new: bool = False) -> dict:
        """The learner's current draw of a pool (``draw: n``; :func:`h4s_widgets._draw.draw_ids`), a new one
        when ``new``.  The seed is an HMAC of the learner, module, bank and attempt number with the server's
        secret: the browser cannot choose it.  Attempt numbers are kept in ``draws.json`` in the data folder."""
        import hashlib
        import hmac

        from h4s_widgets._draw import draw_ids

        from .records.store import _secret, data_dir
        pool = self._pools.get(module, {}).get(bank)
        if pool is None:
            raise QuizApiError(404, f"module {module!r} has no question pool {bank!r}")
        key = f"{learner}/{module}/{bank}"
        with self._lock:
            if self._draw_no is None:
                try:
                    self._draw_no = json.loads(self._draw_file().read_text(encoding="utf-8"))
                except (OSError, ValueError):
                    self._draw_no = {}
            no = self._draw_no.get(key, 0)
            if new or not no:
                no += 1
                self._draw_no[key] = no
                tmp = self._draw_file().with_suffix(".tmp")
                try:
                    tmp.write_text(json.dumps(self._draw_no), encoding="utf-8")
                    os.replace(tmp, self._draw_file())
                except OSError as e:
                    log.error("h4s serve: the draws could not be saved: %s", e)
            secret = _secret(data_dir())
        seed = hmac.new(secret, f"{learner}\x1f{module}\x1f{bank}\x1f{no}".encode(), hashlib.sha256).hexdigest()
        return {"bank": bank, "attempt": no, "n": pool[1], "ids": draw_ids(pool[0], seed, pool[1])}

    def _require_drawn(self, learner: str, module: str, q: QuestionBase) -> list[str] | None:
        """The current draw of the pool ``q`` belongs to (None: no pool); refused when ``q`` is not in it."""
        for bank, (ids, _n) in self._pools.get(module, {}).items():
            if q.id in ids:
                drawn = self._drawn(learner, module, bank)["ids"]
                if q.id not in drawn:
                    raise QuizApiError(403, f"question {q.id} is not in your current set of this quiz; "
                                            "reload the page to see your questions")
                return drawn
        return None

    def draw(self, body: dict, learner: Any = None) -> dict:
        """``{bank, attempt, n, ids}``: the learner's current draw of ``body["bank"]`` (a new one when
        ``body["new"]`` is true); any seed in the body is ignored."""
        learner = self._learner(learner)
        module = body.get("module")
        bank = body.get("bank")
        self.questions(self._module_dir(module).name)
        if not isinstance(bank, str) or not _ID.match(bank):
            raise QuizApiError(400, "bank: expected the name of a question bank such as closing-quiz")
        return self._drawn(learner, module, bank, new=body.get("new") is True)

    # --------------------------------------------------------------- calls
    @staticmethod
    def _learner(learner: Any) -> str:
        # the id the server issued (a cookie id, or the Hub user as the record store cleans it, e.g. "anna")
        from .records.store import LEARNER_RE, looks_personal
        if not isinstance(learner, str) or not LEARNER_RE.match(learner) or looks_personal(learner):
            raise QuizApiError(400, "no learner id: open the quiz from the book so that the server can issue one")
        return learner

    def _key_lock(self, key: tuple[str, str, str]) -> threading.Lock:
        return self._key_locks[hash(key) % len(self._key_locks)]

    def attempts(self, learner: str, module: str, q: QuestionBase) -> int:
        """The learner's counted answers to ``q`` so far (stored records; in memory with records off)."""
        if self.sink is None:
            with self._lock:
                return self._attempts.get((learner, module, q.id), 0)
        try:
            return self.sink.attempts(learner, module, q.id)
        except Exception as e:
            log.error("h4s serve: cannot read the attempts of %s/%s: %s", module, q.id, e)
            raise QuizApiError(503, f"question {q.id}: your attempts cannot be read just now; try again in a "
                                    "minute, and tell your trainer if it goes on") from None

    def _store(self, event: dict) -> bool:
        """Store one answer; False when its uuid was already stored (an answer sent again)."""
        q = event["question"]
        if self.sink is None:
            with self._lock:
                key = (event["learner"], event["module"], q.id)
                self._attempts[key] = self._attempts.get(key, 0) + 1
        else:
            try:
                if self.sink.record(event).get("inserted") is False:
                    return False
            except Exception as e:
                log.error("h4s serve: the answer to %s/%s could not be stored: %s", event["module"], q.id, e)
                raise QuizApiError(503, f"question {q.id}: your answer could not be saved, so it was not graded; "
                                        "try again in a minute, and tell your trainer if it goes on") from None
        emit_record(event, store=False)
        return True

    @staticmethod
    def _answer_uuid(learner: str, answer_id: Any) -> str | None:
        """The record uuid of an answer the browser numbered (``answer_id``: a UUID it made when the learner
        pressed Check, kept with an answer given offline); the same answer sent again has the same uuid."""
        if answer_id is None:
            return None
        if not isinstance(answer_id, str) or not _UUID.match(answer_id):
            raise QuizApiError(400, "answer_id: expected a UUID such as 0f8fad5b-d9cb-469f-a165-70867728950e")
        return str(uuid.uuid5(_ANSWER_NS, f"{learner}\x1f{answer_id}"))

    def _stored_answer(self, rec_uuid: str, module: str, q: QuestionBase) -> dict | None:
        """The record of an answer already stored under ``rec_uuid`` (409 when it answered another question)."""
        if self.sink is None:
            with self._lock:
                return self._answered.get(rec_uuid)
        try:
            prior = self.sink.stored(rec_uuid)
        except Exception as e:
            log.error("h4s serve: cannot read the answer %s: %s", rec_uuid, e)
            raise QuizApiError(503, f"question {q.id}: your answers cannot be read just now; try again in a "
                                    "minute, and tell your trainer if it goes on") from None
        if prior is not None and (prior["module"], prior["question"]) != (module, q.id):
            raise QuizApiError(409, f"question {q.id}: this answer id was already used for another question; "
                                    "reload the page")
        return prior

    @staticmethod
    def _solution_allowed(q: QuestionBase, attempts: int) -> bool:
        """The session rule (:func:`h4s_widgets._session.session_step`) for a 'solution' request."""
        return not session_step(rule_of(q), attempts, "solution")["refused"]

    def check(self, body: dict, learner: Any = None) -> dict:
        """Grade ``body["response"]`` for ``learner`` (the id the server issued; any id in ``body`` is ignored)."""
        learner = self._learner(learner)
        module = body.get("module")
        q = self.question(module, body.get("qid"))
        response = body.get("response")
        duration = body.get("duration_s")
        try:
            check_clean(response)
        except UnsafeInput as e:
            raise QuizApiError(400, f"question {q.id}: {e}") from None
        if isinstance(duration, bool) or not isinstance(duration, (int, float)) or not math.isfinite(duration) \
                or duration < 0:
            duration = None
        drawn = self._require_drawn(learner, module, q)
        rec_uuid = self._answer_uuid(learner, body.get("answer_id"))
        key = (learner, module, q.id)
        with self._key_lock(key):    # count, grade and store one answer at a time per learner and question
            rule = rule_of(q)
            prior = self._stored_answer(rec_uuid, module, q) if rec_uuid else None
            if prior is not None:    # sent again (a lost reply, two tabs, a reload): the stored answer's reply
                if "reply" in prior:
                    return prior["reply"]
                return self._reply(q, rule, prior["response"], int(prior["attempt"]) - 1)
            attempts = self.attempts(learner, module, q)
            if session_step(rule, attempts, "check")["refused"]:
                raise QuizApiError(409, f"question {q.id}: no attempts left ({q.max_attempts})")
            started = time.time()
            result = grade(q, response)
            fb = feedback_texts(q, self.lang)
            step = session_step(rule, attempts, "check", result.feedback)
            counted = step["counted"]
            attempts = step["attempts"]
            if counted and not self._store({
                    "learner": learner, "module": module, "question": q, "response": response,
                    "result": result, "attempt": attempts, "timestamp": started,
                    "duration_s": float(duration) if duration is not None else 0.0,
                    **({"drawn": drawn} if drawn is not None else {}),
                    **({"uuid": rec_uuid} if rec_uuid else {}),
            }) and rec_uuid:   # stored meanwhile by another server of this store: its reply
                prior = self._stored_answer(rec_uuid, module, q)
                return self._reply(q, rule, prior["response"], int(prior["attempt"]) - 1)
            out = self._out(q, result, fb, step, counted, attempts)
            if rec_uuid and self.sink is None:
                with self._lock:
                    if len(self._answered) >= 100_000:   # bounded: the oldest replies go first
                        self._answered.pop(next(iter(self._answered)))
                    self._answered[rec_uuid] = {"reply": out}
        return out

    def _reply(self, q: QuestionBase, rule: Any, response: Any, before: int) -> dict:
        """The reply to an answer stored after ``before`` attempts (graded again: graders are pure)."""
        result = grade(q, response)
        step = session_step(rule, before, "check", result.feedback)
        return self._out(q, result, feedback_texts(q, self.lang), step, step["counted"], step["attempts"])

    def _out(self, q: QuestionBase, result: Any, fb: dict, step: dict, counted: bool, attempts: int) -> dict:
        out = {
            "attempts": attempts,
            "result": result.as_dict(details=True),
            "messages": [fb[i] for i in result.feedback if i in fb] if counted else [],
            "general": fb.get("general") if counted else None,
            "solution_available": step["solution_available"],
        }
        if step["send_solution"]:
            out["solution"] = solution_html(q, self.lang)   # a reflection's example answer, after one's own
        return out

    def solution(self, body: dict, learner: Any = None) -> dict:
        """The model solution, only when the bank's rule allows it for this learner's stored attempts."""
        learner = self._learner(learner)
        module = body.get("module")
        q = self.question(module, body.get("qid"))
        self._require_drawn(learner, module, q)
        attempts = self.attempts(learner, module, q)
        if not self._solution_allowed(q, attempts):
            when = f"after {q.show_solution_after} attempt(s)" if q.show_solution_after else "not for this question"
            raise QuizApiError(403, f"question {q.id}: the solution is shown {when}")
        return {"solution": solution_html(q, self.lang)}
