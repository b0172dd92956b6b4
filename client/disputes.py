"""What the `repairdesk ip` commands ask of Temporal: open a dispute, act on it, read it, list.

Like `client.cases`, these coroutines raise `CaseError`s whose messages are meant for the
person at the keyboard.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from temporalio.client import Client
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from client.answers import CaseError, Named, read_state, send_update, settled_state
from client.cases import FRESH_ID_ATTEMPTS
from workflows import search_attributes as keys
from workflows.dispute_file import WORKFLOW_ID_PREFIX
from workflows.ip_details import static_details, static_summary
from workflows.ip_messages import DisputeRequest, DisputeState, DisputeStatus

WORKFLOW_TYPE = "IpDispute"
# How often `ip open` asks whether the archive look-up has placed the dispute yet.
PLACED_POLL = timedelta(milliseconds=200)


class DisputeRow(BaseModel):
    """One line of `repairdesk ip list`: a dispute as Temporal visibility indexes it."""

    dispute_id: str
    status: str | None
    customer_id: str | None
    equipment_serial: str | None
    started_at: datetime
    closed_at: datetime | None


def workflow_id(dispute_id: str) -> str:
    return f"{WORKFLOW_ID_PREFIX}{dispute_id}"


def named(dispute_id: str) -> Named:
    return Named("dispute", dispute_id, workflow_id(dispute_id))


def new_dispute_id(zone: ZoneInfo) -> str:
    """A readable id that says when the dispute was opened, e.g. `IP-20261125-4F3A`."""
    return f"IP-{datetime.now(zone):%Y%m%d}-{secrets.token_hex(2).upper()}"


async def start_dispute(
    client: Client, task_queue: str, request: DisputeRequest, fresh: bool, zone: ZoneInfo
) -> str:
    """Start the dispute's workflow, drawing another id for a generated one already used;
    returns the id used. A given id Temporal knows (open or ended) is refused."""
    for _ in range(FRESH_ID_ATTEMPTS):
        try:
            await client.start_workflow(
                WORKFLOW_TYPE,
                request,
                id=workflow_id(request.dispute_id),
                task_queue=task_queue,
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                static_summary=static_summary(request),
                static_details=static_details(request),
            )
            return request.dispute_id
        except WorkflowAlreadyStartedError:
            if not fresh:
                raise CaseError(
                    f"dispute {request.dispute_id} is open or was used before; an id names one "
                    f"dispute for ever, and it was left as it is "
                    f"(see `repairdesk ip show {request.dispute_id}`)"
                ) from None
            request = request.model_copy(update={"dispute_id": new_dispute_id(zone)})
    raise CaseError(
        f"no unused dispute id in {FRESH_ID_ATTEMPTS} draws; give one with --dispute-id"
    )


async def placed(client: Client, dispute_id: str) -> DisputeState:
    """The dispute once the archive look-up has placed or refused it."""
    return await settled_state(
        client,
        named(dispute_id),
        DisputeState,
        lambda state: state.status is not DisputeStatus.opening,
        PLACED_POLL,
    )


async def act(
    client: Client, dispute_id: str, action: str, payload: dict[str, Any]
) -> DisputeState:
    """Send `action` as the contract's update and return the dispute after it."""
    return await send_update(client, named(dispute_id), action, payload, DisputeState)


async def dispute_state(client: Client, dispute_id: str) -> DisputeState:
    return await read_state(client, named(dispute_id), DisputeState)


def list_query(status: DisputeStatus | None, customer_id: str | None) -> str:
    """A visibility query; values are checked ids or enum values, never raw text."""
    clauses = [f"WorkflowType = '{WORKFLOW_TYPE}'"]
    if status:
        clauses.append(f"{keys.CASE_STATUS.name} = '{status.value}'")
    if customer_id:
        clauses.append(f"{keys.CUSTOMER_ID.name} = '{customer_id}'")
    return " AND ".join(clauses)


async def list_disputes(client: Client, query: str, limit: int) -> list[DisputeRow]:
    rows = []
    async for execution in client.list_workflows(query, limit=limit):
        found = execution.typed_search_attributes
        rows.append(
            DisputeRow(
                dispute_id=execution.id.removeprefix(WORKFLOW_ID_PREFIX),
                status=found.get(keys.CASE_STATUS),
                customer_id=found.get(keys.CUSTOMER_ID),
                equipment_serial=found.get(keys.EQUIPMENT_SERIAL),
                started_at=execution.start_time,
                closed_at=execution.close_time,
            )
        )
    return rows
