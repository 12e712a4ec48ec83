"""Regenerate h4s_widgets/_static/h4s-runtime.min.js from the JS sources (``npm run build-js``).

    python3 scripts/build_js.py           write the file
    python3 scripts/build_js.py --check   exit 1 when the committed file is stale

Needs node and ``npm ci`` (terser is a devDependency); only the standard
library of Python (h4s_widgets/_assets.py is loaded by path, not imported
with the package, so no virtualenv is needed).
"""
from __future__ import annotations

import gzip
import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def load_assets():
    spec = importlib.util.spec_from_file_location("_h4s_assets", ROOT / "h4s_widgets" / "_assets.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def main(argv: list[str]) -> int:
    assets = load_assets()
    text = assets.build_static_runtime(node_modules=ROOT / "node_modules")
    target = assets.MINIFIED
    if "--check" in argv:
        current = target.read_text(encoding="utf-8") if target.is_file() else ""
        if current != text:
            print(f"{target.relative_to(ROOT)} is stale: run `npm run build-js`", file=sys.stderr)
            return 1
        return 0
    target.write_text(text, encoding="utf-8")
    print(f"{target.relative_to(ROOT)}: {len(text)} bytes, {len(gzip.compress(text.encode(), 9))} gzip")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
