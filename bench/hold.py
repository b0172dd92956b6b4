"""The open-case hold: start many cases that stay open, wait until the worker has placed every
one, and read the worker's memory.

A RepairCase is placed once its archive look-up has run: its `Coverage` search attribute is
set, so one visibility count tells how many are. A bare workflow has no attribute; it is
placed once it answers a query (its first workflow task has run).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from temporalio.client import Client, WorkflowHandle, WorkflowQueryFailedError
from temporalio.service import RPCError

from bench.load import Starter, in_slots
from bench.processes import WorkerProcess

POLL_SECONDS = 1.0
SETTLE_SECONDS = 5.0


@dataclass
class HoldResult:
    open_cases: int = 0
    failures: list[str] = field(default_factory=list)
    start_seconds: float = 0.0
    placed_seconds: float = 0.0
    rss_mib: float = 0.0
    peak_mib: float = 0.0
    idle_rss_mib: float = 0.0


async def answered(handle: WorkflowHandle[Any, Any]) -> None:
    """Wait until the workflow answers a query, i.e. a worker has run its first task."""
    while True:
        try:
            await handle.query("state")
            return
        except (RPCError, WorkflowQueryFailedError):
            await asyncio.sleep(POLL_SECONDS)


def placed_counter(client: Client, queue: str) -> Callable[[], Awaitable[int]]:
    query = (
        f"WorkflowType = 'RepairCase' AND TaskQueue = '{queue}' "
        "AND ExecutionStatus = 'Running' AND Coverage = 'in_warranty'"
    )

    async def count() -> int:
        return (await client.count_workflows(query)).count

    return count


async def wait_for(count: Callable[[], Awaitable[int]], target: int) -> None:
    while await count() < target:
        await asyncio.sleep(POLL_SECONDS)


async def hold(
    client: Client,
    queue: str,
    start: Starter,
    count: int,
    concurrency: int,
    worker: WorkerProcess,
    *,
    visible: bool,
) -> HoldResult:
    """Start `count` workflows that stay open and measure the worker holding them. `visible`:
    placement is counted in visibility (RepairCase), else each is queried (bare)."""
    out = HoldResult(idle_rss_mib=worker.rss_mib())
    began = time.perf_counter()

    async def open_one(n: int) -> None:
        handle = await start(client, queue, n)
        if not visible:
            await answered(handle)

    out.failures = await in_slots(count, concurrency, open_one)
    out.open_cases = count - len(out.failures)
    out.start_seconds = time.perf_counter() - began
    if visible:
        await wait_for(placed_counter(client, queue), out.open_cases)
    out.placed_seconds = time.perf_counter() - began
    await asyncio.sleep(SETTLE_SECONDS)  # let the notices and archive writes of the last ones end
    out.rss_mib, out.peak_mib = worker.rss_mib(), worker.peak_mib()
    return out
