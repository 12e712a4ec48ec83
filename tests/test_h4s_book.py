"""The book extension's page fixes (h4s_kit/assets/h4s_book.py), on page text built in memory."""
from __future__ import annotations

from h4s_kit.assets.h4s_book import fix_html

HEAD = """<html><head>
    <link rel="stylesheet" type="text/css" href="../_static/pygments.css?v=03e43079" />
    <link href="../_static/styles/theme.css?digest=dfe6caa3a7d634c4db9b" rel="stylesheet" />
    <link rel="stylesheet" type="text/css" href="../_static/sphinx-thebe.css?v=4fa983c6" />
    <script src="../_static/documentation_options.js?v=9eb32ce0"></script>
    <script src="../_static/doctools.js?v=9a2dae69"></script>
    <script>DOCUMENTATION_OPTIONS.pagename = 'modules/x';</script>
    <script>const THEBE_JS_URL = "https://unpkg.com/thebe@0.8.2/lib/index.js"; const thebe_selector = ".thebe"</script>
    <script async="async" src="../_static/sphinx-thebe.js?v=c100c467"></script>
    <script>const THEBE_JS_URL = "https://unpkg.com/thebe@0.8.2/lib/index.js"; const thebe_selector = ".thebe"</script>
    <script defer src="../_static/scripts/bootstrap.js?digest=x"></script>
    <script type="module" src="../_static/x.mjs"></script>
</head><body><p>text</p>
    <script type="text/x-thebe-config">
    { requestKernel: true, binderOptions: { repo: "binder-examples/x" } }
    </script>
</body></html>"""


def test_thebe_leftovers_are_dropped():
    out = fix_html(HEAD)
    assert "thebe" not in out.lower()
    assert "unpkg.com" not in out
    assert "<p>text</p>" in out and "DOCUMENTATION_OPTIONS.pagename" in out


def test_head_scripts_are_deferred_but_documentation_options_stays_first():
    out = fix_html(HEAD)
    assert '<script src="../_static/documentation_options.js?v=9eb32ce0"></script>' in out
    assert '<script defer src="../_static/doctools.js?v=9a2dae69"></script>' in out
    assert out.count("<script defer") == 2          # doctools, and bootstrap left as it was
    assert '<script type="module" src="../_static/x.mjs"></script>' in out
    assert out.index("basic.css") < out.index("styles/theme.css")   # preloaded next to theme.css


def test_fix_html_is_idempotent():
    once = fix_html(HEAD)
    assert fix_html(once) == once


def test_fresh_quiz_runtime_is_idempotent():
    from h4s_kit.assets.h4s_book import fresh_quiz_runtime
    page = ('<html><head><title>x</title></head><body><div class="h4s-static">'
            '<script type="application/json" class="h4s-data">{}</script></div></body></html>')
    once = fresh_quiz_runtime(page)
    assert once.count('<script id="h4s-runtime">') == 1 and once.count('<style id="h4s-css">') == 1
    assert fresh_quiz_runtime(once) == once      # a rebuilt page does not grow by a newline each time
