"""``ServerApp.authorizer_class`` of ``h4s serve``: learners may do only what a live page needs.

jupyter_server asks the authorizer before every REST call and every kernel connection
(``is_authorized(handler, user, action, resource)``).  A learner is allowed exactly two things there, and
only for a kernel that a live page of *theirs* started (:meth:`h4s_kit.live.H4SKernelManager.owner_of`):
to read its model (``GET /api/kernels/<id>``, which the page's widget manager asks for) and to connect to
it (``execute`` on ``kernels``, through the kernel websocket).  Everything else is refused: starting,
listing, interrupting or deleting kernels (``/api/kernels``), contents and files (which would hand out the
notebooks and question banks), sessions, kernelspecs, terminals, nbconvert, config, events, status.

Pages that jupyter_server serves without asking an authorizer (JupyterLab, the notebook tree, Voilà's
file tree) are not loaded by ``h4s serve``, and are answered by h4s itself where Voilà has them
(:mod:`h4s_kit.server.not_offered`).
"""
from __future__ import annotations

from jupyter_server.auth.authorizer import Authorizer

from ..identity import learner_of


class H4SAuthorizer(Authorizer):

    def is_authorized(self, handler, user, action: str, resource: str) -> bool:
        if resource != "kernels" or action not in ("execute", "read"):
            return False
        from jupyter_server.services.kernels.handlers import KernelHandler
        from jupyter_server.services.kernels.websocket import KernelWebsocketHandler
        if action == "execute" and isinstance(handler, KernelWebsocketHandler):
            kernel_id = getattr(handler, "kernel_id", None)        # the channel of one kernel
        elif action == "read" and isinstance(handler, KernelHandler) and handler.request.method == "GET":
            kernel_id = (handler.path_kwargs or {}).get("kernel_id")   # the page reads its own kernel's model
        else:
            return False
        owner_of = getattr(handler.kernel_manager, "owner_of", None)
        learner = learner_of(user)
        return bool(owner_of and learner and kernel_id and owner_of(kernel_id) == learner)
