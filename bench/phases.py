"""The phases of a run, each with fresh workers on a task queue of its own.

A drive starts one worker, warms it up (the sandbox imports the workflow module on first
use), drives the cases, reads the worker's RSS and stops it. A hold starts a fresh worker and
measures it holding cases open. Phases run one after the other so that they never share the
two cores.
"""

from __future__ import annotations

import argparse
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from temporalio.client import Client

from bench.figures import Measured
from bench.hold import hold
from bench.load import Scenario, Starter, drive
from bench.processes import WorkerProcess, start_worker

# Deadlines far beyond any run, so that no warning or breach fires while the benchmark runs.
LONG_SLAS = {
    f"REPAIRDESK_SLA_{name}": "30d" for name in ("REPLY", "ONSITE", "REPAIR", "EMERGENCY_ONSITE")
}


class Bench:
    WARMUP = 20

    def __init__(self, client: Client, database_url: str, folder: Path, say: Callable[[str], None]):
        self.client, self.folder, self.say = client, folder, say
        self.worker_env = {"REPAIRDESK_DATABASE_URL": database_url, **LONG_SLAS}
        self.workers: list[WorkerProcess] = []

    async def _worker(self, kind: str) -> tuple[WorkerProcess, str]:
        queue = f"bench-{kind}-{uuid.uuid4().hex[:8]}"
        address = self.client.service_client.config.target_host
        log = self.folder / f"{queue}.log"
        worker = await start_worker(kind, address, queue, self.worker_env, log)
        self.workers.append(worker)
        return worker, queue

    async def drive(
        self, kind: str, scenario: Scenario, args: argparse.Namespace, out: Measured
    ) -> None:
        worker, queue = await self._worker(kind)
        out.cache_sizes[kind] = worker.max_cached_workflows
        warm = await drive(self.client, queue, scenario, range(self.WARMUP), args.concurrency)
        if warm.failures:
            raise RuntimeError(f"{kind} warm-up failed: {warm.failures[0]}")
        self.say(f"{kind}: driving {args.cases:,} cases, {args.concurrency} at a time")
        numbers = range(self.WARMUP, self.WARMUP + args.cases)
        result = await drive(self.client, queue, scenario, numbers, args.concurrency)
        out.drives[kind] = result
        out.rss_after_mib[kind] = worker.rss_mib()
        rss = out.rss_after_mib[kind]
        self.say(f"{kind}: {result.cases:,} cases in {result.seconds:.1f}s, "
                 f"{len(result.failures)} failed; RSS {rss:.0f} MiB")  # fmt: skip
        await self._stop(worker)

    async def hold(
        self, kind: str, start: Starter, args: argparse.Namespace, out: Measured
    ) -> None:
        worker, queue = await self._worker(kind)
        self.say(f"{kind}: holding {args.open_cases:,} open cases")
        began = time.perf_counter()
        result = await hold(
            self.client, queue, start, args.open_cases, args.concurrency, worker,
            visible=kind == "repairdesk",
        )  # fmt: skip
        out.holds[kind] = result
        self.say(f"{kind}: {result.open_cases:,} placed in {time.perf_counter() - began:.1f}s; "
                 f"RSS {result.rss_mib:.0f} MiB, peak {result.peak_mib:.0f} MiB")  # fmt: skip
        await self._stop(worker)

    async def _stop(self, worker: WorkerProcess) -> None:
        await worker.stop()
        self.workers.remove(worker)

    async def stop_workers(self) -> None:
        for worker in list(self.workers):
            await self._stop(worker)
