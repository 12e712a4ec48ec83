"""bench serve_assets: 25 learners fetch a live page's static files at once through h4s serve, gzip on vs off.

    .venv/bin/python bench/serve_assets.py [HTML_DIR]    (default _build/html: make build)

Starts `h4s serve` (LiveServer, in this process) on the repository's book and modules, opens one live
page (module 10) to find the static files it references under /live/.../static/, then 25 threads fetch
all of them at once, asking for gzip (compress on: Voilà's files precompressed once per installation)
or not (compress off: Voilà serves them itself).  Prints the wall time, the median per learner and the
bytes per learner.
"""
from __future__ import annotations

import re
import statistics
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from _util import ROOT, machine

# bench/ holds a voila.py of its own: out of the path, so that the server imports Voilà
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

MODULE = "10-data-literacy-with-python"


def fetch(url: str, gz: bool) -> int:
    req = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"} if gz else {})
    with urllib.request.urlopen(req, timeout=120) as r:
        return len(r.read())


def main() -> None:
    from _browser import free_port

    from h4s_kit.serve import LiveServer
    print(f"machine: {machine()}")
    for compress in (True, False):
        port = free_port()
        html_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "_build" / "html"
        srv = LiveServer(html_dir=html_dir, modules_dir=ROOT / "modules", port=port, echo=lambda s: None,
                         compress=compress)
        srv.start()
        try:
            base = f"http://127.0.0.1:{port}"
            html = urllib.request.urlopen(f"{base}/live/voila/render/{MODULE}/module.ipynb", timeout=120).read()
            assets = sorted(set(re.findall(r'(?:src|href)="(/live/[^"]*/static/[^"]+)"', html.decode())))

            def learner(_):
                t0 = time.monotonic()
                n = sum(fetch(base + a, compress) for a in assets)
                return time.monotonic() - t0, n

            with ThreadPoolExecutor(25) as ex:
                t0 = time.monotonic()
                res = list(ex.map(learner, range(25)))
                wall = time.monotonic() - t0
            print(f"gzip {'on ' if compress else 'off'}: {len(assets)} static files per page, 25 learners at once: "
                  f"wall {wall:.2f} s, median per learner {statistics.median(r[0] for r in res):.2f} s, "
                  f"{res[0][1] / 1e6:.2f} MB per learner")
        finally:
            srv.stop()


if __name__ == "__main__":
    main()
