"""Send queued xAPI statements to a Learning Record Store.

Configured by the environment:

* ``H4S_LRS_URL``: the xAPI endpoint, e.g. ``https://lrs.example.org/xAPI/`` (``/statements`` is added);
* ``H4S_LRS_USER`` + ``H4S_LRS_PASSWORD`` (HTTP Basic), or ``H4S_LRS_AUTH`` (a whole ``Authorization``
  header value such as ``Basic dXNlcjpwYXNz``);
* ``H4S_LRS_RETRY_SECONDS`` (default 30): first retry delay; it doubles up to ``H4S_LRS_RETRY_MAX``
  (default 600) while the LRS stays unreachable.

Statements wait in the record store's queue (table ``xapi_queue``, SQLite or PostgreSQL) until the LRS accepts them.  Each keeps the
id it was made with, so a retry after a lost answer cannot make a duplicate: the LRS drops a statement
whose id it already holds.  A batch is leased before sending so that two kernels do not send it at once.
"""
from __future__ import annotations

import base64
import json
import logging
import os
import threading
from dataclasses import dataclass

from .store import RecordStore

log = logging.getLogger("h4s.records")

#: answers that mean "this statement will never be accepted": do not retry it
REJECT = (400, 409, 413, 422)


@dataclass
class LRSConfig:
    url: str
    auth: str | None
    retry_s: float = 30.0
    retry_max_s: float = 600.0
    timeout_s: float = 10.0

    @property
    def statements_url(self) -> str:
        u = self.url.rstrip("/")
        return u if u.endswith("/statements") else u + "/statements"

    def headers(self) -> dict:
        h = {"Content-Type": "application/json", "X-Experience-API-Version": "1.0.3"}
        if self.auth:
            h["Authorization"] = self.auth
        return h


def config_from_env(env: dict | None = None) -> LRSConfig | None:
    env = os.environ if env is None else env
    url = env.get("H4S_LRS_URL", "").strip()
    if not url:
        return None
    auth = env.get("H4S_LRS_AUTH") or None
    if not auth and env.get("H4S_LRS_USER"):
        token = f"{env['H4S_LRS_USER']}:{env.get('H4S_LRS_PASSWORD', '')}".encode()
        auth = "Basic " + base64.b64encode(token).decode()
    return LRSConfig(url, auth, float(env.get("H4S_LRS_RETRY_SECONDS", 30)),
                     float(env.get("H4S_LRS_RETRY_MAX", 600)), float(env.get("H4S_LRS_TIMEOUT", 10)))


@dataclass
class FlushResult:
    sent: int = 0
    retry: int = 0
    rejected: int = 0
    error: str | None = None


def _post(cfg: LRSConfig, statements: list[dict]):
    import requests
    return requests.post(cfg.statements_url, data=json.dumps(statements), headers=cfg.headers(),
                         timeout=cfg.timeout_s)


def flush(store: RecordStore, cfg: LRSConfig, *, force: bool = False, batch: int = 50) -> FlushResult:
    """Send every due statement; ``force`` ignores the back-off (e.g. a new record just came in)."""
    import requests
    out = FlushResult()
    # a plain read first: idle kernels poll every retry period and should not take the write lock for nothing
    if not store.has_pending():
        return out
    while True:
        items = store.claim_batch(batch, lease_s=cfg.timeout_s * 3 + 5, force=force)
        if not items:
            return out
        ids = [i["id"] for i in items]
        try:
            r = _post(cfg, [i["statement"] for i in items])
        except requests.RequestException as e:
            store.mark_retry(ids, f"unreachable: {type(e).__name__}", cfg.retry_s, cfg.retry_max_s)
            out.retry += len(ids)
            out.error = f"LRS unreachable ({type(e).__name__})"
            return out
        if r.status_code in (200, 204):
            store.mark_sent(ids)
            out.sent += len(ids)
            continue
        if r.status_code in REJECT and len(items) > 1:
            # one bad statement must not block the others: send them one by one
            for it in items:
                try:
                    r1 = _post(cfg, [it["statement"]])
                except requests.RequestException as e:
                    store.mark_retry([it["id"]], f"unreachable: {type(e).__name__}", cfg.retry_s, cfg.retry_max_s)
                    out.retry += 1
                    continue
                if r1.status_code in (200, 204):
                    store.mark_sent([it["id"]])
                    out.sent += 1
                elif r1.status_code in REJECT:
                    store.mark_rejected([it["id"]], f"HTTP {r1.status_code}: {r1.text[:300]}")
                    out.rejected += 1
                else:
                    store.mark_retry([it["id"]], f"HTTP {r1.status_code}", cfg.retry_s, cfg.retry_max_s)
                    out.retry += 1
            continue
        if r.status_code in REJECT:
            store.mark_rejected(ids, f"HTTP {r.status_code}: {r.text[:300]}")
            out.rejected += len(ids)
            out.error = f"LRS rejected a statement (HTTP {r.status_code}): {r.text[:200]}"
            continue
        # 401/403 (credentials), 429, 5xx: keep them and try later
        store.mark_retry(ids, f"HTTP {r.status_code}: {r.text[:200]}", cfg.retry_s, cfg.retry_max_s)
        out.retry += len(ids)
        out.error = f"LRS answered HTTP {r.status_code}"
        return out


class BackgroundSender:
    """A daemon thread that flushes the queue when poked and, while something waits, every retry period."""

    def __init__(self, store_factory, cfg: LRSConfig):
        self._store_factory = store_factory
        self.cfg = cfg
        self._wake = threading.Event()
        self._force = False
        self._stop = False
        self._thread = threading.Thread(target=self._run, name="h4s-lrs-sender", daemon=True)
        self._thread.start()

    def poke(self) -> None:
        self._force = True
        self._wake.set()

    def stop(self) -> None:
        self._stop = True
        self._wake.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        store = None
        warned = False
        while not self._stop:
            self._wake.wait(timeout=max(0.5, min(self.cfg.retry_s, 60.0)))
            self._wake.clear()
            if self._stop:
                break
            force, self._force = self._force, False
            try:
                if store is None:
                    store = self._store_factory()
                res = flush(store, self.cfg, force=force)
                if res.error and not warned:
                    log.warning("h4s records: %s; statements wait in the queue and will be retried", res.error)
                    warned = True
                elif not res.error:
                    warned = False
            except Exception:  # never let the thread die
                log.exception("h4s records: sending statements failed")
        if store is not None:
            store.close()
