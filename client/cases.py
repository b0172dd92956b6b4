"""What the case commands ask of Temporal: open a case, act on it, read it, list cases.

These coroutines take a connected client and raise `CaseError`s whose messages are meant for
the person at the keyboard; the command line only prints them. Tests and `repairdesk dev
--demo` await them directly.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from temporalio.client import Client
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from client.answers import CaseError, Named, read_state, send_update, settled_state
from workflows import search_attributes as keys
from workflows.details import static_details, static_summary
from workflows.messages import CaseRequest, CaseState, Status, case_placed, listed
from workflows.repair_case import WORKFLOW_ID_PREFIX

WORKFLOW_TYPE = "RepairCase"
# How often `repairdesk open` asks whether the archive look-up has placed the case yet.
PLACED_POLL = timedelta(milliseconds=100)
# Generated ids are random; one that meets an earlier case is simply drawn again.
FRESH_ID_ATTEMPTS = 5
# An id as the contract spells them; safe to place in a visibility query.
IDENTIFIER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$")


class CaseExists(CaseError):
    """A case with that id is still open."""


class CaseRejected(CaseError):
    """The case opened and ended at once as `rejected`; the message gives the reason."""


class CaseIndexed(BaseModel):
    """A case as Temporal visibility indexes it: its id and its search attributes."""

    case_id: str
    status: str | None
    customer_id: str | None
    equipment_serial: str | None
    coverage: str | None
    technician_id: str | None
    sla_breached: bool
    emergency: bool


class CaseRow(CaseIndexed):
    """One line of `repairdesk list`."""

    started_at: datetime
    closed_at: datetime | None


def workflow_id(case_id: str) -> str:
    return f"{WORKFLOW_ID_PREFIX}{case_id}"


def new_case_id(zone: ZoneInfo) -> str:
    """A readable id that says when the case was opened, e.g. `C-20261125-4F3A`."""
    return f"C-{datetime.now(zone):%Y%m%d}-{secrets.token_hex(2).upper()}"


async def open_case(client: Client, task_queue: str, request: CaseRequest) -> None:
    """Start the case's workflow; an id Temporal knows, of a case still open or ended, is
    refused (a case id names one case for ever), and the open case is left alone."""
    try:
        await client.start_workflow(
            WORKFLOW_TYPE,
            request,
            id=workflow_id(request.case_id),
            task_queue=task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            static_summary=static_summary(request),
            static_details=static_details(request),
        )
    except WorkflowAlreadyStartedError:
        raise CaseExists(
            f"case {request.case_id} is open or was used before; an id names one case for "
            f"ever, and the case was left as it is (see `repairdesk show {request.case_id}`)"
        ) from None


async def open_new_case(
    client: Client, task_queue: str, request: CaseRequest, zone: ZoneInfo
) -> str:
    """Open under a generated id, drawing another while the id was ever used, even by a
    closed case (a generated id names one case only); returns the id used."""
    for _ in range(FRESH_ID_ATTEMPTS):
        try:
            await open_case(client, task_queue, request)
            return request.case_id
        except CaseExists:
            request = request.model_copy(update={"case_id": new_case_id(zone)})
    raise CaseError(f"no unused case id in {FRESH_ID_ATTEMPTS} draws; give one with --case-id")


def named(case_id: str) -> Named:
    return Named("case", case_id, workflow_id(case_id))


async def act(client: Client, case_id: str, action: str, payload: dict[str, Any]) -> CaseState:
    """Send `action` as the contract's update and return the case after it."""
    return await send_update(client, named(case_id), action, payload, CaseState)


async def case_state(client: Client, case_id: str) -> CaseState:
    return await read_state(client, named(case_id), CaseState)


def placed(state: CaseState) -> bool:
    return case_placed(state.status, state.coverage is not None)


async def placed_state(client: Client, case_id: str) -> CaseState:
    """The case once it is placed; a case that ended `rejected` raises `CaseRejected`."""
    state = await settled_state(client, named(case_id), CaseState, placed, PLACED_POLL)
    if state.status is Status.rejected:
        raise CaseRejected(f"case {case_id} was rejected: {rejection(state)}")
    return state


def rejection(state: CaseState) -> str:
    """Why a case was rejected: its outcome's reason and every validation error, named once
    (a v1.1 reason already lists them)."""
    if state.outcome is None:
        return "no reason recorded"
    reason, errors = state.outcome.reason, listed(state.outcome.errors)
    return f"{reason} ({errors})" if errors and errors not in reason else reason


def list_query(status: Status | None, breached: bool, customer_id: str | None) -> str:
    """A visibility query on the case search attributes; values are checked ids, never raw."""
    clauses = [f"WorkflowType = '{WORKFLOW_TYPE}'"]
    if status:
        clauses.append(f"{keys.CASE_STATUS.name} = '{status.value}'")
    if breached:
        clauses.append(f"{keys.SLA_BREACHED.name} = true")
    if customer_id:
        clauses.append(f"{keys.CUSTOMER_ID.name} = '{customer_id}'")
    return " AND ".join(clauses)


def only_cases(query: str, case_ids: set[str]) -> str | None:
    """`query` narrowed to these cases; None when there are none. The ids come from the
    archive, where only checked ids are stored; any other is left out of the query."""
    ids = sorted(case_id for case_id in case_ids if IDENTIFIER.match(case_id))
    if not ids:
        return None
    quoted = ", ".join(f"'{workflow_id(case_id)}'" for case_id in ids)
    return f"{query} AND WorkflowId IN ({quoted})"


async def list_cases(client: Client, query: str, limit: int) -> list[CaseRow]:
    rows = []
    async for execution in client.list_workflows(query, limit=limit):
        found = execution.typed_search_attributes
        rows.append(
            CaseRow(
                case_id=execution.id.removeprefix(workflow_id("")),
                status=found.get(keys.CASE_STATUS),
                customer_id=found.get(keys.CUSTOMER_ID),
                equipment_serial=found.get(keys.EQUIPMENT_SERIAL),
                coverage=found.get(keys.COVERAGE),
                technician_id=found.get(keys.TECHNICIAN_ID),
                sla_breached=bool(found.get(keys.SLA_BREACHED)),
                emergency=bool(found.get(keys.EMERGENCY)),
                started_at=execution.start_time,
                closed_at=execution.close_time,
            )
        )
    return rows
