"""Fault injection, end to end: a real dev server, `python worker.py` processes, an SMTP server
and a finance receiver on loopback, the archive on a PostgreSQL cluster of the test's own.

While cases run along every path (tests/fault_paths.py), faults land at random moments from a
recorded seed (tests/fault_injector.py): workers SIGKILLed and started again, the SMTP server
down and answering 4xx, the finance receiver answering 503, hanging and closing the connection,
PostgreSQL restarted. Then, from outside: every case ended as its path says, every letter was
received (a repeat only with the same Message-ID), every charge reached finance under its one
CloudEvent id with the archive's amount, no workflow failed or is still running, and the
archive's case rows agree with Temporal.

`REPAIRDESK_FAULT_SEED=N` replays a schedule; `REPAIRDESK_FAULTS_LONG=1` runs ten times more.
When it fails, every workflow's history is kept as JSON under the test's tmp_path/histories,
for `temporalio.worker.Replayer`.
"""

from __future__ import annotations

import asyncio
import os
import random
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from activities.archive.contracts import import_contracts
from activities.archive.db import archive
from activities.archive.importer import import_equipment
from activities.archive.schema import CaseRecord, LedgerEntry, Notice, WarrantyExtensionRecord
from activities.notices.mailer import message_id
from tests.fault_cases import drive, write_archive_files
from tests.fault_injector import Faults
from tests.fault_paths import CasePath, paths
from tests.finance_receiver import FinanceReceiver
from tests.flaky_smtp import FlakySmtp
from tests.history_dump import save_histories
from tests.postgres_server import Cluster, postgres_binaries, throwaway_cluster
from tests.worker_pool import WorkerPool

LONG = os.environ.get("REPAIRDESK_FAULTS_LONG") == "1"
ROUNDS = 40 if LONG else 4  # cases per path
KILLS = 200 if LONG else 22
OTHER_FAULTS = 60 if LONG else 8
GAP = (0.5, 2.5)  # seconds between two faults
WORKERS = 2
SECRET = "fault-injection-secret"
SENDER = "repairdesk@vendor.test"
DRAIN_SECONDS = 120


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    binaries = postgres_binaries()
    if binaries is None:
        if os.environ.get("CI"):
            pytest.fail("no PostgreSQL binaries: install postgresql")
        pytest.skip("no PostgreSQL binaries to start a cluster that can be restarted")
    with throwaway_cluster(binaries) as running:
        yield running


def worker_env(
    dev_env: WorkflowEnvironment, url: str, queue: str, smtp: str, finance: str
) -> dict[str, str]:
    return {
        "TEMPORAL_ADDRESS": dev_env.client.service_client.config.target_host,
        "REPAIRDESK_DATABASE_URL": url,
        "REPAIRDESK_TASK_QUEUE": queue,
        "REPAIRDESK_SMTP_URL": smtp,
        "REPAIRDESK_MAIL_FROM": SENDER,
        "REPAIRDESK_OFFICE_EMAIL": "office@vendor.test",
        "REPAIRDESK_MANAGER_EMAIL": "manager@vendor.test",
        "REPAIRDESK_EXECUTIVE_EMAIL": "vp@vendor.test",
        "REPAIRDESK_FINANCE_WEBHOOK_URL": finance,
        "REPAIRDESK_FINANCE_WEBHOOK_SECRET": SECRET,
        "REPAIRDESK_DELIVERY_BACKOFF": "1s",
        "REPAIRDESK_DELIVERY_BACKOFF_MAX": "2s",
        "REPAIRDESK_DELIVERY_POLL": "1s",
        "REPAIRDESK_DELIVERY_LEASE": "5s",
    }


def undelivered(url: str) -> int:
    with archive(url)() as session:
        notices = session.scalars(select(Notice.status)).all()
        charges = session.scalars(select(LedgerEntry.delivery_status)).all()
    return sum(status != "delivered" for status in [*notices, *charges])


@pytest.mark.postgres
async def test_cases_survive_kills_and_outages_with_nothing_lost_or_doubled(
    dev_env: WorkflowEnvironment, cluster: Cluster, task_queue: str, tmp_path: Path
) -> None:
    seed = int(os.environ.get("REPAIRDESK_FAULT_SEED") or random.SystemRandom().randrange(10**9))
    print(f"\nREPAIRDESK_FAULT_SEED={seed}")
    rng = random.Random(seed)
    cases = [(n, path) for n, path in enumerate(paths() * ROUNDS)]
    rng.shuffle(cases)
    url = cluster.url  # the cluster is the test's own, thrown away after
    equipment, contracts = write_archive_files(tmp_path, cases)
    import_equipment(archive(url), equipment)
    import_contracts(archive(url), contracts)
    smtp = FlakySmtp()
    smtp.start()
    with FinanceReceiver(SECRET) as finance:
        env = worker_env(dev_env, url, task_queue, smtp.url, finance.url)
        workers = WorkerPool(env, tmp_path, WORKERS)
        faults = Faults(rng, workers, smtp, finance, cluster.restart)
        try:
            results = await run(dev_env, task_queue, cases, workers, faults)
            for _ in range(DRAIN_SECONDS * 2):
                if undelivered(url) == 0:
                    break
                await asyncio.sleep(0.5)
            workers.stop_all()
            figures = check(url, cases, results, smtp, finance)
            await check_temporal(dev_env, task_queue, results)
        except BaseException:
            kept = tmp_path / "histories"
            saved = await save_histories(dev_env.client, f"TaskQueue = '{task_queue}'", kept)
            print(f"seed {seed}: {saved} histories kept in {kept}")
            raise
        finally:
            workers.stop_all()
            smtp.stop()
    print(f"seed {seed}: kills {workers.kills}, faults {dict(faults.injected)}, {figures}")


