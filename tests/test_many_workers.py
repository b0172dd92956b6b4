"""Many machines: three `python worker.py` processes on one task queue and one PostgreSQL
archive carry 200 cases while one of them is killed (SIGKILL) early on.

Workers hold no state of their own: Temporal hands a dead worker's workflow tasks and timed-out
activities to the others, and the archive's keys keep every letter and charge single. The run
lasts at least the kill time plus 60 s: an activity the killed worker had started is retried
only when its start-to-close timeout (60 s for deliveries) runs out.
"""

from __future__ import annotations

import asyncio
import signal
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from activities.archive.db import archive
from activities.archive.importer import import_equipment
from activities.archive.schema import LedgerEntry, Notice
from bench.scenarios import CASE_STEPS, case_request
from bench.seed import write_csv
from tests.conftest import _fresh_postgres_database
from tests.worker_process import worker_process

CASES = 200
IN_FLIGHT = 40
WORKERS = 3
# Short clocks, so warnings and breaches fire (as timers a surviving worker must take over).
SLA_ENV = {
    "REPAIRDESK_SLA_REPLY": "4s",
    "REPAIRDESK_SLA_ONSITE": "8s",
    "REPAIRDESK_SLA_REPAIR": "12s",
}


@pytest.fixture
def postgres_archive(postgres_url: str, tmp_path: Path) -> Iterator[str]:
    for url in _fresh_postgres_database(postgres_url):
        machines = tmp_path / "machines.csv"
        write_csv(machines, CASES)
        import_equipment(archive(url), machines)
        yield url


async def drive(client: Client, queue: str, n: int, finished: dict[str, Any]) -> None:
    request = case_request(f"C-MANY-{n:04d}", n)
    handle = await client.start_workflow(
        "RepairCase", request, id=f"case-{request['case_id']}", task_queue=queue
    )
    for name, payload in CASE_STEPS:
        await handle.execute_update(name, payload)
    result: dict[str, Any] = await handle.result()
    assert result["status"] == "repaired", result
    finished[request["case_id"]] = result


@pytest.mark.postgres
async def test_three_workers_one_killed_every_case_finishes_once(
    dev_env: WorkflowEnvironment, postgres_archive: str, task_queue: str, tmp_path: Path
) -> None:
    env = {
        "TEMPORAL_ADDRESS": dev_env.client.service_client.config.target_host,
        "REPAIRDESK_DATABASE_URL": postgres_archive,
        "REPAIRDESK_TASK_QUEUE": task_queue,
        **SLA_ENV,
    }
    client, gate = dev_env.client, asyncio.Semaphore(IN_FLIGHT)
    finished: dict[str, Any] = {}

    async def one(n: int) -> None:
        async with gate:
            await drive(client, task_queue, n, finished)

    began = time.monotonic()
    with ExitStack() as stack:
        workers = [
            stack.enter_context(worker_process(env, tmp_path / f"worker-{n}.log"))
            for n in range(WORKERS)
        ]
        cases = asyncio.gather(*(one(n) for n in range(CASES)))
        while len(finished) < CASES // 8:
            await asyncio.sleep(0.1)
        workers[0].send_signal(signal.SIGKILL)
        killed_after, killed_at = len(finished), time.monotonic() - began
        await asyncio.wait_for(cases, timeout=150)
    took = time.monotonic() - began
    print(f"{CASES} cases, {WORKERS} workers, one killed at {killed_at:.0f} s: {took:.0f} s")

    assert sorted(finished) == [f"C-MANY-{n:04d}" for n in range(CASES)]
    assert killed_after < CASES, "the worker was killed before the work was done"
    sessions = archive(postgres_archive)
    with sessions() as session:
        charges = Counter(session.scalars(select(LedgerEntry.case_id)))
        notices = session.execute(select(Notice.case_id, Notice.kind, Notice.key)).all()
    assert set(charges.values()) == {1} and len(charges) == CASES, "one charge per case"
    runs = {(case_id, key.split("/")[1]) for case_id, _, key in notices}
    assert len(runs) == CASES, "every letter of a case comes from its one run"
    letters = Counter((case_id, kind) for case_id, kind, _ in notices)
    for case_id, result in finished.items():
        assert letters[case_id, "breach"] == len(result["breaches"]), case_id
        for kind in ("acknowledgement", "new_case", "reply", "dispatched", "arrived", "repaired"):
            assert letters[case_id, kind] <= 1, (case_id, kind)
