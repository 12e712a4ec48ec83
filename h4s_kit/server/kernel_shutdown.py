"""The "page closed" beacon of a live page (``POST <base>/voila/api/shutdown/<kernel>``): the kernel of the
closed page is shut down at once instead of waiting for the culler.

It replaces Voilà's own handler at that address, which needs an ``_xsrf`` token the beacon does not carry
and would shut down any kernel whose id it is given: here only the learner whose page started the kernel
can shut it down, and only from this course's own pages."""
from __future__ import annotations

from tornado import web

from ..identity import learner_of
from .errors import JsonErrors
from .quiz import cross_site


class KernelShutdownHandler(JsonErrors):

    @web.authenticated
    async def post(self, kernel_id: str):
        if cross_site(self.request):
            return self.fail(403, "only this course's own pages can close their kernel")
        km = self.kernel_manager
        owner_of = getattr(km, "owner_of", None)
        if owner_of is None or owner_of(kernel_id) is None or owner_of(kernel_id) != learner_of(self.current_user):
            return self.fail(404, "no such kernel of yours")
        await km.shutdown_kernel(kernel_id)
        self.set_status(204)
        self.finish()
