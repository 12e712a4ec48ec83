"""Generic fixtures: a free TCP port on 127.0.0.1, a headless Chromium browser, a throwaway PostgreSQL."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # so tests can `import _browser`


def _kept_banks_in_a_throwaway_folder() -> None:
    """Quizzes keep validated banks (h4s_widgets/_bank_cache.py) in a folder of this test run, not in the user's
    cache; set here, before test modules are imported (some build quizzes at import), so that xdist workers,
    servers and kernels the tests start inherit it.  A H4S_CACHE_DIR set by hand (``off``, elsewhere) stays."""
    import atexit
    import os
    import shutil
    import tempfile
    if "H4S_CACHE_DIR" not in os.environ:
        d = tempfile.mkdtemp(prefix="h4s-test-cache-")   # mode 0700
        os.environ["H4S_CACHE_DIR"] = d
        atexit.register(shutil.rmtree, d, True)


_kept_banks_in_a_throwaway_folder()


@pytest.fixture
def free_port():
    """A function returning a TCP port that is free on 127.0.0.1 right now."""
    from _browser import free_port as _free_port
    return _free_port


@pytest.fixture(scope="session")
def browser():
    """One headless Debian Chromium per test session (per xdist worker)."""
    from _browser import launch
    from _tools import chromium
    chromium()
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = launch(p)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def require_sandbox():
    """Fails (with how to install it) where the bubblewrap sandbox of learner code cannot start."""
    from _tools import sandbox
    sandbox()


@pytest.fixture(scope="session")
def postgres_cluster():
    """One throwaway PostgreSQL cluster per test session (per xdist worker); see tests/_postgres.py."""
    from _postgres import session_cluster
    yield from session_cluster()


@pytest.fixture
def postgres_url(postgres_cluster):
    """The URL (postgresql://...) of a new empty database on that cluster, dropped after the test."""
    from _postgres import fresh_database
    yield from fresh_database(postgres_cluster)
