"""``POST <book>/api/quiz/draw``: the learner's current draw of a question pool (a bank with ``draw: n``).

Body ``{"module": ..., "bank": "closing-quiz", "new": false}``; ``new: true`` starts a new attempt (a new set).
The draw is :meth:`h4s_kit.quiz_api.QuizService.draw`'s (seeded with the server's secret: a seed or a learner in
the body is ignored).  Errors are one line of JSON."""
from __future__ import annotations

import json

from tornado import web

from ..identity import learner_of
from .errors import JsonErrors


class QuizDrawHandler(JsonErrors):
    def initialize(self, service):
        self.service = service

    @web.authenticated
    def post(self):
        from ..quiz_api import QuizApiError

        body = self.json_body(4096, "the request is too long", "requests are accepted from this course's own pages only")
        if body is None:
            return
        try:
            out = self.service.draw(body, learner_of(self.current_user))
        except QuizApiError as e:
            return self._fail(e.status, str(e))
        self.finish(json.dumps(out))

