"""Small helpers shared by the benchmark scripts (run by hand, not by the test suite)."""
from __future__ import annotations

import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def machine() -> str:
    mem = ""
    try:
        kb = int(next(l for l in open("/proc/meminfo") if l.startswith("MemTotal")).split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB"
    except Exception:
        pass
    return f"{platform.machine()}, {os.cpu_count()} cores{mem}, Python {platform.python_version()}"


def summary(name: str, xs: list[float], unit: str = "s") -> dict:
    xs = sorted(xs)
    return {"name": name, "median": statistics.median(xs), "min": xs[0], "max": xs[-1], "n": len(xs), "unit": unit}


def fmt(s: dict) -> str:
    scale, unit = (1000, "ms") if s["unit"] == "s" and s["median"] < 1 else (1, s["unit"])
    return (f"{s['name']}: median {s['median'] * scale:.1f} {unit} "
            f"(range {s['min'] * scale:.1f}–{s['max'] * scale:.1f}, n={s['n']})")


def time_cmd(cmd: list[str], env: dict | None = None) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t


def alternate(runs: int, **cmds: list[str]) -> dict[str, list[float]]:
    """Run each command ``runs`` times, alternating between them."""
    out: dict[str, list[float]] = {k: [] for k in cmds}
    for _ in range(runs):
        for k, c in cmds.items():
            out[k].append(time_cmd(c))
    return out


def python() -> str:
    return sys.executable


def copy_book(dest: Path) -> None:
    """A fresh copy of the repo's book in ``dest``: ``_config.yml``, ``book/`` and ``modules/`` (without
    checkpoints, caches and h4s check's work folders); whatever was in ``dest`` is removed first."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    shutil.copy2(ROOT / "_config.yml", dest / "_config.yml")
    shutil.copytree(ROOT / "book", dest / "book")
    shutil.copytree(ROOT / "modules", dest / "modules",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", ".h4s-check-*"))



def timed(cmd: list[str], cwd: Path, env: dict) -> tuple[float, str]:
    """Run ``cmd`` in ``cwd``: (seconds it took, what it printed); on failure, the end of what it printed and exit."""
    t = time.perf_counter()
    p = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    dt = time.perf_counter() - t
    if p.returncode != 0:
        print(p.stdout[-3000:])
        raise SystemExit(f"failed ({p.returncode}): {' '.join(cmd)}")
    return dt, p.stdout

def cpu_percent(procs: list, interval: float = 0.5) -> float:
    """The CPU use (%, summed; 100 = one core) of ``procs`` (psutil processes) over the next ``interval`` seconds;
    a process that ends meanwhile counts for nothing."""
    import psutil
    for p in procs:
        try:
            p.cpu_percent(None)
        except psutil.Error:
            pass
    time.sleep(interval)
    use = 0.0
    for p in procs:
        try:
            use += p.cpu_percent(None)
        except psutil.Error:
            pass
    return use
