"""JupyterLab for authoring: the command line and environment of ``h4s lab``.

The configuration lives in ``h4s_kit/assets/jupyterlab/`` (``jupyter_server_config.py``: 127.0.0.1 only, no
news feed, no update checks, a read-only extension manager); JupyterLab finds it through
``JUPYTER_CONFIG_PATH``, put in front of whatever the environment already has.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

CONFIG_DIR = Path(__file__).resolve().parent / "assets" / "jupyterlab"


def lab_env(base: dict | None = None) -> dict:
    """``base`` (default: this process's environment) with the kit's JupyterLab configuration first."""
    env = dict(os.environ if base is None else base)
    rest = env.get("JUPYTER_CONFIG_PATH", "")
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(p for p in (str(CONFIG_DIR), rest) if p)
    return env


def lab_command(port: int = 8888, open_browser: bool = True, extra: list[str] | None = None) -> list[str]:
    """The argv of JupyterLab with this Python (so the kit's environment and its widgets are the ones used)."""
    argv = [sys.executable, "-m", "jupyterlab", f"--ServerApp.port={int(port)}"]
    if not open_browser:
        argv.append("--no-browser")
    return argv + list(extra or [])


def run_lab(argv: list[str]) -> int:
    """Run JupyterLab until Ctrl-C; its exit code."""
    try:
        return subprocess.call(argv, env=lab_env())
    except KeyboardInterrupt:
        return 0
