"""A widget's comm messages on a kernel's websocket channel, as a page sends and reads them.

A test helper, not part of the h4s package: :func:`comm_msg` is the JSON text of one ``comm_msg`` to a widget,
:func:`widget_states` the widget states that come back (the tests of the live pages through ``h4s serve`` and
through JupyterHub read them).
"""
from __future__ import annotations

import asyncio
import json
import time
import uuid
from typing import AsyncIterator


def comm_msg(comm_id: str, data: dict, session: str) -> str:
    """The JSON text of a ``comm_msg`` with ``data`` to the widget ``comm_id`` (shell channel, protocol 5.3)."""
    return json.dumps({
        "header": {"msg_id": uuid.uuid4().hex, "msg_type": "comm_msg", "username": "x", "session": session,
                   "version": "5.3", "date": ""},
        "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
        "content": {"comm_id": comm_id, "data": data}})


async def widget_states(conn, comm_id: str, deadline: float) -> AsyncIterator[dict]:
    """The widget states (the ``state`` trait in the ``update`` and ``echo_update`` messages of widget ``comm_id``)
    that come on the websocket ``conn`` until ``deadline`` (``time.monotonic()``) or until it closes; other
    messages and binary frames are passed over."""
    while time.monotonic() < deadline:
        try:
            raw = await asyncio.wait_for(conn.read_message(), max(0.1, deadline - time.monotonic()))
        except asyncio.TimeoutError:
            return
        if raw is None:
            return
        if isinstance(raw, bytes):
            continue
        msg = json.loads(raw)
        d = msg.get("content", {}).get("data", {})
        if msg.get("msg_type") == "comm_msg" and msg["content"].get("comm_id") == comm_id \
                and d.get("method") in ("update", "echo_update") and "state" in d.get("state", {}):
            yield d["state"]["state"]
