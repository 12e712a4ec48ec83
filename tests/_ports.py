"""Free ports for the test servers, and one rule for a port that another process took before the server bound it.

A test helper, not part of the h4s package.  :func:`free_port` asks the system for a port of 127.0.0.1 that is
free now; between that and the server's bind, another process (a parallel test, another suite on the machine) can
take it.  :func:`start_retrying` is the rule every helper here that starts a server on such a port follows
(Ralph, PostgreSQL, JupyterHub, ``h4s serve``): when the server says its port was taken (:func:`port_taken`),
start it again, on a new port if the port was ours to choose and the server never ran on it, else on the same
port a moment later; any other failure fails at once.
"""
from __future__ import annotations

import re
import socket
import time
from typing import Callable

#: what the servers say when their port is taken: Python and PostgreSQL ("Address already in use"), Node.js
#: (EADDRINUSE: configurable-http-proxy), Jupyter Server ("The port 8000 is already in use.": h4s serve)
_TAKEN = re.compile(r"address already in use|EADDRINUSE|\bport \d+ is already in use", re.IGNORECASE)


def free_port() -> int:
    """A TCP port of 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_taken(output: str) -> bool:
    """Whether a server's output (its log, what it printed) says that it could not bind its port."""
    return bool(_TAKEN.search(output))


def start_retrying(start_once: Callable[[int], bool], port: int, *, may_move: bool, failure: str,
                   tries: int = 5) -> int:
    """Start a server with ``start_once(port)`` and return the port it runs on.

    ``start_once`` returns True when the server answers and False when its port was taken (it raises on any other
    failure, which ends the tries).  After False: a new :func:`free_port` when ``may_move`` (the port is ours and
    the server never ran on it), else the same port, each time a little later.  After ``tries`` times False:
    ``RuntimeError(failure)``."""
    for attempt in range(tries):
        if start_once(port):
            return port
        if may_move:
            port = free_port()
        time.sleep(0.2 * (attempt + 1))
    raise RuntimeError(failure)
