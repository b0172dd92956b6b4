"""The load: cases driven from start to finish, and cases started and left open, as many at
once as allowed or at a steady pace.

Each driven case is started, then sent its updates one after the other, each timed from the
client's call to its answer, then awaited to its result (timed from the last update's answer to
the result); `concurrency` cases are in flight at once. The same driver runs RepairCase and
the bare baseline.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from temporalio.client import Client, WorkflowHandle

Step = tuple[str, Any]
Starter = Callable[[Client, str, int], Awaitable[WorkflowHandle[Any, Any]]]
Check = Callable[[Any], bool]


@dataclass(frozen=True)
class Scenario:
    """How to start case number n, the updates that take it to its end, and its right end."""

    start: Starter
    steps: Sequence[Step]
    finished_well: Check


@dataclass
class DriveResult:
    cases: int = 0
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0
    updates: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    result_waits: list[float] = field(default_factory=list)
    finished_ids: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.cases / self.seconds if self.seconds else 0.0

    @property
    def all_updates(self) -> list[float]:
        return [t for times in self.updates.values() for t in times]


async def _one_case(
    client: Client, queue: str, n: int, scenario: Scenario, out: DriveResult
) -> None:
    handle = await scenario.start(client, queue, n)
    for name, payload in scenario.steps:
        began = time.perf_counter()
        await handle.execute_update(name, payload)
        out.updates[name].append(time.perf_counter() - began)
    answered = time.perf_counter()
    result = await handle.result()
    out.result_waits.append(time.perf_counter() - answered)
    if not scenario.finished_well(result):
        raise RuntimeError(f"case {handle.id} ended as {result!r:.200}")
    out.finished_ids.append(handle.id)


Job = Callable[[int], Awaitable[object]]


def _failures_kept(job: Job, failures: list[str]) -> Job:
    """`job`, with each failure appended to `failures` as text instead of raised."""

    async def guarded(n: int) -> None:
        try:
            await job(n)
        except Exception as e:  # a failed case is counted and reported, not fatal
            failures.append(f"{type(e).__name__}: {e}")

    return guarded


async def in_slots(count: int, concurrency: int, job: Job) -> list[str]:
    """Run job(0..count-1), `concurrency` at a time; the failures, as text."""
    slots = asyncio.Semaphore(concurrency)
    failures: list[str] = []
    guarded = _failures_kept(job, failures)

    async def slotted(n: int) -> None:
        async with slots:
            await guarded(n)

    await asyncio.gather(*(slotted(n) for n in range(count)))
    return failures


async def at_pace(count: int, rate: float, job: Job) -> list[str]:
    """Run job(0..count-1), job n begun n / `rate` seconds after the first whatever the
    earlier ones take, so that the load is steady; the failures, as text."""
    failures: list[str] = []
    guarded = _failures_kept(job, failures)
    began = time.perf_counter()
    async with asyncio.TaskGroup() as jobs:
        for n in range(count):
            await asyncio.sleep(max(0.0, began + n / rate - time.perf_counter()))
            jobs.create_task(guarded(n))
    return failures


async def drive(
    client: Client, queue: str, scenario: Scenario, numbers: range, concurrency: int
) -> DriveResult:
    """Drive cases `numbers` through the scenario; wall time from the first start to the
    last result."""
    out = DriveResult()
    began = time.perf_counter()
    out.failures = await in_slots(
        len(numbers),
        concurrency,
        lambda i: _one_case(client, queue, numbers[i], scenario, out),
    )
    out.seconds = time.perf_counter() - began
    out.cases = len(numbers) - len(out.failures)
    return out
