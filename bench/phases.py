"""The phases of a run, each with a fresh worker on a task queue of its own.

A drive starts one worker, warms it up (the sandbox imports the workflow module on first
use), drives the cases, reads the worker's RSS and the history of a few finished cases, and
stops it. A hold starts a fresh worker and measures it holding cases open. Phases run one after
the other so that they never share the two cores.
"""

from __future__ import annotations

import argparse
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from temporalio.client import Client

from activities.archive.db import archive
from bench.figures import Measured
from bench.history import history_sizes
from bench.hold import hold
from bench.load import Scenario, Starter, drive
from bench.processes import WorkerProcess, start_worker

# Deadlines far beyond any run, so that no warning or breach fires while cases are driven.
LONG_SLAS = {
    f"REPAIRDESK_SLA_{name}": "30d" for name in ("REPLY", "ONSITE", "REPAIR", "EMERGENCY_ONSITE")
}
HISTORY_CASES = 10


class Bench:
    WARMUP = 20

    def __init__(self, client: Client, database_url: str, folder: Path, say: Callable[[str], None]):
        self.client, self.folder, self.say = client, folder, say
        self.database_url = database_url
        self.worker_env = {"REPAIRDESK_DATABASE_URL": database_url, **LONG_SLAS}
        self.workers: list[WorkerProcess] = []

    async def _worker(self, kind: str, env: dict[str, str]) -> tuple[WorkerProcess, str]:
        queue = f"bench-{kind}-{uuid.uuid4().hex[:8]}"
        address = self.client.service_client.config.target_host
        log = self.folder / f"{queue}.log"
        worker = await start_worker(kind, address, queue, {**self.worker_env, **env}, log)
        self.workers.append(worker)
        return worker, queue

    async def drive(
        self,
        label: str,
        kind: str,
        scenario: Scenario,
        args: argparse.Namespace,
        out: Measured,
        env: dict[str, str] | None = None,
    ) -> None:
        """Drive `args.cases` cases on a fresh worker of `kind`; figures under `label`."""
        worker, queue = await self._worker(kind, env or {})
        out.cache_sizes[kind] = worker.max_cached_workflows
        warm = await drive(self.client, queue, scenario, range(self.WARMUP), args.concurrency)
        if warm.failures:
            raise RuntimeError(f"{label} warm-up failed: {warm.failures[0]}")
        self.say(f"{label}: driving {args.cases:,} cases, {args.concurrency} at a time")
        numbers = range(self.WARMUP, self.WARMUP + args.cases)
        result = await drive(self.client, queue, scenario, numbers, args.concurrency)
        out.drives[label] = result
        out.rss_after_mib[label] = worker.rss_mib()
        rss = out.rss_after_mib[label]
        self.say(f"{label}: {result.cases:,} cases in {result.seconds:.1f}s, "
                 f"{len(result.failures)} failed; RSS {rss:.0f} MiB")  # fmt: skip
        await self._stop(worker)
        ids = result.finished_ids[:: max(1, len(result.finished_ids) // HISTORY_CASES)]
        out.histories[label] = await history_sizes(self.client, ids[:HISTORY_CASES])

    async def hold(
        self, size: int, tag: str, start: Callable[[str], Starter], args: argparse.Namespace,
        out: Measured,
    ) -> None:  # fmt: skip
        """Hold `size` RepairCases open on a fresh worker, their reply due `--breach-after`
        after the start."""
        worker, queue = await self._worker(
            "repairdesk", {"REPAIRDESK_SLA_REPLY": args.breach_after}
        )
        case_tag = f"{tag}-hold{size}"
        self.say(f"holding {size:,} open cases, reply due after {args.breach_after}")
        began = time.perf_counter()
        result = await hold(
            self.client, queue, start(case_tag), size, args.concurrency, worker,
            archive(self.database_url), f"{case_tag}-", args.breach_timeout,
        )  # fmt: skip
        out.holds[size] = result
        self.say(f"{result.placed:,} of {result.open_cases:,} placed "
                 f"in {result.placed_seconds:.1f}s, "
                 f"{result.breached:,} breached by {time.perf_counter() - began:.1f}s; "
                 f"RSS {result.rss_mib:.0f} MiB, peak {result.peak_mib:.0f} MiB")  # fmt: skip
        await self._stop(worker)

    async def _stop(self, worker: WorkerProcess) -> None:
        await worker.stop()
        self.workers.remove(worker)

    async def stop_workers(self) -> None:
        for worker in list(self.workers):
            await self._stop(worker)
