"""The test servers' rule for a port taken between free_port() and the server's bind (tests/_ports.py), and
`h4s serve` for a test (tests/_serve.py): it starts again on a new port when its port was taken, fails at once on
any other error, and leaves nothing running."""
from __future__ import annotations

import os
import shutil
import socket
import urllib.request
from pathlib import Path

import pytest

import _ports
import _serve
from _ports import port_taken, start_retrying

ROOT = Path(__file__).resolve().parents[1]


def test_port_taken_knows_what_the_servers_say():
    assert port_taken("OSError: [Errno 98] Address already in use")                          # Python, uvicorn
    assert port_taken('LOG:  could not bind IPv4 address "127.0.0.1": Address already in use')  # PostgreSQL
    assert port_taken("Error: listen EADDRINUSE: address already in use 127.0.0.1:8000")      # Node.js proxy
    assert port_taken("[I H4SServerApp] The port 8000 is already in use.")                      # h4s serve
    assert not port_taken("h4s serve: error: no built book in _build/html: run `h4s build` first")
    assert not port_taken("the name is already in use")


def test_a_taken_port_of_our_own_choosing_is_changed():
    tried: list[int] = []

    def once(port: int) -> bool:
        tried.append(port)
        return len(tried) == 3
    assert start_retrying(once, 1, may_move=True, failure="no") == tried[-1]
    assert tried[0] == 1 and len(set(tried)) == 3


def test_a_given_port_is_tried_again_and_then_fails_with_the_message():
    tried: list[int] = []

    def once(port: int) -> bool:
        tried.append(port)
        return False
    with pytest.raises(RuntimeError, match="^the port stayed taken$"):
        start_retrying(once, 4321, may_move=False, failure="the port stayed taken", tries=3)
    assert tried == [4321, 4321, 4321]


def test_any_other_failure_ends_the_tries_at_once():
    tried: list[int] = []

    def once(port: int) -> bool:
        tried.append(port)
        raise ValueError("broken config")
    with pytest.raises(ValueError, match="broken config"):
        start_retrying(once, 4321, may_move=True, failure="no")
    assert tried == [4321]


def _book(tmp_path: Path, built: bool = True) -> tuple[Path, dict]:
    """A project with an empty book (enough for `h4s serve --no-build`) and the environment to serve it."""
    proj = tmp_path / "proj"
    (proj / "modules").mkdir(parents=True)
    shutil.copy2(ROOT / "_config.yml", proj / "_config.yml")
    if built:
        (proj / "_build" / "html").mkdir(parents=True)
        (proj / "_build" / "html" / "index.html").write_text("<!doctype html><title>t</title>", encoding="utf-8")
    env = dict(os.environ, PYTHONUNBUFFERED="1", H4S_DATA_DIR=str(tmp_path / "data"))
    for k in ("H4S_RECORDS", "H4S_LRS_URL", "JUPYTERHUB_USER", "H4S_DATABASE_URL"):
        env.pop(k, None)
    return proj, env


@pytest.mark.slow
def test_h4s_serve_starts_again_on_a_new_port_when_its_port_was_taken(tmp_path, monkeypatch):
    proj, env = _book(tmp_path)
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        taken = held.getsockname()[1]
        monkeypatch.setattr(_serve, "free_port", lambda: taken)        # the first port is taken meanwhile
        with _serve.h4s_serve(proj, env) as srv:
            assert srv.port != taken
            with urllib.request.urlopen(srv.url, timeout=30) as r:
                assert r.status == 200
    assert srv.proc.returncode == 0, srv.output()
    with pytest.raises(ProcessLookupError):
        os.killpg(srv.proc.pid, 0)                                        # nothing of its process group runs


@pytest.mark.slow
def test_h4s_serve_that_fails_otherwise_fails_at_once(tmp_path, monkeypatch):
    proj, env = _book(tmp_path, built=False)
    ports: list[int] = []
    monkeypatch.setattr(_ports, "free_port", lambda: ports.append(0) or pytest.fail("a new port was asked for"))
    with pytest.raises(AssertionError, match="h4s serve exited:(.|\n)*no built book"):
        with _serve.h4s_serve(proj, env):
            pass
    assert ports == []
