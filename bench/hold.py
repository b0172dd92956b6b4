"""The open-case hold: start many cases that stay open and wait until the worker has placed every
one; then, with all of them still open, start probe cases at a steady pace, each due to breach
its reply clock shortly after its start, and wait until every probe's breach is noticed. The
worker's memory is read once all held cases are placed (its peak at the end). A wait in which
no case is placed for 2 minutes (or no probe breached for 2 minutes more than a probe's clock)
gives up (the worker is stuck) and reports how far it got.

A RepairCase is placed once its archive look-up has run: its `Coverage` search attribute is
set, so one visibility count tells how many are. The held cases' reply is due `HELD_REPLY`
after their start, beyond any run, so none breaches: the worker holds them as it holds a
day's open cases. A probe's report is dated `HELD_REPLY` minus `due_after` before its start,
so its reply falls due `due_after` after its start; the archive's case rows say when each
probe's breach was due and when the workflow noticed it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker
from temporalio.client import Client

from bench.breaches import breach_lateness, breached_cases
from bench.load import Starter, at_pace, in_slots
from bench.processes import WorkerProcess
from bench.scenarios import ReportTime

# The held cases' reply clock (their worker's REPAIRDESK_SLA_REPLY) and how far back a probe's
# report is dated; under the 7 days the contract allows a report to be old.
HELD_REPLY = timedelta(days=6)
POLL_SECONDS = 1.0
SETTLE_SECONDS = 5.0
STALL_SECONDS = 120.0  # no case placed (no probe breached) this long: the worker is stuck


@dataclass(frozen=True)
class Probes:
    """The probe cases of a hold: `count` started `rate` a second by `start`, ids starting with
    `prefix`, each due `due_after` after its start, all waited for `breach_timeout` seconds at
    most once all are started."""

    start: Starter
    count: int
    rate: float
    prefix: str
    due_after: timedelta
    breach_timeout: float


@dataclass
class HoldResult:
    open_cases: int = 0
    placed: int = 0
    failures: list[str] = field(default_factory=list)
    placed_seconds: float = 0.0
    probes: int = 0
    probes_breached: int = 0
    lateness: list[float] = field(default_factory=list)  # the probes' noticed − due, seconds
    rss_mib: float = 0.0
    peak_mib: float = 0.0
    idle_rss_mib: float = 0.0


def probe_reported_at(due_after: timedelta) -> ReportTime:
    """Report times that put a probe's reply due `due_after` after the moment it is started,
    on a worker whose reply clock is `HELD_REPLY`."""
    return lambda: datetime.now(UTC) - HELD_REPLY + due_after


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
    probes: Probes,
) -> HoldResult:
    """Start `count` RepairCases that stay open, wait until all are placed and read the worker's
    memory; then start the probes and wait until each has breached."""
    out = HoldResult(idle_rss_mib=worker.rss_mib(), probes=probes.count)
    began = time.perf_counter()
    out.failures = await in_slots(count, concurrency, lambda n: start(client, queue, n))
    out.open_cases = count - len(out.failures)
    placed = placed_counter(client, queue)
    out.placed = await wait_for(placed, out.open_cases, float("inf"), STALL_SECONDS)
    out.placed_seconds = time.perf_counter() - began
    await asyncio.sleep(SETTLE_SECONDS)  # let the opening letters' archive writes end
    out.rss_mib = worker.rss_mib()  # the held cases' cost, before any probe

    failed = await at_pace(probes.count, probes.rate, lambda n: probes.start(client, queue, n))
    out.failures += [f"probe: {failure}" for failure in failed]

    async def breached() -> int:
        return await asyncio.to_thread(breached_cases, sessions, probes.prefix)

    wanted = probes.count - len(failed)
    stall = STALL_SECONDS + probes.due_after.total_seconds()  # none can breach before it is due
    out.probes_breached = await wait_for(breached, wanted, probes.breach_timeout, stall)
    out.peak_mib = worker.peak_mib()
    out.lateness = await asyncio.to_thread(breach_lateness, sessions, probes.prefix)
    return out
