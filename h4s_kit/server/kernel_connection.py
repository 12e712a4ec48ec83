"""``ServerApp.kernel_websocket_connection_class`` of ``h4s serve``: the kernel channel of a live page.

A subclass of jupyter_server's ZMQ channels connection that

* speaks only the JSON ("legacy") websocket protocol (``kernel_ws_protocol = ""``: the
  ``v1.kernel.websocket.jupyter.org`` subprotocol is never selected), so every frame can be read;
* passes on only the widget traffic of :func:`h4s_kit.server._messages.stamp_learner` (``comm_*`` and
  ``kernel_info_request`` on the shell channel; no ``execute_request``, no stdin, no control), with the
  connection's learner id written into every comm message; anything else is dropped;
* refuses (403) a connection to a kernel that no live page of this learner started (also checked by
  :class:`h4s_kit.server.authorizer.H4SAuthorizer`; this is the second lock on the same door).
"""
from __future__ import annotations

from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection
from tornado import web
from traitlets import Unicode

from ..identity import learner_of
from ._messages import stamp_learner

LEGACY_ONLY = ""


class H4SKernelConnection(ZMQChannelsWebsocketConnection):

    kernel_ws_protocol = Unicode(LEGACY_ONLY, allow_none=True, config=False,
                                 help="always the JSON protocol: every message from a page is read")

    @property
    def learner(self) -> str | None:
        return learner_of(self.websocket_handler.current_user)

    async def prepare(self):
        owner_of = getattr(self.multi_kernel_manager, "owner_of", None)
        learner = self.learner
        if not learner or owner_of is None or owner_of(self.kernel_id) != learner:
            raise web.HTTPError(403, "this kernel belongs to another page")
        await super().prepare()

    def handle_incoming_message(self, incoming_msg) -> None:
        if self.subprotocol:                    # (never selected; a frame of another protocol is not read)
            return
        learner = self.learner
        stamped = stamp_learner(incoming_msg, learner) if learner else None
        if stamped is None:
            return       # not widget traffic, or not a message the kernel could store: dropped
        super().handle_incoming_message(stamped)
