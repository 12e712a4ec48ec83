"""What `pip install h4s` (no extras) brings is enough for the package: every third-party module that the code of
h4s_kit and h4s_widgets imports (also inside functions) comes with a run-time dependency, not with the test extra."""
from __future__ import annotations

import ast
import re
import sys
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("h4s_kit", "h4s_widgets")


def _name(req: str) -> str:
    return re.split(r"[\s\[<>=!~;(]", req.strip(), maxsplit=1)[0].lower().replace("_", "-")


def runtime_closure() -> set[str]:
    """Distributions that a plain `pip install h4s` installs: the requirements without an extra, recursively."""
    todo, seen = ["h4s"], set()
    while todo:
        dist = todo.pop()
        if dist in seen:
            continue
        seen.add(dist)
        try:
            reqs = metadata.requires(dist) or []
        except metadata.PackageNotFoundError:
            continue
        todo += [_name(r) for r in reqs if "extra ==" not in r.replace('"', "'").replace("extra==", "extra ==")]
    return seen


def imported_modules() -> dict[str, str]:
    """Top-level module name -> the first file of the two packages that imports it."""
    found: dict[str, str] = {}
    for pkg in PACKAGES:
        for path in sorted((ROOT / pkg).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = []
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    names = [node.module]
                for n in names:
                    found.setdefault(n.split(".")[0], str(path.relative_to(ROOT)))
    return found


def test_every_import_of_the_package_is_a_runtime_dependency():
    closure = runtime_closure()
    assert {"anywidget", "nbval", "jupyter-book"} <= closure, closure
    dists = metadata.packages_distributions()
    missing = []
    for mod, where in sorted(imported_modules().items()):
        if mod in PACKAGES or mod in sys.stdlib_module_names or mod == "__future__":
            continue
        owners = {_name(d) for d in dists.get(mod, [])}
        if not owners:
            missing.append(f"{where}: imports {mod}, which no installed distribution provides")
        elif not owners & closure:
            missing.append(f"{where}: imports {mod} ({', '.join(sorted(owners))}), not a run-time dependency")
    assert not missing, "\n".join(missing)


def test_check_runs_nbval_from_the_runtime_dependencies():
    """`h4s check` runs `pytest --nbval-lax` in a subprocess: pytest and nbval must come without extras."""
    from h4s_kit.check.nbval_step import nbval_command
    cmd = nbval_command(["x.ipynb"])
    assert cmd[1:3] == ["-m", "pytest"] and "--nbval-lax" in cmd
    assert {"pytest", "nbval"} <= runtime_closure()
