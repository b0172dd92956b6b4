"""One path from HTTP to a workflow, shared by cases (`RepairCase`) and IP disputes
(`IpDispute`): start and wait until placed, read the `state` query, send an action as the
update of its name; Temporal's answers become the API's status codes.

States travel as the workflow's own JSON (dicts), so the API returns exactly what the
workflow says.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from sqlalchemy import Table
from sqlalchemy.orm import Session, sessionmaker
from temporalio.client import (
    Client,
    WorkflowExecutionStatus,
    WorkflowQueryFailedError,
    WorkflowUpdateFailedError,
)
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from activities.archive.case_rows import id_in_use
from client.state_query import query_state, timed_out
from web.errors import ApiError
from workflows.validation import refusal_of

State = dict[str, Any]
# A worker that is down would otherwise hold the request for ever.
ANSWER_TIMEOUT = timedelta(seconds=30)
PLACING_POLL = (0.02, 0.05, 0.1, 0.2, 0.3, 0.5)
FRESH_ID_ATTEMPTS = 5


@dataclass(frozen=True)
class Kind:
    """What differs between cases and disputes."""

    noun: str
    workflow_type: str
    prefix: str
    id_field: str
    request: type[BaseModel]
    state: type[BaseModel]
    actions: Mapping[str, type[BaseModel]]
    placed: Callable[[State], bool]
    new_id: Callable[[ZoneInfo], str]
    archive_table: Table
    start_options: Callable[[BaseModel], dict[str, Any]] = field(default=lambda _: {})

    def workflow_id(self, object_id: str) -> str:
        return f"{self.prefix}{object_id}"


async def start(
    client: Client,
    sessions: sessionmaker[Session],
    task_queue: str,
    kind: Kind,
    request: BaseModel,
    zone: ZoneInfo,
) -> State:
    """Start the workflow; when the request named no id, draw fresh ones until one was never
    used; a given id the archive or Temporal knows is refused (an id names one case for ever).
    Returns the state once the archive look-up has placed it."""
    given = getattr(request, kind.id_field)
    if given and (
        used := await asyncio.to_thread(id_in_use, sessions, kind.archive_table, given, kind.noun)
    ):
        raise ApiError(409, used)
    for _ in range(1 if given else FRESH_ID_ATTEMPTS):
        object_id = given or kind.new_id(zone)
        payload = request.model_dump(mode="json", exclude_none=True) | {kind.id_field: object_id}
        try:
            await client.start_workflow(
                kind.workflow_type,
                payload,
                id=kind.workflow_id(object_id),
                task_queue=task_queue,
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                **kind.start_options(request.model_copy(update={kind.id_field: object_id})),
            )
        except WorkflowAlreadyStartedError:
            continue
        return await _placed(client, kind, object_id)
    if given:
        raise ApiError(
            409,
            f"{kind.noun} {given} is open or was used before; an id names one {kind.noun} for "
            "ever, and it was left as it is",
        )
    raise ApiError(503, f"no unused {kind.noun} id in {FRESH_ID_ATTEMPTS} draws; give one")


async def _placed(client: Client, kind: Kind, object_id: str) -> State:
    loop = asyncio.get_running_loop()
    give_up = loop.time() + ANSWER_TIMEOUT.total_seconds()
    for attempt in itertools.count():
        state = await read(client, kind, object_id)
        if kind.placed(state):
            return state
        if loop.time() > give_up:
            break
        await asyncio.sleep(PLACING_POLL[min(attempt, len(PLACING_POLL) - 1)])
    raise ApiError(
        504,
        f"{kind.noun} {object_id} was opened but not placed within "
        f"{ANSWER_TIMEOUT.seconds} s; is a worker running?",
        state=state,
    )


async def read(client: Client, kind: Kind, object_id: str) -> State:
    handle = client.get_workflow_handle(kind.workflow_id(object_id))
    try:
        return await query_state(handle, rpc_timeout=ANSWER_TIMEOUT)
    except RPCError as e:
        raise _not_answered(kind, object_id, e) from None
    except WorkflowQueryFailedError as e:
        raise ApiError(503, f"{kind.noun} {object_id} cannot answer now: {e}") from None


async def act(
    client: Client, kind: Kind, object_id: str, action: str, payload: State, key: str | None
) -> State:
    """Send `action` as the update of that name; `key` (Idempotency-Key) is its update id,
    so a retry is answered with the first result and applied once."""
    handle = client.get_workflow_handle(kind.workflow_id(object_id))
    try:
        return await asyncio.wait_for(
            handle.execute_update(action, payload, id=key), ANSWER_TIMEOUT.total_seconds()
        )
    except WorkflowUpdateFailedError as e:
        if refused := refused_error(e.cause):
            raise refused from None
        raise await _ended_or(client, kind, object_id, ApiError(409, str(e.cause))) from None
    except RPCError as e:
        raise await _ended_or(client, kind, object_id, _not_answered(kind, object_id, e)) from None
    except TimeoutError:
        raise ApiError(504, _no_worker(kind, object_id)) from None


def refused_error(failure: BaseException | None) -> ApiError | None:
    """A refused action's answer, by the failure's type: 422 with every field error when the
    payload does not validate, 409 for a misfit; None when the update failed otherwise."""
    if not (refused := refusal_of(failure)):
        return None
    return ApiError(422 if refused.invalid else 409, refused.reason, refused.errors)


async def _ended_or(client: Client, kind: Kind, object_id: str, otherwise: ApiError) -> ApiError:
    """409 naming the status when the workflow has completed, else `otherwise`."""
    handle = client.get_workflow_handle(kind.workflow_id(object_id))
    try:
        described = await handle.describe()
    except RPCError:
        return otherwise
    if described.status == WorkflowExecutionStatus.RUNNING:
        return otherwise
    state = await read(client, kind, object_id)
    status = state.get("status", "closed")
    return ApiError(
        409,
        f"{kind.noun} {object_id} has ended ({status}); it takes no more actions",
        status=status,
    )


def _not_answered(kind: Kind, object_id: str, error: RPCError) -> ApiError:
    if error.status == RPCStatusCode.NOT_FOUND:
        return ApiError(404, f"no {kind.noun} {object_id}")
    if timed_out(error):
        return ApiError(504, _no_worker(kind, object_id))
    return ApiError(502, f"{kind.noun} {object_id}: Temporal answered: {error.message}")


def _no_worker(kind: Kind, object_id: str) -> str:
    return (
        f"{kind.noun} {object_id}: no worker answered within {ANSWER_TIMEOUT.seconds} s; "
        "is `repairdesk worker` running on this task queue?"
    )
