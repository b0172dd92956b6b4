"""Record the histories that tests/test_replay.py replays: `python -m tests.record_histories R`.

Each release's histories go under `tests/histories/<release>/` and are never overwritten or
deleted: CI replays every one of them on today's workflow, so a case opened under any release
still finishes under the worker of the next. Record a new release's set before changing the
workflow's commands again, never to make a failing replay pass.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from temporalio.client import WorkflowHandle
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from tests.conftest import venv_binary
from tests.fake_activities import Machine
from tests.workflow_harness import POST_WARRANTY, REPAIR, Desk, desk

HISTORIES = Path(__file__).parent / "histories"
REPLY = {"by": "Zhang", "message": "We are on it"}
T3 = {"technician_id": "T-3"}

# A scenario opens its cases with the desk, which keeps their handles: every one is recorded.
Scenario = Callable[[Desk, WorkflowEnvironment], Awaitable[None]]


async def repaired(d: Desk, env: WorkflowEnvironment) -> None:
    _, handle = await d.open(case_id="C-REPAIRED", onsite_requested=True)
    await handle.execute_update("reply", REPLY)
    await handle.signal("arrive", T3)
    await handle.execute_update("dispatch", T3)
    await handle.execute_update("arrive", T3)
    await env.sleep(timedelta(hours=20))
    await handle.execute_update("repaired", {**REPAIR, "cause": "product_defect"})


async def third_party(d: Desk, env: WorkflowEnvironment) -> None:
    _, handle = await d.open(
        case_id="C-THIRD-PARTY", equipment_serial=POST_WARRANTY, emergency=True
    )
    await env.sleep(timedelta(hours=25))
    claim = {"vendor": "Acme", "invoice_ref": "I-1", "amount": "800.00"}
    await handle.execute_update("third_party_repair", claim)


async def unknown_serial(d: Desk, env: WorkflowEnvironment) -> None:
    _, handle = await d.open(case_id="C-UNKNOWN-SERIAL", equipment_serial="SN-UNKNOWN")


async def invalid_request(d: Desk, env: WorkflowEnvironment) -> None:
    _, handle = await d.open(case_id="C-INVALID", fault="")


async def cancelled(d: Desk, env: WorkflowEnvironment) -> None:
    _, handle = await d.open(case_id="C-CANCELLED")
    await handle.signal("reply", REPLY)
    await env.sleep(timedelta(minutes=30))
    await handle.execute_update("cancel", {"by": "Li Wei", "reason": "fixed it ourselves"})


async def clause_7(d: Desk, env: WorkflowEnvironment) -> None:
    _, handle = await d.open(case_id="C-CLAUSE-7", emergency=True)
    state = await d.state(handle)
    reported = state["reported_at"]
    await handle.execute_update("dispatch", {**T3, "technician_name": "Wang"})
    await handle.execute_update("arrive", T3)
    await env.sleep(timedelta(hours=2))
    downtime = {"equipment_stopped_at": reported, "equipment_restored_at": None}
    await handle.signal("repaired", {**REPAIR, "cause": "bogus"})
    now = (await d.state(handle))["timeline"][-1]["at"]
    downtime["equipment_restored_at"] = now
    await handle.execute_update("repaired", {**REPAIR, "cause": "product_defect", **downtime})


async def written_explanation(d: Desk, env: WorkflowEnvironment) -> None:
    _, handle = await d.open(case_id="C-EXPLANATION", equipment_serial=POST_WARRANTY)
    await handle.execute_update("reply", REPLY)
    await handle.execute_update("dispatch", T3)
    await env.sleep(timedelta(hours=25))
    await handle.execute_update("arrive", T3)
    await handle.execute_update("repaired", REPAIR)


async def open_dispatched(d: Desk, env: WorkflowEnvironment) -> None:
    """Still open: dispatched, waiting for the technician, no clock missed yet."""
    _, handle = await d.open(case_id="C-OPEN-DISPATCHED", onsite_requested=True)
    await handle.execute_update("reply", REPLY)
    await handle.execute_update("dispatch", T3)
    await handle.execute_update("dispatch", {"technician_id": "T-4"})
    await env.sleep(timedelta(minutes=20))


async def open_breached(d: Desk, env: WorkflowEnvironment) -> None:
    """Still open: every clock missed, nobody answered yet."""
    _, handle = await d.open(case_id="C-OPEN-BREACHED", onsite_requested=True)
    await env.sleep(timedelta(hours=26))


async def warranty_across_cases(d: Desk, env: WorkflowEnvironment) -> None:
    """Two cases on SN-77, whose warranty ended two days ago. C-EXTENDS, reported before the
    end, is repaired after three days stopped (clause 7); the extension reaches C-COVERED,
    reported today, which comes under the warranty and is repaired free."""
    now = await env.get_current_time()
    d.archive.machines["SN-77"] = Machine("CUST-7", now.date() - timedelta(days=2))
    stopped = (now - timedelta(days=3)).isoformat()
    _, first = await d.open(case_id="C-EXTENDS", equipment_serial="SN-77", reported_at=stopped)
    _, later = await d.open(case_id="C-COVERED", equipment_serial="SN-77")
    for handle in (first, later):
        await handle.execute_update("reply", REPLY)
        await handle.execute_update("dispatch", T3)
        await handle.execute_update("arrive", T3)
    downtime = {"equipment_stopped_at": stopped, "equipment_restored_at": now.isoformat()}
    await first.execute_update("repaired", {**REPAIR, "cause": "product_defect", **downtime})
    await first.result()
    while (await d.state(later))["coverage"] != "in_warranty":
        await asyncio.sleep(0.05)
    await later.execute_update("repaired", {**REPAIR, "cause": "product_defect"})


async def offered_visit(d: Desk, env: WorkflowEnvironment) -> None:
    """v1.4: remote help first; the office dispatches at report + 4 h, the clock from then."""
    _, handle = await d.open(case_id="C-OFFERED-VISIT")
    await handle.execute_update("reply", REPLY)
    await env.sleep(timedelta(hours=4))
    await handle.execute_update("dispatch", T3)
    await env.sleep(timedelta(hours=2))
    await handle.execute_update("arrive", T3)
    await handle.execute_update("repaired", REPAIR)


async def one_stoppage_twice(d: Desk, env: WorkflowEnvironment) -> None:
    """v1.4: two cases on SN-88 report the same 24 h stoppage; the archive counts it once."""
    now = await env.get_current_time()
    d.archive.machines["SN-88"] = Machine("CUST-7", now.date() + timedelta(days=30))
    stoppage = {
        "equipment_stopped_at": (now - timedelta(days=1)).isoformat(),
        "equipment_restored_at": now.isoformat(),
    }
    first = (await d.open(case_id="C-STOPPED-FIRST", equipment_serial="SN-88"))[1]
    second = (await d.open(case_id="C-STOPPED-AGAIN", equipment_serial="SN-88"))[1]
    for handle in (first, second):
        await handle.execute_update("dispatch", T3)
        await handle.execute_update("arrive", T3)
        await handle.execute_update("repaired", {**REPAIR, "cause": "product_defect", **stoppage})


async def untrusted_warranty_news(d: Desk, env: WorkflowEnvironment) -> None:
    """v1.4: a `warranty_extended` signal from outside with a date the archive does not hold."""
    _, handle = await d.open(case_id="C-NEWS", equipment_serial=POST_WARRANTY)
    await handle.signal("warranty_extended", {"warranty_ends_on": "2099-12-31"})
    await handle.execute_update("reply", REPLY)
    await handle.execute_update("cancel", {"by": "Li Wei", "reason": "fixed it ourselves"})


async def reused_id(d: Desk, env: WorkflowEnvironment) -> None:
    """v1.4: C-REUSED cancelled, then started again under its id: refused, nothing written."""
    _, handle = await d.open(case_id="C-REUSED")
    await handle.execute_update("cancel", {"by": "Li Wei", "reason": "fixed it ourselves"})
    await handle.result()
    await d.open(case_id="C-REUSED")


FINISHED: list[Scenario] = [
    repaired,
    third_party,
    unknown_serial,
    invalid_request,
    cancelled,
    clause_7,
    written_explanation,
    warranty_across_cases,
    offered_visit,
    one_stoppage_twice,
    untrusted_warranty_news,
    reused_id,
]
OPEN: list[Scenario] = [open_dispatched, open_breached]


async def record(handle: WorkflowHandle[Any, Any], folder: Path) -> None:
    """Saved under the workflow id, which the replay needs: the case id must match it. A
    second run under one id (a reused id) goes to the folder `<release>-again`."""
    history = await handle.fetch_history()
    path = folder / f"{handle.id}.json"
    if path.exists():
        path = folder.with_name(f"{folder.name}-again") / path.name
        path.parent.mkdir(exist_ok=True)
    path.write_text(history.to_json())


async def main(release: str) -> None:
    folder = HISTORIES / release
    if folder.exists():
        sys.exit(f"{folder} exists: a release's histories are never overwritten")
    folder.mkdir(parents=True)
    async with await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=venv_binary("temporal-test-server"),
        data_converter=pydantic_data_converter,
    ) as env:
        from client.connection import ensure_search_attributes

        await ensure_search_attributes(env.client, "default")
        async with desk(env, "histories") as d:
            for scenario in FINISHED:
                opened = len(d.handles)
                await scenario(d, env)
                for handle in d.handles[opened:]:
                    await handle.result()
                    await record(handle, folder)
            for scenario in OPEN:
                opened = len(d.handles)
                await scenario(d, env)
                for handle in d.handles[opened:]:
                    await record(handle, folder)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
