"""The phases of a run, each with a fresh worker on a task queue of its own.

A drive starts one worker, warms it up (the sandbox imports the workflow module on first
use), drives the cases, reads the CPU time the worker and the dev server spent on them, the
worker's RSS and the history of a few finished cases, and stops it. A hold starts a fresh worker
and measures it holding cases open and noticing its probes' breaches. Phases run one after the
other so that they never share the two cores.
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func, select
from temporalio.client import Client

from activities.archive.db import archive
from activities.archive.schema import LedgerEntry, Notice
from bench.figures import SERVER, WORKER, Measured
from bench.history import history_sizes
from bench.hold import HELD_REPLY, Probes, hold, probe_reported_at
from bench.load import Scenario, Starter, drive
from bench.processes import WorkerProcess, cpu_seconds, start_worker
from bench.scenarios import ReportTime
from workflows.rules import format_duration

# Deadlines far beyond any run, so that no warning or breach fires while cases are driven.
LONG_SLAS = {
    f"REPAIRDESK_SLA_{name}": "30d" for name in ("REPLY", "ONSITE", "REPAIR", "EMERGENCY_ONSITE")
}
HISTORY_CASES = 10
DELIVERY_WAIT_SECONDS = 120.0


async def all_delivered(database_url: str) -> None:
    """Wait until no letter or finance event of the archive is left to deliver."""
    notices, ledger = Notice.__table__.c, LedgerEntry.__table__.c
    waiting = select(func.count()).select_from(Notice).where(notices.status == "pending")
    unpaid = (
        select(func.count()).select_from(LedgerEntry).where(ledger.delivery_status == "pending")
    )
    sessions = archive(database_url)
    for _ in range(int(DELIVERY_WAIT_SECONDS / 0.5)):
        with sessions() as session:
            if not session.scalar(waiting) and not session.scalar(unpaid):
                return
        await asyncio.sleep(0.5)
    raise RuntimeError(f"deliveries still pending after {DELIVERY_WAIT_SECONDS:.0f}s")


class Bench:
    WARMUP = 20

    def __init__(
        self,
        client: Client,
        database_url: str,
        folder: Path,
        say: Callable[[str], None],
        server_pid: int | None,
    ):
        self.client, self.folder, self.say = client, folder, say
        self.database_url = database_url
        self.server_pid = server_pid  # the dev server's process, None when not found
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
        delivered: bool = False,
    ) -> None:
        """Drive `args.cases` cases on a fresh worker of `kind`; figures under `label`. CPU time
        is counted from the first counted start to the last result (with `delivered`, to the
        last delivery of the worker's archive), not over the warm-up."""
        worker, queue = await self._worker(kind, env or {})
        out.cache_sizes[kind] = worker.max_cached_workflows
        warm = await drive(self.client, queue, scenario, range(self.WARMUP), args.concurrency)
        if warm.failures:
            raise RuntimeError(f"{label} warm-up failed: {warm.failures[0]}")
        self.say(f"{label}: driving {args.cases:,} cases, {args.concurrency} at a time")
        numbers = range(self.WARMUP, self.WARMUP + args.cases)
        cpu_before = self._cpu_seconds(worker)
        result = await drive(self.client, queue, scenario, numbers, args.concurrency)
        if delivered:
            await all_delivered((env or {}).get("REPAIRDESK_DATABASE_URL", self.database_url))
        cpu_after = self._cpu_seconds(worker)
        out.cpu_seconds[label] = {name: cpu_after[name] - cpu_before[name] for name in cpu_before}
        out.drives[label] = result
        out.rss_after_mib[label] = worker.rss_mib()
        rss = out.rss_after_mib[label]
        self.say(f"{label}: {result.cases:,} cases in {result.seconds:.1f}s, "
                 f"{len(result.failures)} failed; RSS {rss:.0f} MiB")  # fmt: skip
        await self._stop(worker)
        ids = result.finished_ids[:: max(1, len(result.finished_ids) // HISTORY_CASES)]
        out.histories[label] = await history_sizes(self.client, ids[:HISTORY_CASES])

    async def hold(
        self, size: int, tag: str, start: Callable[[str, ReportTime | None], Starter],
        args: argparse.Namespace, out: Measured,
    ) -> None:  # fmt: skip
        """Hold `size` RepairCases open on a fresh worker, their reply due `HELD_REPLY` after
        the start, then start `--probes` probes beside them, each due `--breach-after` after
        its start."""
        reply = format_duration(HELD_REPLY)
        worker, queue = await self._worker("repairdesk", {"REPAIRDESK_SLA_REPLY": reply})
        case_tag = f"{tag}-hold{size}"
        probe_tag = f"{case_tag}-probe"
        probes = Probes(
            start(probe_tag, probe_reported_at(args.breach_after)), args.probes,
            args.probe_rate, f"{probe_tag}-", args.breach_after, args.breach_timeout,
        )  # fmt: skip
        self.say(f"holding {size:,} open cases, reply due after {reply}; then {args.probes:,} "
                 f"probes at {args.probe_rate:g}/s, reply due "
                 f"{args.breach_after.total_seconds():g}s after their start")  # fmt: skip
        began = time.perf_counter()
        result = await hold(
            self.client, queue, start(case_tag, None), size, args.concurrency, worker,
            archive(self.database_url), probes,
        )  # fmt: skip
        out.holds[size] = result
        self.say(f"{result.placed:,} of {result.open_cases:,} placed "
                 f"in {result.placed_seconds:.1f}s, "
                 f"{result.probes_breached:,} of {result.probes:,} probes breached by "
                 f"{time.perf_counter() - began:.1f}s; "
                 f"RSS {result.rss_mib:.0f} MiB, peak {result.peak_mib:.0f} MiB")  # fmt: skip
        await self._stop(worker)

    def _cpu_seconds(self, worker: WorkerProcess) -> dict[str, float]:
        """CPU seconds used so far by the worker and, when its process was found, the server."""
        used = {WORKER: worker.cpu_seconds()}
        if self.server_pid is not None:
            used[SERVER] = cpu_seconds(self.server_pid)
        return used

    async def _stop(self, worker: WorkerProcess) -> None:
        await worker.stop()
        self.workers.remove(worker)

    async def stop_workers(self) -> None:
        for worker in list(self.workers):
            await self._stop(worker)
