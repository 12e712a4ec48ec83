"""The kernel-free grading API of the served book: ``POST <book>/api/quiz/check`` and ``.../solution``.

The learner is the server's (``current_user``: the h4s cookie, or the Hub user); any ``learner`` in the
body is ignored.  Grading, attempts and solutions are :class:`h4s_kit.quiz_api.QuizService`'s; a code
exercise goes through :mod:`h4s_kit.server.code_run`.  Errors are one line of JSON, never a path or a
traceback."""
from __future__ import annotations

import json
import logging
from urllib.parse import urlsplit

from tornado import web

from ..identity import learner_of
from .errors import JsonErrors

log = logging.getLogger("h4s.serve")


def cross_site(request) -> bool:
    """A request a browser sent from another site: ``Sec-Fetch-Site`` (set by the browser, not by the page)
    when there is one, else an ``Origin`` that is neither this host nor the one a proxy forwarded."""
    h = request.headers
    site = h.get("Sec-Fetch-Site")
    if site:
        return site.lower() == "cross-site"
    origin = h.get("Origin")
    if not origin:
        return False
    hosts = {request.host.lower(), h.get("X-Forwarded-Host", "").split(",")[0].strip().lower()}
    return urlsplit(origin).netloc.lower() not in hosts


class QuizHandler(JsonErrors):
    """One action of the API (``check`` or ``solution``) of one :class:`~h4s_kit.quiz_api.QuizService`."""

    def initialize(self, service, action: str):
        self.service = service
        self.action = action

    @web.authenticated
    async def post(self):
        from h4s_widgets._sandbox import SandboxUnavailable

        from ..code_queue import CodeQueueError
        from ..quiz_api import MAX_BODY, QuizApiError
        from .code_run import run_code_check

        body = self.json_body(MAX_BODY, "the answer is too long", "answers are accepted from this course's own pages only",
                              refused="the answer was refused")
        if body is None:
            return
        learner = learner_of(self.current_user)     # issued by this server; a "learner" in the body is ignored
        service = self.service
        fn = getattr(service, self.action)
        try:
            q = service.question(body.get("module"), body.get("qid"))
            if q.type == "code" and self.action == "check":   # a process with a time limit: off the loop
                out = await run_code_check(service, learner, body, q)
            else:
                out = fn(body, learner)
        except QuizApiError as e:
            return self._fail(e.status, str(e))
        except CodeQueueError as e:
            if e.retry_after:
                self.set_header("Retry-After", str(e.retry_after))
            return self._fail(e.status, str(e))
        except SandboxUnavailable as e:
            return self._fail(503, str(e))
        except Exception as e:   # never a path or a traceback to the learner; the details go to the log
            log.exception("h4s serve: %s of %s/%s failed", self.action, body.get("module"), body.get("qid"))
            where = f"module {body.get('module')}, question {body.get('qid')}"
            return self._fail(500, f"{where}: the server could not {self.action} this answer; try again, and "
                                   f"tell your trainer if it goes on ({type(e).__name__})")
        self.finish(json.dumps(out, ensure_ascii=False))

