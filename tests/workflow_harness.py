"""Starting cases the way the call centre does: plain JSON to a raw Temporal client."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from tests.fake_activities import FakeArchive, Machine
from workflows.messages import case_placed
from workflows.repair_case import RepairCase

IN_WARRANTY = "SN-42"
POST_WARRANTY = "SN-43"
OTHER_CUSTOMERS = "SN-50"


def new_case_id() -> str:
    return f"C-{uuid.uuid4().hex[:10]}"


def request(case_id: str, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "case_id": case_id,
        "customer_id": "CUST-7",
        "equipment_serial": IN_WARRANTY,
        "fault": "Chiller trips on high pressure",
        "contact": {"name": "Li Wei", "email": "liwei@example.com", "language": "zh"},
    }
    body.update(fields)
    return body


@dataclass
class Desk:
    env: WorkflowEnvironment
    task_queue: str
    archive: FakeArchive
    handles: list[WorkflowHandle[Any, Any]] = field(default_factory=list)

    async def open(self, **fields: Any) -> tuple[str, WorkflowHandle[Any, Any]]:
        case_id = fields.pop("case_id", None) or new_case_id()
        handle = await self.env.client.start_workflow(
            "RepairCase",
            request(case_id, **fields),
            id=f"case-{case_id}",
            task_queue=self.task_queue,
        )
        self.handles.append(handle)
        await self.placed(handle)
        return case_id, handle

    async def placed(self, handle: WorkflowHandle[Any, Any]) -> dict[str, Any]:
        """The case once the archive look-up has placed (or refused) it."""
        for _ in range(250):
            state = await self.state(handle)
            if case_placed(state["status"], state["coverage"] is not None):
                return state
            await asyncio.sleep(0.02)
        raise AssertionError(f"case {handle.id} was never placed")

    async def state(self, handle: WorkflowHandle[Any, Any]) -> dict[str, Any]:
        state: dict[str, Any] = await handle.query("state")
        return state


@asynccontextmanager
async def desk(env: WorkflowEnvironment, task_queue: str) -> AsyncIterator[Desk]:
    archive = FakeArchive(
        machines={
            IN_WARRANTY: Machine("CUST-7", date(2099, 1, 1)),
            POST_WARRANTY: Machine("CUST-7", date(2020, 1, 1)),
            OTHER_CUSTOMERS: Machine("CUST-8", date(2099, 1, 1)),
        }
    )
    async with Worker(
        env.client,
        task_queue=task_queue,
        workflows=[RepairCase],
        activities=archive.activities(),
    ):
        yield Desk(env, task_queue, archive)


def kinds(state: dict[str, Any]) -> list[str]:
    return [entry["kind"] for entry in state["timeline"]]


REPAIR = {
    "technician_id": "T-3",
    "cause": "customer_modification",
    "parts": [
        {"part_no": "P-100", "description": "pressure switch", "qty": 1, "unit_price": "320.00"}
    ],
    "labour_hours": "2.5",
}
