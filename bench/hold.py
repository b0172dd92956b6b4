"""The open-case hold: start many cases that stay open, wait until the worker has placed every
one and noticed each one's reply breach, and read the worker's memory. A hold where no case is
placed or breached for 2 minutes gives up (the worker is stuck) and reports how far it got.

A RepairCase is placed once its archive look-up has run: its `Coverage` search attribute is
set, so one visibility count tells how many are. Its reply clock is short in a hold
(`--breach-after`), so every held case breaches while the others are being started and placed;
the archive's case rows say when each breach was due and when the workflow noticed it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session, sessionmaker
from temporalio.client import Client

from bench.breaches import breach_lateness, breached_cases
from bench.load import Starter, in_slots
from bench.processes import WorkerProcess

POLL_SECONDS = 1.0
SETTLE_SECONDS = 5.0
STALL_SECONDS = 120.0  # no case placed for this long: the worker is stuck, the hold gives up


@dataclass
class HoldResult:
    open_cases: int = 0
    placed: int = 0
    failures: list[str] = field(default_factory=list)
    placed_seconds: float = 0.0
    breached_seconds: float = 0.0
    breached: int = 0
    lateness: list[float] = field(default_factory=list)
    rss_mib: float = 0.0
    peak_mib: float = 0.0
    idle_rss_mib: float = 0.0


def placed_counter(client: Client, queue: str) -> Callable[[], Awaitable[int]]:
    query = (
        f"WorkflowType = 'RepairCase' AND TaskQueue = '{queue}' "
        "AND ExecutionStatus = 'Running' AND Coverage = 'in_warranty'"
    )

    async def count() -> int:
        return (await client.count_workflows(query)).count

    return count


async def wait_for(
    count: Callable[[], Awaitable[int]], target: int, timeout: float, stall: float
) -> int:
    """Poll until `count()` reaches `target`, `timeout` seconds pass or it does not grow for
    `stall` seconds; the last count."""
    now = time.perf_counter()
    deadline, last, grown = now + timeout, -1, now
    while (seen := await count()) < target:
        now = time.perf_counter()
        if seen > last:
            last, grown = seen, now
        if now >= deadline or now - grown >= stall:
            break
        await asyncio.sleep(POLL_SECONDS)
    return seen


async def hold(
    client: Client,
    queue: str,
    start: Starter,
    count: int,
    concurrency: int,
    worker: WorkerProcess,
    sessions: sessionmaker[Session],
    case_prefix: str,
    breach_timeout: float,
) -> HoldResult:
    """Start `count` RepairCases (ids starting with `case_prefix`) that stay open, wait until
    all are placed and breached, then measure the worker holding them."""
    out = HoldResult(idle_rss_mib=worker.rss_mib())
    began = time.perf_counter()
    out.failures = await in_slots(count, concurrency, lambda n: start(client, queue, n))
    out.open_cases = count - len(out.failures)
    placed = placed_counter(client, queue)
    out.placed = await wait_for(placed, out.open_cases, float("inf"), STALL_SECONDS)
    out.placed_seconds = time.perf_counter() - began

    async def breached() -> int:
        return await asyncio.to_thread(breached_cases, sessions, case_prefix)

    out.breached = await wait_for(breached, out.open_cases, breach_timeout, STALL_SECONDS)
    out.breached_seconds = time.perf_counter() - began
    await asyncio.sleep(SETTLE_SECONDS)  # let the breach letters' archive writes end
    out.rss_mib, out.peak_mib = worker.rss_mib(), worker.peak_mib()
    out.lateness = await asyncio.to_thread(breach_lateness, sessions, case_prefix)
    return out
