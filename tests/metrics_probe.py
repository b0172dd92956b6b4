"""A workflow that records each of repairdesk's workflow metrics once (its own module: the
sandbox re-imports it), one of them from an update validator that rejects, as RepairCase's
validators do for a misfit; its first workflow task fails after counting, as the stale-clock
guard fails one on purpose, and is retried."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.worker import Interceptor, WorkflowInboundInterceptor, WorkflowInterceptorClassInput

with workflow.unsafe.imports_passed_through():
    from workflows import case_metrics

FAIL_ONCE = "probe_fail_once"  # extern function: run id -> fail this task (the first time)


class FailOnce(Interceptor):
    """Gives the probe `FAIL_ONCE`: true the first time a run asks, from the worker's memory
    (a module-level switch would be imported again inside each run's sandbox)."""

    def __init__(self) -> None:
        self._failed: set[str] = set()

    def fail(self, run_id: str) -> bool:
        first = run_id not in self._failed
        self._failed.add(run_id)
        return first

    def workflow_interceptor_class(
        self, input: WorkflowInterceptorClassInput
    ) -> type[WorkflowInboundInterceptor] | None:
        input.unsafe_extern_functions[FAIL_ONCE] = self.fail
        return None


@workflow.defn(name="MetricsProbe")
class MetricsProbe:
    def __init__(self) -> None:
        self.done = False

    @workflow.run
    async def run(self) -> None:
        case_metrics.case_opened()
        case_metrics.sla_breached("reply", 0)
        case_metrics.clock_met("onsite", timedelta(minutes=95))
        if workflow.extern_functions()[FAIL_ONCE](workflow.info().run_id):
            raise RuntimeError("this workflow task fails once, on purpose")
        await workflow.wait_condition(lambda: self.done)

    @workflow.update
    def arrive(self) -> None:
        self.done = True

    @arrive.validator
    def _arrive_fits(self) -> None:
        case_metrics.misfit("arrive", case_metrics.update_event())
        raise ValueError("arrival before dispatch")

    @workflow.signal
    def finish(self) -> None:
        self.done = True
