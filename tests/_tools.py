"""One rule for the tools that the README's `make test` installs: a missing one fails, with how to install it.

Nothing that `make test` sets up (Node.js, the npm packages of package.json, Debian chromium) may be skipped:
a skip would hide a broken feature.  Only material that is not part of the project (``../shared``) skips.
"""
from __future__ import annotations

import asyncio
import os
import shutil
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("H4S_CHROMIUM", "/usr/bin/chromium")


def node() -> str:
    """The `node` executable, or a failing test that says how to install it."""
    exe = shutil.which("node")
    if exe is None:
        pytest.fail("node is not on PATH: install Node.js 20 or later (Debian: apt-get install nodejs npm); "
                    "`make test` needs it for the JS tests")
    return exe


def npm_file(*parts: str) -> Path:
    """A file of an npm package in node_modules/, or a failing test that says how to install it."""
    path = ROOT.joinpath("node_modules", *parts)
    if not path.exists():
        pytest.fail(f"{path.relative_to(ROOT)} is missing: run `npm ci` in {ROOT} (`make setup` does it)")
    return path


def chromium() -> str:
    """Debian's Chromium, or a failing test that says how to install it."""
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: run `bash scripts/ensure-system-packages.sh` "
                    "(installs Debian chromium; `make test` does it)")
    return CHROMIUM


def sandbox() -> None:
    """The bubblewrap sandbox of learner code can start here, or a failing test that says why and how to fix it.

    On a machine that cannot run it at all (no user namespaces), H4S_TESTS_WITHOUT_SANDBOX=1 skips these tests
    on purpose; `make test` and CI never set it."""
    from h4s_widgets._sandbox import sandbox_available
    ok, why = sandbox_available()
    if ok:
        return
    if os.environ.get("H4S_TESTS_WITHOUT_SANDBOX") == "1":
        pytest.skip(f"H4S_TESTS_WITHOUT_SANDBOX=1: the sandbox cannot start here ({why})")
    pytest.fail(f"the learner-code sandbox cannot start: {why}. Run `bash scripts/ensure-system-packages.sh` "
                "(installs Debian bubblewrap; `make test` does it)")


def run_coroutine(coro):
    """``asyncio.run`` in a thread of its own: the worker's shared browser (Playwright's sync API) keeps an event
    loop running in the main thread, where ``asyncio.run`` would refuse to start."""
    box: dict = {}

    def target():
        try:
            box["value"] = asyncio.run(coro)
        except BaseException as e:  # re-raised in the test's thread
            box["error"] = e

    t = threading.Thread(target=target)
    t.start()
    t.join()
    if "error" in box:
        raise box["error"]
    return box.get("value")
