"""Ten learners on JupyterHub: time from login to an interactive live module, and memory per learner.

Run by hand (not part of the test suite)::

    .venv/bin/python bench/hub.py
    .venv/bin/python bench/hub.py --learners 10 --rounds 3

A real JupyterHub (deploy/jupyterhub/jupyterhub_config.py through tests/_hub.py: DummyAuthenticator,
SimpleLocalProcessSpawner, configurable-http-proxy from node_modules) on 127.0.0.1, a course with one mini module
(tests/fixtures/mini-modules/01-hello-oer, book built once).  In each round, ``--learners`` learners press
"Log in" at the same moment (a class starting); each one, in its own thread:

1. logs in with the Hub's form (GET /hub/login, POST) — the Hub starts their server;
2. waits until the Hub reports the server ready (polling its API, as the spawn-pending page does);
3. opens the live module through the Hub's proxy (the single-user server's OAuth hand-over included);
4. answers its first question over the kernel channel: "interactive" = the graded answer is back.

Then the RSS of every learner's server process tree (the single-user server and its kernels) and of the Hub's
own tree (Hub, proxy, idle culler, dashboard service) is read with psutil.

Two single-user set-ups alternate, round by round, each on a fresh Hub: **h4s** (the deploy config as it is:
jupyterhub-singleuser with deploy/jupyterhub/singleuser_config.py, the h4s server extension with Voilà
in-process) and the peer **plain** (jupyterhub-singleuser with Voilà's own server extension and nothing of h4s's
server: the stock way to put notebooks on a Hub; the kernel still records under JUPYTERHUB_USER).  Prints
medians over all learners of all rounds, and the ratio h4s / plain.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
from _util import machine  # noqa: E402

from _hub import Hub, Learner, answer_live, tree_rss  # noqa: E402

MODULE, QID, RIGHT = "01-hello-oer", "oer-meaning", "a"

PLAIN_CONFIG = """
c = get_config()
c.ServerApp.jpserver_extensions = {"voila": True, "jupyterlab": False, "notebook": False, "jupyter_lsp": False,
                                   "jupyter_server_terminals": False}
c.ServerApp.allow_root = True
# Voila 0.5 renders markdown images through the contents manager synchronously
c.ServerApp.contents_manager_class = "jupyter_server.services.contents.largefilemanager.LargeFileManager"
"""


def make_course(work: Path) -> Path:
    from h4s_kit.build import build
    proj = work / "course"
    proj.mkdir(parents=True)
    shutil.copy2(ROOT / "_config.yml", proj / "_config.yml")
    shutil.copytree(ROOT / "book", proj / "book")
    shutil.copytree(ROOT / "tests" / "fixtures" / "mini-modules" / MODULE, proj / "modules" / MODULE)
    build(root=proj, modules=proj / "modules", out=proj / "_build", echo=lambda *_: None)
    return proj


def one_round(kind: str, work: Path, course: Path, n: int) -> dict:
    extra = ""
    if kind == "plain":
        cfg = work / "plain_singleuser_config.py"
        cfg.write_text(PLAIN_CONFIG)
        extra = f'c.Spawner.args = ["--config", {str(cfg)!r}]\n'
    hub = Hub(work / "hub", course, extra_config=extra)
    hub.start()
    try:
        start = threading.Barrier(n)
        out: dict[str, dict] = {}

        def learner(i: int) -> None:
            me = Learner(hub, f"learner{i:02d}")
            start.wait()
            t0 = time.perf_counter()
            me.login()
            hub.wait_ready(me.name, timeout=300)
            t1 = time.perf_counter()
            state = answer_live(me, MODULE, QID, RIGHT, timeout=120)
            t2 = time.perf_counter()
            assert state["result"]["correct"] is True, state
            out[me.name] = {"spawn": t1 - t0, "live": t2 - t1, "total": t2 - t0}

        threads = [threading.Thread(target=learner, args=(i,), daemon=True) for i in range(1, n + 1)]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 300
        for t in threads:
            t.join(max(0.1, deadline - time.monotonic()))
        failed = n - len(out)      # an error, or no answer within 300 s (see the Hub's log)
        if failed:
            print(f"  {kind}: {failed} of {n} learner(s) did not get an answered live page; log: {hub.log}")
        time.sleep(2)
        per, alone = [], []
        for name in list(out):
            pid = hub.server_pid(name)
            rss, procs = tree_rss(pid)
            per.append((rss, procs))
            alone.append(psutil.Process(pid).memory_info().rss)
        hub_rss, hub_procs = tree_rss(hub.proc.pid)
        servers = sum(r for r, _ in per)
        return {"failed": failed, "times": list(out.values()), "rss": [r for r, _ in per], "procs": [p for _, p in per], "alone": alone,
                "hub_only": hub_rss - servers, "hub_procs": hub_procs - sum(p for _, p in per)}
    finally:
        hub.stop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--learners", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--setups", default="h4s,plain", help="comma-separated: h4s, plain (default both)")
    args = ap.parse_args()
    print(f"machine: {machine()}")
    print(f"load average before: {os.getloadavg()}")
    kinds = [k for k in args.setups.split(",") if k]
    res: dict[str, list[dict]] = {k: [] for k in kinds}
    with tempfile.TemporaryDirectory(prefix="h4s-bench-hub-") as tmp:
        course = make_course(Path(tmp))
        for r in range(args.rounds):
            for kind in (kinds if r % 2 == 0 else kinds[::-1]):
                work = Path(tmp) / f"{kind}-{r}"
                work.mkdir()
                res[kind].append(one_round(kind, work, course, args.learners))
                print(f"  round {r + 1} {kind}: done (load average {os.getloadavg()[0]:.2f})", flush=True)
    med = {}
    for kind, rounds in res.items():
        times = [t for rd in rounds for t in rd["times"]]
        rss = [x for rd in rounds for x in rd["rss"]]
        procs = [x for rd in rounds for x in rd["procs"]]
        m = {k: statistics.median(t[k] for t in times) for k in ("spawn", "live", "total")}
        mx = max(t["total"] for t in times)
        m["rss"] = statistics.median(rss)
        med[kind] = m
        hub_mb = statistics.median(rd["hub_only"] for rd in rounds) / 2**20
        failed = sum(rd["failed"] for rd in rounds)
        print(f"({kind}) {args.learners} learners at once x {len(rounds)} round(s), n={len(times)}, failed {failed}: "
              f"login -> server ready median {m['spawn']:.2f} s; ready -> live page answered median {m['live']:.2f} s; "
              f"login -> interactive median {m['total']:.2f} s (max {mx:.2f} s)")
        alone = statistics.median(x for rd in rounds for x in rd["alone"])
        print(f"({kind}) memory per learner (single-user server + kernel, after one answer): median "
              f"{m['rss'] / 2**20:.0f} MB RSS (range {min(rss) / 2**20:.0f}-{max(rss) / 2**20:.0f}), "
              f"{statistics.median(procs):.0f} processes, of which the server process {alone / 2**20:.0f} MB; "
              f"the Hub's own processes (Hub, proxy, culler, dashboard): {hub_mb:.0f} MB")
    if "h4s" in med and "plain" in med:
        h, p = med["h4s"], med["plain"]
        print(f"ratio h4s/plain: login -> interactive {h['total'] / p['total']:.2f}, memory per learner "
              f"{h['rss'] / p['rss']:.2f}")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
