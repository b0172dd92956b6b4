"""What the message fuzzing checks, through a raw Temporal client that sends plain JSON.

The raw client has the SDK's default data converter and knows nothing of repairdesk's models:
it is the call-centre software of the contract. Every check reads the workflow from outside:
its `state` query, its description and its history.
"""

from __future__ import annotations

import asyncio
import copy
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from temporalio.api.enums.v1 import EventType, WorkflowTaskFailedCause
from temporalio.client import (
    Client,
    WorkflowExecutionStatus,
    WorkflowHandle,
    WorkflowUpdateFailedError,
)
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from client.connection import ensure_search_attributes
from tests.conftest import venv_binary
from workflows.validation import REJECTED

Handle = WorkflowHandle[Any, Any]
BENIGN = WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND
# A payload no action accepts: sent as an update after a signal, its refusal comes back only
# once the workflow task that took the signal has completed, so a query then sees the signal.
BARRIER: Any = None


@asynccontextmanager
async def time_skipping_server() -> AsyncIterator[WorkflowEnvironment]:
    """One test server for a whole module (the worker's client has repairdesk's converter).
    Nothing here waits on a workflow's result, so the server never skips time: the cases'
    clocks run in real time and stay still for the few seconds a module takes."""
    async with await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=venv_binary("temporal-test-server"),
        data_converter=pydantic_data_converter,
    ) as env:
        await ensure_search_attributes(env.client, "default")
        yield env


def raw_client(env: WorkflowEnvironment) -> Client:
    return Client(env.client.service_client, namespace=env.client.namespace)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


async def state(handle: Handle) -> dict[str, Any]:
    found: dict[str, Any] = await handle.query("state")
    return found


async def placed(handle: Handle) -> dict[str, Any]:
    """The state once the archive look-up has placed (or refused) the case or dispute."""
    for _ in range(500):
        found = await state(handle)
        if found["status"] != "opening":
            return found
        await asyncio.sleep(0.02)
    raise AssertionError(f"{handle.id} was never placed")


def misfit_reason(failed: WorkflowUpdateFailedError, name: str) -> str:
    """The reason of an update refused (its payload does not validate, or it does not fit),
    and not failed any other way."""
    cause = failed.cause
    assert isinstance(cause, ApplicationError), f"{name}: {cause!r}"
    assert cause.type == REJECTED, f"{name}: {cause.type}: {cause}"
    assert cause.message.startswith(f"{name} rejected: "), cause.message
    return cause.message


async def refusal(handle: Handle, name: str, payload: Any) -> str:
    """Send `payload` as update `name`; it must be refused as a misfit: its reason."""
    try:
        await handle.execute_update(name, payload)
    except WorkflowUpdateFailedError as failed:
        return misfit_reason(failed, name)
    raise AssertionError(f"{name} accepted {str(payload)[:300]}")


async def signal_applied(handle: Handle, name: str, payload: Any, barrier: str) -> None:
    """Send `payload` as signal `name` and wait until the workflow has taken it."""
    await handle.signal(name, payload)
    await refusal(handle, barrier, BARRIER)


def without_rejections(found: dict[str, Any]) -> dict[str, Any]:
    """The state as a misfit signal must leave it: all but its `rejected` timeline entries
    (and the version they bump)."""
    kept = copy.deepcopy(found)
    kept["timeline"] = [e for e in kept["timeline"] if e["kind"] != "rejected"]
    kept.pop("version", None)
    return kept


def new_rejections(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in after["timeline"][len(before["timeline"]) :] if e["kind"] == "rejected"]


async def healthy(handle: Handle, *ended: WorkflowExecutionStatus) -> None:
    """No workflow task ever failed; the workflow runs (or ended the way it may).

    One cause is not a failure of the workflow's code: UNHANDLED_COMMAND is the server refusing
    a task that completes the workflow because a signal or update came in meanwhile; the worker
    takes the newcomer in the next task (the contract: a signal to an ending case is recorded)."""
    history = await handle.fetch_history()
    failed = [
        e.workflow_task_failed_event_attributes
        for e in history.events
        if e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED
        and e.workflow_task_failed_event_attributes.cause != BENIGN
    ]
    assert not failed, f"{handle.id}: {failed[0]}"
    status = (await handle.describe()).status
    assert status in (WorkflowExecutionStatus.RUNNING, *ended), f"{handle.id}: {status}"


async def completed(handle: Handle) -> None:
    """Wait (without asking for the result, which would skip time) until it has ended."""
    for _ in range(500):
        if (await handle.describe()).status != WorkflowExecutionStatus.RUNNING:
            break
        await asyncio.sleep(0.02)
    await healthy(handle, WorkflowExecutionStatus.COMPLETED)
    assert (await handle.describe()).status == WorkflowExecutionStatus.COMPLETED
