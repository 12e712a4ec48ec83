"""Kernel-free live grading for ``h4s serve``.

The book's module pages already carry the whole quiz UI.  When ``h4s serve``
hands such a page to a learner it removes every key from it (hashed keys,
feedback texts and obfuscated solutions) and tells the front-end to ask the
server instead: ``POST /api/quiz/check`` grades the response in Python with
the same :func:`h4s_widgets.grade` as the live widget, counts attempts,
returns the feedback for that answer only, and stores the learner record
(SQLite / xAPI) exactly as a kernel would.  No kernel per learner is started,
so a page is interactive as soon as it has loaded; code exercises run in a
separate process with their time limit (at most ``max_code_runs`` at once).

The Voilà version under ``/live/`` stays for running a whole notebook.
"""
from __future__ import annotations

import json
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from h4s_widgets._errors import H4SError
from h4s_widgets._events import emit_record
from h4s_widgets._grading import grade
from h4s_widgets._schema import QuestionBase, load_bank
from h4s_widgets._spec import feedback_texts, solution_html

API_PREFIX = "/api/quiz"
MAX_BODY = 256 * 1024
_DATA = re.compile(r'(<script type="application/json" class="h4s-data">)(.*?)(</script>)', re.S)
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")


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
    """Grades for every module under ``modules_dir``; banks are read once and reloaded when changed."""

    def __init__(self, modules_dir: Path, max_code_runs: int = 2, lang: str | None = None):
        self.modules_dir = Path(modules_dir)
        self.lang = lang
        self._banks: dict[str, tuple[float, dict[str, QuestionBase]]] = {}
        self._attempts: dict[tuple[str, str, str], int] = {}
        self._lock = threading.Lock()
        self.pool = ThreadPoolExecutor(max_workers=max_code_runs, thread_name_prefix="h4s-code")

    # ----------------------------------------------------------- questions
    def _module_dir(self, module: str) -> Path:
        if not isinstance(module, str) or not _ID.match(module):
            raise QuizApiError(400, "module: expected a module id such as 04-open-educational-resources")
        d = self.modules_dir / module
        if not (d / "questions").is_dir():
            raise QuizApiError(404, f"module {module!r} has no questions/ folder under {self.modules_dir}")
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
        for f in files:
            for q in load_bank(f).questions:
                found.setdefault(q.id, q)
        with self._lock:
            self._banks[module] = (stamp, found)
        return found

    def question(self, module: str, qid: Any) -> QuestionBase:
        if not isinstance(qid, str) or not _ID.match(qid):
            raise QuizApiError(400, "qid: expected a question id")
        q = self.questions(module).get(qid)
        if q is None:
            raise QuizApiError(404, f"module {module!r} has no question {qid!r}")
        return q

    # --------------------------------------------------------------- calls
    @staticmethod
    def _learner(learner: Any) -> str:
        if not isinstance(learner, str) or not re.match(r"^[A-Za-z0-9_.:-]{8,80}$", learner):
            raise QuizApiError(400, "learner: expected the pseudonymous id the page keeps in this browser")
        return learner

    def check(self, body: dict) -> dict:
        module, learner = body.get("module"), self._learner(body.get("learner"))
        q = self.question(module, body.get("qid"))
        key = (learner, module, q.id)
        with self._lock:
            attempts = self._attempts.get(key, 0)
        if q.max_attempts is not None and attempts >= q.max_attempts:
            raise QuizApiError(409, f"question {q.id}: no attempts left ({q.max_attempts})")
        started = time.time()
        result = grade(q, body.get("response"))
        fb = feedback_texts(q, self.lang)
        counted = not ({"empty", "invalid"} & set(result.feedback))
        if counted:
            with self._lock:
                attempts = self._attempts.get(key, 0) + 1
                self._attempts[key] = attempts
            duration = body.get("duration_s")
            emit_record({
                "learner": learner, "module": module, "question": q, "response": body.get("response"),
                "result": result, "attempt": attempts, "timestamp": started,
                "duration_s": float(duration) if isinstance(duration, (int, float)) else 0.0,
            })
        return {
            "attempts": attempts,
            "result": result.as_dict(details=True),
            "messages": [fb[i] for i in result.feedback if i in fb] if counted else [],
            "general": fb.get("general") if counted else None,
            "solution_available": bool(q.show_solution_after and attempts >= q.show_solution_after),
        }

    def solution(self, body: dict) -> dict:
        module, learner = body.get("module"), self._learner(body.get("learner"))
        q = self.question(module, body.get("qid"))
        with self._lock:
            attempts = self._attempts.get((learner, module, q.id), 0)
        if q.type != "code" and not (q.show_solution_after and attempts >= q.show_solution_after):
            raise QuizApiError(403, f"question {q.id}: the solution opens after {q.show_solution_after or '—'} attempts")
        return {"solution": solution_html(q, self.lang)}


def make_handlers(service: QuizService, prefix: str = API_PREFIX) -> list:
    """Tornado routes for the API (added to the front server of ``h4s serve``)."""
    from tornado import web
    from tornado.ioloop import IOLoop

    class Api(web.RequestHandler):
        def initialize(self, action: str):
            self.action = action

        def check_xsrf_cookie(self):  # JSON POST from our own page; no cookies are used
            return None

        async def post(self):
            self.set_header("Content-Type", "application/json; charset=utf-8")
            self.set_header("Cache-Control", "no-store")
            if len(self.request.body) > MAX_BODY:
                return self._fail(413, "the answer is too long")
            if not self.request.headers.get("Content-Type", "").startswith("application/json"):
                return self._fail(415, "send application/json")
            try:
                body = json.loads(self.request.body or b"{}")
                if not isinstance(body, dict):
                    raise ValueError
            except ValueError:
                return self._fail(400, "the request body must be a JSON object")
            fn = getattr(service, self.action)
            try:
                q = service.question(body.get("module"), body.get("qid"))
                if q.type == "code" and self.action == "check":  # a process with a time limit: off the loop
                    out = await IOLoop.current().run_in_executor(service.pool, fn, body)
                else:
                    out = fn(body)
            except QuizApiError as e:
                return self._fail(e.status, str(e))
            except H4SError as e:
                return self._fail(500, str(e))
            self.write(json.dumps(out, ensure_ascii=False))

        def _fail(self, status: int, message: str):
            self.set_status(status)
            self.write(json.dumps({"error": message}))

    return [(f"{prefix}/check", Api, {"action": "check"}), (f"{prefix}/solution", Api, {"action": "solution"})]
