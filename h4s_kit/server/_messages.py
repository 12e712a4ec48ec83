"""What may pass between a live page and its kernel, and what a kernel's environment may hold.

:func:`stamp_learner` reads every message a browser sends on the kernel channel (the JSON form of the
Jupyter websocket protocol: text frames, and binary frames carrying buffers), lets only widget traffic
through and writes the server-issued learner id into every comm message.  :func:`kernel_env` is the
environment of a kernel: the server's without its secrets.
"""
from __future__ import annotations

import re

#: environment variables that never reach Voilà or a kernel (secrets; the front server keeps them)
SECRET_ENV = re.compile(r"^(H4S_TRAINER_TOKEN|H4S_LRS_AUTH|H4S_LRS_USER|H4S_LRS_PASSWORD|JUPYTERHUB_API_TOKEN|"
                        r"JPY_API_TOKEN|JUPYTERHUB_CLIENT_ID|.*(?:SECRET|PASSWORD|PASSWD|TOKEN|API_KEY|PRIVATE_KEY).*)$",
                        re.I)
#: kernel messages a live page may send (widget traffic only; no code execution, no stdin, no control)
BROWSER_MSG_TYPES = {"comm_msg", "comm_open", "comm_close", "comm_info_request", "kernel_info_request"}
MAX_JSON_DEPTH = 64
#: largest websocket message a live page may send (widget messages are small; every one is parsed to be stamped)
MAX_BROWSER_MESSAGE = 1024 * 1024


def kernel_env(env: dict) -> dict:
    """``env`` without secrets (:data:`SECRET_ENV`), for the kernels of live pages.

    Kernels still queue xAPI statements in the record store (``H4S_LRS_URL`` stays), but do not send
    them (``H4S_LRS_SENDER=off``): the server process, which holds the LRS credentials, does."""
    out = {k: v for k, v in env.items() if not SECRET_ENV.match(k)}
    out["H4S_LRS_SENDER"] = "off"
    return out


def stamp_learner(message: str | bytes, learner: str) -> str | bytes | None:
    """A kernel message from a live page with the server-issued ``learner`` in every comm message's content;
    None when the message must not reach the kernel (not widget traffic, not parseable, not storable).

    ``message``: a JSON text frame, or a binary frame of the JSON protocol (uint32 count, uint32 offsets,
    the JSON message, then its buffers)."""
    import json
    import struct

    from h4s_widgets._safe_json import UnsafeInput, loads
    buffers: list[bytes] = []
    try:
        if isinstance(message, bytes):
            n = struct.unpack("!I", message[:4])[0]
            if not 1 <= n <= 1024 or len(message) < 4 * (n + 1):
                return None
            offsets = list(struct.unpack("!" + "I" * n, message[4:4 * (n + 1)])) + [len(message)]
            if offsets != sorted(offsets) or offsets[0] != 4 * (n + 1):
                return None
            parts = [message[a:b] for a, b in zip(offsets[:-1], offsets[1:])]
            msg, buffers = loads(parts[0], MAX_JSON_DEPTH), parts[1:]
        else:
            msg = loads(message, MAX_JSON_DEPTH)
    except (UnsafeInput, ValueError, RecursionError, struct.error):
        return None
    if not isinstance(msg, dict):
        return None
    header = msg.get("header")
    mtype = header.get("msg_type") if isinstance(header, dict) else None
    if msg.get("channel") != "shell" or mtype not in BROWSER_MSG_TYPES:
        return None
    content = msg.get("content")
    if mtype == "comm_msg":
        if not isinstance(content, dict) or not isinstance(content.get("data"), dict):
            return None
        inner = content["data"].get("content")
        if isinstance(inner, dict):
            inner["learner"] = learner
    text = json.dumps(msg, ensure_ascii=False, allow_nan=False)
    if not buffers:
        return text if isinstance(message, str) else _binary(text.encode("utf-8"), [])
    return _binary(text.encode("utf-8"), buffers)


def _binary(head: bytes, buffers: list[bytes]) -> bytes:
    import struct
    parts = [head, *buffers]
    offsets = [4 * (len(parts) + 1)]
    for part in parts[:-1]:
        offsets.append(offsets[-1] + len(part))
    return struct.pack("!" + "I" * (len(parts) + 1), len(parts), *offsets) + b"".join(parts)
