"""A code exercise's check: the learner's code runs in the sandbox (``h4s_widgets._sandbox``) on a worker
of the fair queue (:mod:`h4s_kit.code_queue`: one run per learner, a bounded wait, 429/503 otherwise),
never on the server's event loop."""
from __future__ import annotations


async def run_code_check(service, learner: str, body: dict, q) -> dict:
    return await service.code_queue.run(learner, service.check, body, learner, time_limit_s=q.timeout_s)
