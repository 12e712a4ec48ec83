"""bench import: `import h4s_widgets` vs `import ipywidgets`, in fresh processes, alternating.

    .venv/bin/python bench/import_time.py [--runs 21]

Also measures what a notebook really pays: import plus building and
rendering one quiz, against importing ipywidgets and building one widget.
"""
from __future__ import annotations

import argparse

from _util import alternate, fmt, machine, python, summary

CASES = {
    "import h4s_widgets": "import h4s_widgets",
    "import ipywidgets": "import ipywidgets",
    "h4s: import + Quiz + render": (
        "from h4s_widgets import Quiz, SingleChoice\n"
        "q = SingleChoice(id='q', text='Pick one', options=[{'id':'a','text':'A'},{'id':'b','text':'B'}], answer='a')\n"
        "Quiz([q])._repr_mimebundle_()"),
    "ipywidgets: import + RadioButtons + render": (
        "import ipywidgets as w\nw.RadioButtons(options=['A','B'], description='Pick one')._repr_mimebundle_()"),
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=21)
    a = ap.parse_args()
    res = alternate(a.runs, **{k: [python(), "-c", v] for k, v in CASES.items()})
    print(f"machine: {machine()}")
    s = {k: summary(k, v) for k, v in res.items()}
    for v in s.values():
        print(fmt(v))
    print(f"ratio import h4s_widgets / import ipywidgets: "
          f"{s['import h4s_widgets']['median'] / s['import ipywidgets']['median']:.2f}")
    print(f"ratio import+quiz / import+ipywidget: "
          f"{s['h4s: import + Quiz + render']['median'] / s['ipywidgets: import + RadioButtons + render']['median']:.2f}")


if __name__ == "__main__":
    main()
