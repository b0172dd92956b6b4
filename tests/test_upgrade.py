"""A case opened under v1.0 finishes under today's worker, on the frozen v1.0 engine, and one
opened under v1.3 with v1.3's verdicts: the upgrade of a worker never breaks an open case."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.worker import Worker

from tests.workflow_harness import REPAIR, desk, request
from workflows.case_engine import CaseEngine
from workflows.repair_case import RepairCase
from workflows.v1_0.engine import CaseEngineV1
from workflows.v1_0.messages import CaseState

T3 = {"technician_id": "T-3"}


@workflow.defn(name="RepairCase")
class ReleaseOneZero:
    """The v1.0 worker's RepairCase: its engine, with no patch marker."""

    @workflow.init
    def __init__(self, request: Any = None) -> None:
        self._engine = CaseEngineV1(request)

    @workflow.run
    async def run(self, request: Any = None) -> CaseState:
        return await self._engine.run()

    @workflow.query(name="state")
    def state(self) -> CaseState:
        return self._engine._case.state

    @workflow.update(name="dispatch")
    async def dispatch(self, payload: Any = None) -> CaseState:
        return await self._engine.update("dispatch", payload)


async def test_a_case_opened_under_v1_0_finishes_on_todays_worker(env, task_queue):
    async with desk(env, task_queue) as d:
        archive = d.archive
    async with Worker(
        env.client,
        task_queue=task_queue,
        workflows=[ReleaseOneZero],
        activities=archive.activities(),
        max_cached_workflows=0,
    ):
        handle = await env.client.start_workflow(
            "RepairCase", request("C-UPGRADE"), id="case-C-UPGRADE", task_queue=task_queue
        )
        await d.placed(handle)
        await handle.execute_update("dispatch", T3)
    async with Worker(
        env.client,
        task_queue=task_queue,
        workflows=[RepairCase],
        activities=archive.activities(),
    ):
        await handle.execute_update("arrive", T3)
        await handle.execute_update("repaired", REPAIR)
        result = await handle.result()
    assert result["status"] == "repaired"
    assert result["charges"][0]["kind"] == "chargeable_repair"
    history = await handle.fetch_history()
    markers = [e for e in history.events if e.HasField("marker_recorded_event_attributes")]
    assert markers == []
    assert {n.kind for n in archive.notices if n.case.case_id == "C-UPGRADE"} >= {"repaired"}


@workflow.defn(name="RepairCase")
class ReleaseOneThree:
    """The v1.3 worker's RepairCase: `repairdesk-1.3` is its newest marker."""

    @workflow.init
    def __init__(self, request: Any = None) -> None:
        workflow.patched("repairdesk-1.3")
        self._engine = CaseEngine(request, "1.3")

    @workflow.run
    async def run(self, request: Any = None) -> Any:
        return await self._engine.run()

    @workflow.query(name="state")
    def state(self) -> Any:
        return self._engine._case.state

    @workflow.update(name="reply")
    async def reply(self, payload: Any = None) -> Any:
        return await self._engine.update("reply", payload)

    @workflow.update(name="dispatch")
    async def dispatch(self, payload: Any = None) -> Any:
        return await self._engine.update("dispatch", payload)


async def test_a_case_opened_under_v1_3_finishes_with_its_verdicts_on_todays_worker(
    env, task_queue
):
    """A visit offered at report + 4 h was a breach under v1.3 (contract v1.1); the case keeps
    that verdict after the upgrade, and from then on reads its warranty end from the archive."""
    async with desk(env, task_queue) as d:
        archive = d.archive
    async with Worker(
        env.client,
        task_queue=task_queue,
        workflows=[ReleaseOneThree],
        activities=archive.activities(),
        max_cached_workflows=0,
    ):
        handle = await env.client.start_workflow(
            "RepairCase", request("C-UPGRADE-13"), id="case-C-UPGRADE-13", task_queue=task_queue
        )
        await d.placed(handle)
        await handle.execute_update("reply", {"by": "Zhang", "message": "try a restart"})
        await env.sleep(timedelta(hours=4))
        await handle.execute_update("dispatch", T3)
    async with Worker(
        env.client,
        task_queue=task_queue,
        workflows=[RepairCase],
        activities=archive.activities(),
    ):
        await handle.signal("warranty_extended", {"warranty_ends_on": "2199-01-01"})
        await handle.execute_update("arrive", T3)
        await handle.execute_update("repaired", REPAIR)
        result = await handle.result()
    assert [b["sla"] for b in result["breaches"]] == ["onsite"]
    assert result["onsite_clock_from"] is None
    assert result["warranty_ends_on"] == "2099-01-01"
    history = await handle.fetch_history()
    markers = [str(e) for e in history.events if e.HasField("marker_recorded_event_attributes")]
    assert any("repairdesk-1.3" in m for m in markers)
    assert not any("repairdesk-1.4" in m for m in markers)
