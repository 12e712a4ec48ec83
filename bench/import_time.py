"""bench import: `import h4s_widgets` vs `import ipywidgets`, in fresh processes, alternating.

    .venv/bin/python bench/import_time.py [--runs 21] [--before DIR]

Also measures what a notebook really pays: import plus building and
rendering one quiz, against importing ipywidgets and building one widget.
``--before DIR`` adds the h4s cases once more with an older h4s_widgets
first on the path (e.g. ``git archive <commit> h4s_widgets | tar -x -C DIR``),
so that a change is measured against its code before in the same run.
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
    ap.add_argument("--before", help="a folder holding an older h4s_widgets, measured in the same run")
    a = ap.parse_args()
    cmds = {k: [python(), "-c", v] for k, v in CASES.items()}
    if a.before:
        first = f"import sys; sys.path.insert(0, {str(a.before)!r})\n"
        cmds.update({f"before: {k}": [python(), "-c", first + v] for k, v in CASES.items() if k.startswith(("import h4s", "h4s"))})
    res = alternate(a.runs, **cmds)
    print(f"machine: {machine()}")
    s = {k: summary(k, v) for k, v in res.items()}
    for v in s.values():
        print(fmt(v))
    print(f"ratio import h4s_widgets / import ipywidgets: "
          f"{s['import h4s_widgets']['median'] / s['import ipywidgets']['median']:.2f}")
    print(f"ratio import+quiz / import+ipywidget: "
          f"{s['h4s: import + Quiz + render']['median'] / s['ipywidgets: import + RadioButtons + render']['median']:.2f}")
    if a.before:
        print(f"ratio before: import+quiz / import+ipywidget: "
              f"{s['before: h4s: import + Quiz + render']['median'] / s['ipywidgets: import + RadioButtons + render']['median']:.2f}")
    mins = {k: v["min"] for k, v in s.items()}
    print(f"ratio of minimums import+quiz / import+ipywidget: "
          f"{mins['h4s: import + Quiz + render'] / mins['ipywidgets: import + RadioButtons + render']:.2f}"
          + (f" (before: {mins['before: h4s: import + Quiz + render'] / mins['ipywidgets: import + RadioButtons + render']:.2f})"
             if a.before else ""))


if __name__ == "__main__":
    main()
