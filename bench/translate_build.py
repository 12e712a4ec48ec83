"""bench translate_build: the book with every language that exists vs the English book only (issue 15).

    .venv/bin/python bench/translate_build.py [--runs 3]

A copy of the repo's book (``_config.yml``, ``book/``, ``modules/`` with their catalogues) in
bench/_work/translate; the repo's own _build is not touched.  Per run, alternating:

  full en      ``h4s build --force --lang en`` (English only; --force: no execution cache)
  full all     ``h4s build --force`` (English + every published language)
then, on the full build with languages:
  catalogue    one msgstr of module 13's German catalogue changed (different every run), ``h4s build``
  nothing      ``h4s build`` again with nothing changed
Prints median and range per case, the ratio all / en for the full build, and which pages the
catalogue change rewrote (only that language's page of that module should).
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from _util import ROOT, copy_book, fmt, machine, summary, timed

WORK = ROOT / "bench" / "_work" / "translate"
BIN = Path(sys.executable).parent
M13 = "13-data-protection-and-online-safety"


def run(cmd: list[str], cwd: Path) -> float:
    return timed(cmd, cwd, dict(os.environ, H4S_RECORDS="off"))[0]


def change_one_msgstr(po: Path, n: int) -> None:
    sys.path.insert(0, str(ROOT))
    from babel.messages.pofile import read_po, write_po
    with open(po, "rb") as fh:
        cat = read_po(fh)
    m = next(m for m in cat if m.context == "module.ipynb:cell-20/b4")   # "Bestehensgrenze: 70 %."
    m.string = m.string.split(" [")[0] + f" [{n}]"
    with open(po, "wb") as fh:
        write_po(fh, cat)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    copy_book(WORK)
    h4s = str(BIN / "h4s")
    t = {"full en": [], "full all": [], "catalogue": [], "nothing": []}
    rewritten: list[list[str]] = []
    for i in range(a.runs):
        t["full en"].append(run([h4s, "build", "--force", "--lang", "en"], WORK))
        t["full all"].append(run([h4s, "build", "--force"], WORK))
        html = WORK / "_build" / "html"
        before = {p: p.stat().st_mtime_ns for p in html.rglob("*.html")}
        change_one_msgstr(WORK / "modules" / M13 / "locales" / "de" / "LC_MESSAGES" / "module.po", i)
        t["catalogue"].append(run([h4s, "build"], WORK))
        rewritten.append(sorted(p.relative_to(html).as_posix() for p in html.rglob("*.html")
                                if before.get(p) != p.stat().st_mtime_ns))
        t["nothing"].append(run([h4s, "build"], WORK))
    print(machine())
    for k, xs in t.items():
        print(fmt(summary(k, xs)))
    med = {k: summary(k, xs)["median"] for k, xs in t.items()}
    print(f"ratio full all / full en: {med['full all'] / med['full en']:.2f}")
    print(f"catalogue change / full all: {100 * med['catalogue'] / med['full all']:.1f} %")
    print(f"pages rewritten by the catalogue change: {rewritten}")


if __name__ == "__main__":
    main()
