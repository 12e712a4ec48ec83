"""The live version of every course module opens under `h4s serve` (Voilà): 200, every quiz output there,
no error output, no answer key in the page."""
from __future__ import annotations

import urllib.request
from pathlib import Path

import pytest

from h4s_kit.serve import LiveServer, free_port

ROOT = Path(__file__).resolve().parents[1]
MODULES = sorted(p.name for p in (ROOT / "modules").iterdir() if (p / "module.ipynb").exists())

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    html = tmp_path_factory.mktemp("html")
    (html / "index.html").write_text("<!doctype html><title>book</title>")   # only the live pages are tested here
    srv = LiveServer(html_dir=html, modules_dir=ROOT / "modules", port=free_port(),
                     data_dir=tmp_path_factory.mktemp("voila-data"), log_file=html.parent / "serve.log",
                     echo=lambda s: None)
    srv.start()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.mark.parametrize("module", MODULES)
def test_live_version_opens(live, module):
    from h4s_kit.modules import load_module, quiz_calls
    with urllib.request.urlopen(f"{live.url}live/voila/render/{module}/module.ipynb", timeout=180) as r:
        assert r.status == 200
        page = r.read().decode("utf-8")
    calls, _ = quiz_calls(load_module(ROOT / "modules" / module).nb)
    assert page.count("application/vnd.jupyter.widget-view+json") >= len(calls), "a quiz output is missing"
    assert "Traceback" not in page and 'class="jp-RenderedText" data-mime-type="application/vnd.jupyter.stderr"' not in page
    assert "data-h4s-static" not in page, "the live page must not carry the static key (H4S_LIVE=1)"
    assert "h4s-book-link" in page, "the live page links back to the book"
