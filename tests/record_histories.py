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
from tests.workflow_harness import POST_WARRANTY, REPAIR, Desk, desk

HISTORIES = Path(__file__).parent / "histories"
REPLY = {"by": "Zhang", "message": "We are on it"}
T3 = {"technician_id": "T-3"}

Scenario = Callable[[Desk, WorkflowEnvironment], Awaitable[WorkflowHandle[Any, Any]]]


async def repaired(d: Desk, env: WorkflowEnvironment) -> WorkflowHandle[Any, Any]:
    _, handle = await d.open(case_id="C-REPAIRED", onsite_requested=True)
    await handle.execute_update("reply", REPLY)
    await handle.signal("arrive", T3)
    await handle.execute_update("dispatch", T3)
    await handle.execute_update("arrive", T3)
    await env.sleep(timedelta(hours=20))
    await handle.execute_update("repaired", {**REPAIR, "cause": "product_defect"})
    return handle


async def third_party(d: Desk, env: WorkflowEnvironment) -> WorkflowHandle[Any, Any]:
    _, handle = await d.open(
        case_id="C-THIRD-PARTY", equipment_serial=POST_WARRANTY, emergency=True
    )
    await env.sleep(timedelta(hours=25))
    claim = {"vendor": "Acme", "invoice_ref": "I-1", "amount": "800.00"}
    await handle.execute_update("third_party_repair", claim)
    return handle


async def unknown_serial(d: Desk, env: WorkflowEnvironment) -> WorkflowHandle[Any, Any]:
    _, handle = await d.open(case_id="C-UNKNOWN-SERIAL", equipment_serial="SN-UNKNOWN")
    return handle


async def invalid_request(d: Desk, env: WorkflowEnvironment) -> WorkflowHandle[Any, Any]:
    _, handle = await d.open(case_id="C-INVALID", fault="")
    return handle


async def cancelled(d: Desk, env: WorkflowEnvironment) -> WorkflowHandle[Any, Any]:
    _, handle = await d.open(case_id="C-CANCELLED")
    await handle.signal("reply", REPLY)
    await env.sleep(timedelta(minutes=30))
    await handle.execute_update("cancel", {"by": "Li Wei", "reason": "fixed it ourselves"})
    return handle


async def clause_7(d: Desk, env: WorkflowEnvironment) -> WorkflowHandle[Any, Any]:
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
    return handle


async def written_explanation(d: Desk, env: WorkflowEnvironment) -> WorkflowHandle[Any, Any]:
    _, handle = await d.open(case_id="C-EXPLANATION", equipment_serial=POST_WARRANTY)
    await handle.execute_update("reply", REPLY)
    await handle.execute_update("dispatch", T3)
    await env.sleep(timedelta(hours=25))
    await handle.execute_update("arrive", T3)
    await handle.execute_update("repaired", REPAIR)
    return handle


async def open_dispatched(d: Desk, env: WorkflowEnvironment) -> WorkflowHandle[Any, Any]:
    """Still open: dispatched, waiting for the technician, no clock missed yet."""
    _, handle = await d.open(case_id="C-OPEN-DISPATCHED", onsite_requested=True)
    await handle.execute_update("reply", REPLY)
    await handle.execute_update("dispatch", T3)
    await handle.execute_update("dispatch", {"technician_id": "T-4"})
    await env.sleep(timedelta(minutes=20))
    return handle


async def open_breached(d: Desk, env: WorkflowEnvironment) -> WorkflowHandle[Any, Any]:
    """Still open: every clock missed, nobody answered yet."""
    _, handle = await d.open(case_id="C-OPEN-BREACHED", onsite_requested=True)
    await env.sleep(timedelta(hours=26))
    return handle


FINISHED: list[Scenario] = [
    repaired,
    third_party,
    unknown_serial,
    invalid_request,
    cancelled,
    clause_7,
    written_explanation,
]
OPEN: list[Scenario] = [open_dispatched, open_breached]


async def record(handle: WorkflowHandle[Any, Any], folder: Path) -> None:
    """Saved under the workflow id, which the replay needs: the case id must match it."""
    history = await handle.fetch_history()
    (folder / f"{handle.id}.json").write_text(history.to_json())


async def main(release: str) -> None:
    folder = HISTORIES / release
    if folder.exists():
        sys.exit(f"{folder} exists: a release's histories are never overwritten")
    folder.mkdir(parents=True)
    async with await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=venv_binary("temporal-test-server"),
        data_converter=pydantic_data_converter,
    ) as env:
        from starter.connection import ensure_search_attributes

        await ensure_search_attributes(env.client, "default")
        async with desk(env, "histories") as d:
            for scenario in FINISHED:
                handle = await scenario(d, env)
                await handle.result()
                await record(handle, folder)
            for scenario in OPEN:
                handle = await scenario(d, env)
                await record(handle, folder)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
