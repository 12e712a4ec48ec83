"""A bounded, fair queue for the code runs of ``h4s serve``'s quiz API.

* a fixed number of workers (threads, each waiting on one sandboxed run with its time limit);
* at most one run per learner, queued or running: a second one from the same learner is refused
  with 429 (the page waits for the first answer), so one learner's endless loops hold at most one
  worker, and an honest learner waits behind at most one run per other learner;
* a bounded number of runs waiting for a worker: when full, 503 with ``Retry-After``;
* first come, first served among learners (the executor's queue is FIFO).
"""
from __future__ import annotations

import asyncio
import math
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

from h4s_widgets._errors import H4SError


class CodeQueueError(H4SError):
    """A code run refused by the queue: ``status`` 429 (one at a time) or 503 (full, see ``retry_after``)."""

    def __init__(self, status: int, message: str, retry_after: int | None = None):
        self.status = status
        self.retry_after = retry_after
        super().__init__(message)


class CodeQueue:
    def __init__(self, workers: int = 2, max_waiting: int | None = None):
        self.workers = max(1, int(workers))
        self.max_waiting = 8 * self.workers if max_waiting is None else max(0, int(max_waiting))
        from h4s_widgets._sandbox import mark_serving_thread
        # in these threads code is other people's: no silent fallback when the sandbox is missing
        self.pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="h4s-code",
                                       initializer=mark_serving_thread)
        self._lock = threading.Lock()
        self._busy: set[str] = set()

    @property
    def in_flight(self) -> int:
        with self._lock:
            return len(self._busy)

    def _admit(self, learner: str, time_limit_s: float) -> None:
        with self._lock:
            if learner in self._busy:
                raise CodeQueueError(429, "your previous code is still running; wait for its result, then check again")
            if len(self._busy) >= self.workers + self.max_waiting:
                waves = math.ceil((len(self._busy) - self.workers + 1) / self.workers) + 1
                raise CodeQueueError(503, "the server is busy running other learners' code; try again in a few "
                                          "seconds", retry_after=max(1, math.ceil(waves * time_limit_s)))
            self._busy.add(learner)

    def _done(self, learner: str) -> None:
        with self._lock:
            self._busy.discard(learner)

    async def run(self, learner: Any, fn: Callable, *args: Any, time_limit_s: float = 5.0) -> Any:
        """``fn(*args)`` on a worker, as ``learner``'s one run; raises :class:`CodeQueueError` when refused."""
        key = str(learner)
        self._admit(key, time_limit_s)
        try:
            fut = self.pool.submit(fn, *args)
        except BaseException:
            self._done(key)
            raise
        fut.add_done_callback(lambda _f: self._done(key))   # the slot is free when the run ends, not before
        return await asyncio.wrap_future(fut)

    def shutdown(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
