"""The worker's Prometheus endpoint and the backlog gauges it reports from the archive.

The SDK's own metrics are named as Temporal's SDK dashboards query them: counters end in
`_total`, durations are histograms in seconds (`..._seconds_bucket`). The SDK's defaults give
neither: durations in milliseconds with no unit in the name, counters without `_total`, hence
`durations_as_seconds`, `unit_suffix` and `counters_total_suffix`.
"""

from __future__ import annotations

import asyncio
import threading
from collections import OrderedDict
from datetime import timedelta

import structlog
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig
from temporalio.worker import Interceptor, WorkflowInboundInterceptor, WorkflowInterceptorClassInput

from activities.archive.schema import CaseRecord, LedgerEntry, Notice
from activities.finance.ledger import UNDELIVERED
from activities.settings import SettingsError
from workflows.case_metrics import FIRST_TIME

BACKLOG_EVERY = timedelta(seconds=15)
# Service deadlines run in hours, not the SDK's default seconds: buckets from 5 min to 2 days.
SLA_BUCKETS = [m * 60.0 for m in (5, 15, 30, 45, 60, 90, 120, 180, 240, 360, 720, 1440, 2880)]
log = structlog.get_logger("repairdesk.metrics")


class CountOnce(Interceptor):
    """Gives workflow code `FIRST_TIME`: whether an event of a run (`<run id>/<event>`) is
    counted for the first time in this worker's life, so a workflow task that fails and is
    retried counts nothing twice (workflows/case_metrics.py). It remembers the last `REMEMBERED`
    events, far more than the events of the cases one worker holds open."""

    REMEMBERED = 1_000_000

    def __init__(self) -> None:
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()

    def first_time(self, key: str) -> bool:
        with self._lock:
            if key in self._seen:
                return False
            self._seen[key] = None
            if len(self._seen) > self.REMEMBERED:
                self._seen.popitem(last=False)
            return True

    def workflow_interceptor_class(
        self, input: WorkflowInterceptorClassInput
    ) -> type[WorkflowInboundInterceptor] | None:
        input.unsafe_extern_functions[FIRST_TIME] = self.first_time
        return None


def metrics_runtime(bind_address: str) -> Runtime:
    """A runtime whose metrics are served at http://`bind_address`/metrics."""
    prometheus = PrometheusConfig(
        bind_address=bind_address,
        counters_total_suffix=True,
        unit_suffix=True,
        durations_as_seconds=True,
        histogram_bucket_overrides={"repairdesk_sla_met_after": SLA_BUCKETS},
    )
    try:
        return Runtime(telemetry=TelemetryConfig(metrics=prometheus))
    except ValueError as e:  # the address is taken or cannot be bound
        raise SettingsError(f"REPAIRDESK_METRICS_ADDRESS={bind_address}: {e}") from None


def backlog(sessions: sessionmaker[Session]) -> tuple[int, int, dict[str, int]]:
    """Notices not delivered, finance events not delivered, cases by status."""
    with sessions() as session:
        notices = session.scalar(
            select(func.count()).select_from(Notice).where(Notice.delivered_at.is_(None))
        )
        events = session.scalar(
            select(func.count())
            .select_from(LedgerEntry)
            .where(LedgerEntry.delivery_status.in_(UNDELIVERED))
        )
        by_status = session.execute(
            select(CaseRecord.status, func.count()).group_by(CaseRecord.status)
        ).all()
    return notices or 0, events or 0, {status: count for status, count in by_status}


async def report_backlog(
    runtime: Runtime, sessions: sessionmaker[Session], every: timedelta = BACKLOG_EVERY
) -> None:
    """Keep `repairdesk_notices_pending`, `repairdesk_finance_events_undelivered` and
    `repairdesk_cases{status}` current until cancelled."""
    meter = runtime.metric_meter
    notices = meter.create_gauge("repairdesk_notices_pending", "Notices not delivered yet")
    events = meter.create_gauge(
        "repairdesk_finance_events_undelivered", "Finance events pending or refused"
    )
    cases = meter.create_gauge("repairdesk_cases", "Cases in the archive by status")
    seen: set[str] = set()
    while True:
        try:
            pending, undelivered, by_status = await asyncio.to_thread(backlog, sessions)
        except SQLAlchemyError as e:
            log.warning("could not count the backlog in the archive", error=str(e))
        else:
            notices.set(pending)
            events.set(undelivered)
            seen |= by_status.keys()
            for status in seen:  # a status no case holds any more reads 0, not its last count
                cases.set(by_status.get(status, 0), {"status": status})
        await asyncio.sleep(every.total_seconds())
