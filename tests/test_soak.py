"""Soak (REPAIRDESK_SOAK=1; skipped otherwise): 1 000 cases over about ten minutes on PostgreSQL
with two `python worker.py` processes. Half the cases breach a 3 s reply clock: every breach
must be noticed within 1 s of its due time. The workers' memory must stay flat (the last third
of the run's samples within 25 % of the first third's, after warm-up) and their logs hold no
error. The figures are printed for docs/reliability.md."""

from __future__ import annotations

import asyncio
import os
import statistics
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from activities.archive.contracts import import_contracts
from activities.archive.db import archive
from activities.archive.importer import import_equipment
from tests.conftest import _fresh_postgres_database
from tests.fault_cases import drive, write_archive_files
from tests.fault_paths import CasePath, paths
from tests.worker_pool import WorkerPool

CASES = int(os.environ.get("REPAIRDESK_SOAK_CASES") or 1000)
SECONDS = int(os.environ.get("REPAIRDESK_SOAK_SECONDS") or 600)
BREACH_LATENESS = 1.0
SAMPLE_EVERY = 10

pytestmark = pytest.mark.skipif(
    os.environ.get("REPAIRDESK_SOAK") != "1", reason="the soak runs with REPAIRDESK_SOAK=1"
)


async def sample(workers: WorkerPool, rss: list[int]) -> None:
    """The workers' total resident memory every few seconds; fail if one died."""
    while True:
        rss.append(sum(workers.rss_kib()))
        workers.check()
        await asyncio.sleep(SAMPLE_EVERY)


async def paced(client: Client, queue: str, n: int, path: CasePath) -> dict[str, Any]:
    await asyncio.sleep(n * SECONDS / CASES)
    return await drive(client, queue, n, path)


@pytest.mark.postgres
async def test_a_thousand_cases_over_ten_minutes_on_two_workers(
    dev_env: WorkflowEnvironment, postgres_url: str, task_queue: str, tmp_path: Path
) -> None:
    by_name = {p.name: p for p in paths()}
    cases = [(n, by_name["reply_breach" if n % 2 else "met"]) for n in range(CASES)]
    target = dev_env.client.service_client.config.target_host
    client = await Client.connect(target)
    rss: list[int] = []
    for url in _fresh_postgres_database(postgres_url):
        equipment, contracts = write_archive_files(tmp_path, cases)
        import_equipment(archive(url), equipment)
        import_contracts(archive(url), contracts)
        env = {"TEMPORAL_ADDRESS": target, "REPAIRDESK_DATABASE_URL": url}
        workers = WorkerPool(env | {"REPAIRDESK_TASK_QUEUE": task_queue}, tmp_path, 2)
        workers.start_all()
        sampling = asyncio.create_task(sample(workers, rss))
        try:
            results = await asyncio.gather(
                *(paced(client, task_queue, n, path) for n, path in cases)
            )
        finally:
            sampling.cancel()
            workers.stop_all()
    late = [
        (datetime.fromisoformat(b["noticed_at"]) - datetime.fromisoformat(b["due"])).total_seconds()
        for r in results
        for b in r["breaches"] or []
    ]
    errors = [
        line
        for log in workers.logs
        for line in log.read_text().splitlines()
        if '"level": "error"' in line
    ]
    third = max(1, len(rss) // 3)
    first, last = statistics.mean(rss[1 : third + 1]), statistics.mean(rss[-third:])
    print(
        f"\nsoak: {len(results)} cases, {len(late)} breaches noticed at most {max(late):.3f} s"
        f" after due (median {statistics.median(late):.3f} s), worker RSS {first / 1024:.0f} MiB"
        f" → {last / 1024:.0f} MiB, {len(errors)} errors logged"
    )
    assert all(r["status"] == "repaired" for r in results)
    assert len(late) == CASES // 2 and max(late) <= BREACH_LATENESS
    assert last <= first * 1.25, rss
    assert errors == []
