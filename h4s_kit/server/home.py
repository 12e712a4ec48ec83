"""Where learners start: the book.  ``/live/`` (jupyter_server's own home) goes to the book, and the
pages a learner has no use for (Voilà's file tree, JupyterLab, the notebook tree, terminals) answer
400 with one line naming where to go instead."""
from __future__ import annotations

from tornado import web

from .errors import JsonErrors


class HomeRedirectHandler(JsonErrors):
    def initialize(self, book_url: str):
        self.book_url = book_url

    @web.authenticated
    def get(self):
        self.redirect(self.book_url)

    head = get


class NotOfferedHandler(JsonErrors):
    SUPPORTED_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")

    def initialize(self, book_url: str):
        self.book_url = book_url

    async def prepare(self):
        self.fail(400, f"this page is not offered to learners: open a module from the book at {self.book_url}")
