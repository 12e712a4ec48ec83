"""Learner-record store throughput: records per second with N concurrent writer processes.

Run by hand (not part of the test suite)::

    .venv/bin/python bench/records.py                   # 20 writers x 500 records, 5 runs
    .venv/bin/python bench/records.py --writers 20 --records 500 --runs 5 --queue

Each run starts with a fresh database in bench/_work/ (gitignored); every writer process opens its
own RecordStore and calls add_record() (one BEGIN IMMEDIATE transaction per record, as a kernel does).
``--queue`` also queues one xAPI statement per record (as with H4S_LRS_URL set).  The clock runs from
the moment all writers are ready (a start file appears) until the last one finishes.
Prints the median and the range of records/s over the runs.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "bench" / "_work" / "records"   # its own folder: other benches keep theirs in _work/

WRITER = r"""
import os, sys, time, uuid
from h4s_kit.records.store import RecordStore
from h4s_kit.records import xapi
db, go, n, wid, queue = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5] == "1"
s = RecordStore(db)
print("ready", flush=True)
while not os.path.exists(go):
    time.sleep(0.001)
for i in range(n):
    rec = {"uuid": str(uuid.uuid4()), "learner": "bench-" + wid, "module": "bench", "question": "q%d" % (i % 10),
           "qtype": "single_choice", "response": "b", "score": 1.0, "max_score": 1.0, "success": True,
           "attempt": 1, "timestamp": time.time(), "duration_s": 5.0}
    s.add_record(rec, [xapi.answered_statement(rec)] if queue else [])
s.close()
"""


def one_run(writers: int, records: int, queue: bool) -> float:
    if WORK.exists():
        shutil.rmtree(WORK)
    WORK.mkdir(parents=True)
    db = WORK / "records.sqlite"
    go = WORK / "go"
    sys.path.insert(0, str(ROOT))
    from h4s_kit.records.store import RecordStore
    RecordStore(db).close()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(db), str(go), str(records), str(w),
                               "1" if queue else "0"], env=env, stdout=subprocess.PIPE, text=True)
             for w in range(writers)]
    for p in procs:
        assert p.stdout.readline().strip() == "ready"
    t0 = time.perf_counter()
    go.touch()
    for p in procs:
        p.wait()
        assert p.returncode == 0
    dt = time.perf_counter() - t0
    with RecordStore(db) as s:
        n = s.count()
        assert n == writers * records, (n, writers * records)
        assert s.integrity() == "ok"
    return n / dt


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--writers", type=int, default=20)
    ap.add_argument("--records", type=int, default=500, help="records per writer")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--queue", action="store_true", help="also queue an xAPI statement per record")
    a = ap.parse_args()
    rates = []
    for i in range(a.runs):
        r = one_run(a.writers, a.records, a.queue)
        rates.append(r)
        print(f"run {i + 1}: {r:,.0f} records/s")
    print(f"{a.writers} writers x {a.records} records{' + xAPI queue' if a.queue else ''}, {a.runs} runs: "
          f"median {statistics.median(rates):,.0f} records/s (range {min(rates):,.0f} to {max(rates):,.0f}); "
          f"cpus {os.cpu_count()}, sqlite {__import__('sqlite3').sqlite_version}")
    shutil.rmtree(WORK, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
