"""The baseline: a workflow with one update and no activities, finishing after the update.

It is what any Temporal workflow costs on this server and SDK: a start, one update round
trip, a completion. RepairCase is measured against it.
"""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from bench.bare_messages import BareAction, BareRequest, BareState

BARE_WORKFLOW = "BenchBare"
FINISH = "finish"


@workflow.defn(name=BARE_WORKFLOW)
class BareCase:
    @workflow.init
    def __init__(self, request: BareRequest) -> None:
        self._state = BareState(case_id=request.case_id)

    @workflow.run
    async def run(self, request: BareRequest) -> BareState:
        await workflow.wait_condition(lambda: self._state.finished_by is not None)
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self._state

    @workflow.update(name=FINISH)
    async def finish(self, action: BareAction) -> BareState:
        self._state.finished_by = action.by
        return self._state

    @workflow.query(name="state")
    def state(self) -> BareState:
        return self._state
