"""A workflow that records each of repairdesk's workflow metrics once (its own module: the
sandbox re-imports it), one of them from an update validator that rejects, as RepairCase's
validators do for a misfit."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from workflows import metrics


@workflow.defn(name="MetricsProbe")
class MetricsProbe:
    def __init__(self) -> None:
        self.done = False

    @workflow.run
    async def run(self) -> None:
        metrics.case_opened()
        metrics.sla_breached("reply")
        metrics.clock_met("onsite", timedelta(minutes=95))
        await workflow.wait_condition(lambda: self.done)

    @workflow.update
    def arrive(self) -> None:
        self.done = True

    @arrive.validator
    def _arrive_fits(self) -> None:
        metrics.action_rejected("arrive")
        raise ValueError("arrival before dispatch")

    @workflow.signal
    def finish(self) -> None:
        self.done = True
