"""``POST <book>/api/quiz/draw``: the learner's current draw of a question pool (a bank with ``draw: n``).

Body ``{"module": ..., "bank": "closing-quiz", "new": false}``; ``new: true`` starts a new attempt (a new set).
The draw is :meth:`h4s_kit.quiz_api.QuizService.draw`'s (seeded with the server's secret: a seed or a learner in
the body is ignored).  Errors are one line of JSON."""
from __future__ import annotations

import json

from tornado import web

from ..identity import learner_of
from .errors import JsonErrors
from .quiz import cross_site


class QuizDrawHandler(JsonErrors):
    def initialize(self, service):
        self.service = service

    @web.authenticated
    def post(self):
        from h4s_widgets._safe_json import UnsafeInput
        from h4s_widgets._safe_json import loads as safe_loads

        from ..quiz_api import QuizApiError

        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        if len(self.request.body) > 4096:
            return self._fail(413, "the request is too long")
        if not self.request.headers.get("Content-Type", "").startswith("application/json"):
            return self._fail(415, "send application/json")
        if cross_site(self.request):
            return self._fail(403, "requests are accepted from this course's own pages only")
        try:
            body = safe_loads(self.request.body or b"{}")
            if not isinstance(body, dict):
                raise ValueError
        except (UnsafeInput, ValueError, RecursionError):
            return self._fail(400, "the request body must be a JSON object")
        try:
            out = self.service.draw(body, learner_of(self.current_user))
        except QuizApiError as e:
            return self._fail(e.status, str(e))
        self.finish(json.dumps(out))

    def _fail(self, status: int, message: str):
        self.set_status(status)
        self.finish(json.dumps({"error": message}, ensure_ascii=False))
