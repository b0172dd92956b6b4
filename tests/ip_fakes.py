"""Stand-in local activities for IpDispute, registered by name, and a desk to open disputes
the way the office does: plain JSON to a raw Temporal client."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from temporalio import activity
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from workflows.ip_activity_io import (
    LOOKUP_DISPUTE_PARTIES,
    RECORD_DISPUTE_EVENT,
    DisputeEvent,
    DisputeParties,
    PartiesRequest,
)
from workflows.ip_dispute import IpDispute

# customer -> its serials
CUSTOMERS = {"CUST-7": {"SN-42", "SN-43"}, "CUST-8": {"SN-50"}}


@dataclass
class FakeDisputeArchive:
    events: list[DisputeEvent] = field(default_factory=list)
    lookups: int = 0
    hold_lookup: asyncio.Event | None = None

    def activities(self) -> list[Any]:
        @activity.defn(name=LOOKUP_DISPUTE_PARTIES)
        async def lookup(request: PartiesRequest) -> DisputeParties:
            self.lookups += 1
            if self.hold_lookup is not None:
                await self.hold_lookup.wait()
            serials = CUSTOMERS.get(request.customer_id)
            if serials is None:
                return DisputeParties(found=False, reason=f"customer {request.customer_id} unknown")
            serial = request.equipment_serial
            if serial is not None and serial not in serials:
                return DisputeParties(found=False, reason=f"{serial} is not the customer's")
            return DisputeParties(found=True, customer_name="Test Customer")

        @activity.defn(name=RECORD_DISPUTE_EVENT)
        async def record(event: DisputeEvent) -> None:
            self.events.append(event)

        return [lookup, record]

    def notices(self) -> list[tuple[str, str]]:
        return [(n.kind, n.audience) for e in self.events for n in e.notices]

    def charges(self) -> list[Any]:
        return [c for e in self.events for c in e.charges]


def dispute_request(dispute_id: str, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "dispute_id": dispute_id,
        "customer_id": "CUST-7",
        "equipment_serial": "SN-42",
        "claimant": "Acme GmbH",
        "right": "patent",
        "description": "Claims the controller firmware infringes EP1234567",
        "contact": {"name": "Li Wei", "email": "liwei@example.com", "language": "en"},
    }
    body.update(fields)
    return body


@dataclass
class IpDesk:
    env: WorkflowEnvironment
    task_queue: str
    archive: FakeDisputeArchive

    async def start(self, **fields: Any) -> WorkflowHandle[Any, Any]:
        dispute_id = fields.pop("dispute_id", None) or f"IP-{uuid.uuid4().hex[:8]}"
        return await self.env.client.start_workflow(
            "IpDispute",
            dispute_request(dispute_id, **fields),
            id=f"ip-{dispute_id}",
            task_queue=self.task_queue,
        )

    async def open(self, **fields: Any) -> WorkflowHandle[Any, Any]:
        handle = await self.start(**fields)
        await self.placed(handle)
        return handle

    async def placed(self, handle: WorkflowHandle[Any, Any]) -> dict[str, Any]:
        for _ in range(250):
            state = await self.state(handle)
            if state["status"] != "opening":
                return state
            await asyncio.sleep(0.02)
        raise AssertionError(f"dispute {handle.id} was never placed")

    async def state(self, handle: WorkflowHandle[Any, Any]) -> dict[str, Any]:
        state: dict[str, Any] = await handle.query("state")
        return state


@asynccontextmanager
async def ip_desk(env: WorkflowEnvironment, task_queue: str) -> AsyncIterator[IpDesk]:
    archive = FakeDisputeArchive()
    async with Worker(
        env.client, task_queue=task_queue, workflows=[IpDispute], activities=archive.activities()
    ):
        yield IpDesk(env, task_queue, archive)


def kinds(state: dict[str, Any]) -> list[str]:
    return [entry["kind"] for entry in state["timeline"]]


SETTLE = {
    "by": "Zhang Ming",
    "outcome": "Licence agreed with Acme",
    "costs": [
        {"description": "licence fee", "amount": "12000.00"},
        {"description": "legal counsel", "amount": "3450.50"},
    ],
    "currency": "CNY",
}
