"""A workflow that records each of repairdesk's workflow metrics once (its own module: the
sandbox re-imports it)."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from workflows import metrics


@workflow.defn(name="MetricsProbe")
class MetricsProbe:
    """Calls each workflow metric once, as RepairCase does when the event happens."""

    @workflow.run
    async def run(self) -> None:
        metrics.case_opened()
        metrics.sla_breached("reply")
        metrics.action_rejected("arrive")
        metrics.clock_met("onsite", timedelta(minutes=95))
