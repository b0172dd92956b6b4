"""The repairdesk worker: runs RepairCase and IpDispute workflows, their activities and the
delivery relay.

`python worker.py` and `repairdesk worker` run the same thing.
"""

from __future__ import annotations

import asyncio
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import structlog
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from temporalio.client import Client
from temporalio.service import RPCError
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from activities.archive.activities import ArchiveActivities
from activities.archive.case_event import CaseEventActivities
from activities.archive.db import archive
from activities.archive.disputes import DisputeActivities
from activities.archive.downtime import DowntimeActivities
from activities.delivery.doorbell import Doorbell
from activities.delivery.relay import Relay
from activities.finance.activities import FinanceActivities
from activities.logging import configure_logging
from activities.notices.activities import NoticeActivities
from activities.settings import Settings, SettingsError
from activities.worker_metrics import CountOnce, metrics_runtime, report_backlog
from client.connection import ConnectionFailed, connect, ensure_search_attributes
from workflows.ip_dispute import IpDispute
from workflows.repair_case import RepairCase

# The sandbox runs the module that defines a workflow again for every workflow run it creates
# (about a tenth of the worker's CPU in bench/). Passing the `workflows` package through makes
# every run share one import of it, which is safe because nothing in it holds module-level
# state that changes (tests/test_workflow_modules.py) and none of it does I/O when imported;
# the sandbox still refuses a non-deterministic call (the clock, randomness, I/O) made from
# workflow code.
WORKFLOW_RUNNER = SandboxedWorkflowRunner(
    restrictions=SandboxRestrictions.default.with_passthrough_modules("workflows")
)
# On shutdown, the activities in flight (short archive writes) finish and are reported; letters
# and finance events are the relay's, which finishes the one it is sending.
GRACEFUL_SHUTDOWN = timedelta(seconds=30)


class CaseWorker(Worker):
    """A Temporal worker with the delivery relay running beside it for as long as it runs: it
    starts with the worker and, on shutdown, finishes the delivery in flight."""

    def __init__(self, client: Client, relay: Relay, **config: Any) -> None:
        super().__init__(client, **config)
        self.relay = relay

    async def run(self) -> None:
        relaying = asyncio.create_task(self.relay.run())
        try:
            await super().run()
        finally:
            self.relay.stop()
            await relaying


def build_worker(client: Client, settings: Settings, task_queue: str | None = None) -> CaseWorker:
    """A worker for the case workflow, every activity and the relay, with the archive migrated."""
    sessions, doorbell = archive(settings.database_url), Doorbell()
    activities = [
        *ArchiveActivities(settings).all(),
        *CaseEventActivities(settings, sessions, doorbell).all(),
        *NoticeActivities(settings, sessions, doorbell).all(),
        *FinanceActivities(settings, sessions, doorbell).all(),
        *DisputeActivities(settings, sessions, doorbell).all(),
        DowntimeActivities(sessions).count_downtime,
    ]
    return CaseWorker(
        client,
        Relay(client, settings, sessions, doorbell),
        task_queue=task_queue or settings.task_queue,
        workflows=[RepairCase, IpDispute],
        activities=activities,
        activity_executor=ThreadPoolExecutor(settings.activity_slots),
        max_concurrent_activities=settings.activity_slots,
        graceful_shutdown_timeout=GRACEFUL_SHUTDOWN,
        workflow_runner=WORKFLOW_RUNNER,
        interceptors=[CountOnce()],
    )


async def run_worker(settings: Settings) -> None:
    log = structlog.get_logger("repairdesk.worker")
    sessions = archive(settings.database_url)  # migrated now: a bad URL stops the worker at once
    runtime = metrics_runtime(settings.metrics_address) if settings.metrics_address else None
    client = await connect(settings, runtime)
    try:
        added = await ensure_search_attributes(client, settings.namespace)
        if added:
            log.info("search attributes registered", added=added)
    except RPCError as e:
        log.warning(
            "could not check or register the case search attributes; register them once "
            "with `temporal operator search-attribute create`",
            error=str(e),
        )
    worker = build_worker(client, settings)
    log.info(
        "worker started",
        temporal=settings.temporal_address,
        namespace=settings.namespace,
        task_queue=settings.task_queue,
        database=settings.database_url.split("@")[-1],
        metrics=settings.metrics_address,
    )
    gauges = asyncio.create_task(report_backlog(runtime, sessions)) if runtime else None
    try:
        await worker.run()
    finally:
        if gauges:
            gauges.cancel()


def main() -> None:
    """Run until interrupted; a setting, server or archive that is not usable is one clear
    line on stderr and exit status 1, not a traceback."""
    try:
        settings = Settings.from_env()
        configure_logging(settings.log_format)
        asyncio.run(run_worker(settings))
    except (SettingsError, ConnectionFailed) as e:
        sys.exit(f"repairdesk worker: {e}")
    except SQLAlchemyError as e:
        where = make_url(settings.database_url).render_as_string(hide_password=True)
        sys.exit(f"repairdesk worker: cannot open the archive at {where}: {e}")
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
