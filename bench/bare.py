"""The baseline: a workflow with the case's start input and the case's four updates (`reply`,
`dispatch`, `arrive`, `repaired`), no activities and no timers, finishing after `repaired`.

It is what the same conversation costs on this server and SDK without any of RepairCase's
work: a start, four update round trips, a completion. RepairCase is measured against it.
"""

from __future__ import annotations

from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from bench.bare_messages import BareRequest, BareState

BARE_WORKFLOW = "BenchBare"
LAST_ACTION = "repaired"


@workflow.defn(name=BARE_WORKFLOW)
class BareCase:
    @workflow.init
    def __init__(self, request: BareRequest) -> None:
        self._state = BareState(case_id=request.case_id)

    @workflow.run
    async def run(self, request: BareRequest) -> BareState:
        await workflow.wait_condition(lambda: self._state.status == LAST_ACTION)
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self._state

    def _take(self, name: str, payload: dict[str, Any]) -> BareState:
        self._state.actions.append(name)
        self._state.last = payload
        if name == LAST_ACTION:
            self._state.status = LAST_ACTION
        return self._state

    @workflow.update(name="reply")
    async def reply(self, payload: dict[str, Any]) -> BareState:
        return self._take("reply", payload)

    @workflow.update(name="dispatch")
    async def dispatch(self, payload: dict[str, Any]) -> BareState:
        return self._take("dispatch", payload)

    @workflow.update(name="arrive")
    async def arrive(self, payload: dict[str, Any]) -> BareState:
        return self._take("arrive", payload)

    @workflow.update(name="repaired")
    async def repaired(self, payload: dict[str, Any]) -> BareState:
        return self._take("repaired", payload)

    @workflow.query(name="state")
    def state(self) -> BareState:
        return self._state