async def run(
    dev_env: WorkflowEnvironment,
    queue: str,
    cases: list[tuple[int, CasePath]],
    workers: WorkerPool,
    faults: Faults,
) -> dict[str, dict[str, Any]]:
    """Start the workers, drive every case while the faults land, heal everything."""
    client = await Client.connect(dev_env.client.service_client.config.target_host)
    workers.start_all()
    rng = faults.rng
    starts = {n: rng.uniform(0, 20 if not LONG else 200) for n, _ in cases}

    async def one(n: int, path: CasePath) -> tuple[str, dict[str, Any]]:
        await asyncio.sleep(starts[n])
        result = await drive(client, queue, n, path)
        return result["case_id"], result

    injecting = asyncio.create_task(faults.run(faults.schedule(KILLS, OTHER_FAULTS), GAP))
    watching = asyncio.create_task(workers.watch())
    driving = asyncio.ensure_future(asyncio.gather(*(one(n, path) for n, path in cases)))
    try:
        await asyncio.wait(
            {driving, watching}, timeout=1500 if LONG else 240, return_when="FIRST_COMPLETED"
        )
        if watching.done():
            watching.result()  # a worker died by itself: its log says why
        assert driving.done(), "the cases did not finish in time"
        finished = driving.result()
        await injecting
    finally:
        for task in (injecting, watching, driving):
            task.cancel()
    return dict(finished)


def check(
    url: str,
    cases: list[tuple[int, CasePath]],
    results: dict[str, dict[str, Any]],
    smtp: FlakySmtp,
    finance: FinanceReceiver,
) -> str:
    with archive(url)() as session:
        notices = session.scalars(select(Notice)).all()
        ledger = session.scalars(select(LedgerEntry)).all()
        rows = {r.case_id: r for r in session.scalars(select(CaseRecord))}
        extensions = Counter(session.scalars(select(WarrantyExtensionRecord.case_id)))
    by_path = {f"F-{n:04d}": path for n, path in cases}
    assert sorted(results) == sorted(by_path)
    for case_id, result in results.items():
        path = by_path[case_id]
        assert result["status"] == path.status, (case_id, path.name, result.get("outcome"))
        assert {b["sla"] for b in result["breaches"]} == path.breaches, (case_id, path.name)
        kinds = {c["kind"]: c["amount"] for c in result["charges"]}
        assert kinds.keys() == path.charges.keys(), (case_id, path.name)
        for kind, amount in path.charges.items():
            assert amount is None or kinds[kind] == amount, (case_id, kind)
        assert extensions[case_id] == (1 if path.name == "clause_7" else 0), case_id
        if path.name != "invalid":
            assert rows[case_id].status == result["status"], case_id

    # letters: each outbox row delivered and received; repeats only under its own Message-ID
    assert {n.status for n in notices} == {"delivered"}
    expected = {message_id(n.key, SENDER): n for n in notices}
    received = Counter(m["Message-ID"] for m in smtp.inbox.messages)
    assert set(received) == set(expected), "every letter received, none that was not written"
    assert len({(n.case_id, n.key.split("/")[1]) for n in notices}) == len(
        {n.case_id for n in notices}
    ), "every letter of a case comes from its one run"
    letters = Counter((n.case_id, n.kind) for n in notices)
    for case_id, result in results.items():
        path = by_path[case_id]
        written = {kind for (case, kind) in letters if case == case_id}
        assert path.letters <= written, (case_id, path.name, written)
        assert letters[case_id, "breach"] == len(result["breaches"]), case_id

    # charges: finance got each ledger row under its id, with the archive's amount
    accepted = Counter(r.event["id"] for r in finance.accepted)
    assert all(r.signed for r in finance.received)
    assert set(accepted) == {c.charge_id for c in ledger}
    amounts = {r.event["id"]: Decimal(r.event["data"]["amount"]) for r in finance.accepted}
    assert all(amounts[c.charge_id] == c.amount for c in ledger)
    charged = {c["id"] for r in results.values() for c in r["charges"]}
    assert charged == {c.charge_id for c in ledger}, "the ledger holds exactly the cases' charges"
    letter_repeats = sum(received.values()) - len(received)
    charge_repeats = sum(accepted.values()) - len(accepted)
    return (
        f"{len(results)} cases, {len(notices)} letters ({letter_repeats} repeats, same"
        f" Message-ID), {len(ledger)} charges ({charge_repeats} repeats, same id),"
        f" {len(finance.received) - len(finance.accepted)} deliveries refused"
    )


async def check_temporal(
    dev_env: WorkflowEnvironment, queue: str, results: dict[str, dict[str, Any]]
) -> None:
    """Visibility: every case of the run is Completed; none running, failed or timed out."""
    statuses: Counter[str] = Counter()
    for _ in range(50):
        statuses = Counter()
        async for execution in dev_env.client.list_workflows(f"TaskQueue = '{queue}'"):
            assert execution.status is not None
            statuses[execution.status.name] += 1
        if statuses == {"COMPLETED": len(results)}:
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"workflows not all completed: {statuses}")
