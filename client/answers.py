"""Asking a case's or a dispute's workflow, and what Temporal's answers mean to the person at the
keyboard: a refused action, an ended or unknown case, a worker that does not answer.

`client.cases` and `client.disputes` both ask through here, so `repairdesk` and `repairdesk
ip` say the same thing in the same words, with the noun (`case`, `dispute`) and the id the
person typed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from sqlalchemy import Table
from temporalio.client import Client, WorkflowQueryFailedError, WorkflowUpdateFailedError
from temporalio.service import RPCError, RPCStatusCode

from activities.archive.case_rows import id_in_use
from activities.archive.db import archive
from activities.settings import Settings
from client.state_query import query_state, timed_out
from workflows import search_attributes as keys
from workflows.validation import refusal_of

# A worker that is down would otherwise leave the command waiting for ever.
ANSWER_TIMEOUT = timedelta(seconds=60)

State = TypeVar("State")


class CaseError(Exception):
    """A command that could not be carried out; the message says why."""


class NoSuchCase(CaseError):
    """Temporal has no case (or dispute) with that id."""


class ActionRefused(CaseError):
    """The workflow refused the action, or the case has ended; the message is the reason."""


@dataclass(frozen=True)
class Named:
    """A case or a dispute as the person named it: `noun` and `id` for messages, and the id of
    its workflow."""

    noun: str
    id: str
    workflow_id: str

    def __str__(self) -> str:
        return f"{self.noun} {self.id}"


async def send_update(
    client: Client, named: Named, action: str, payload: dict[str, Any], result_type: type[State]
) -> State:
    """Send `action` as the contract's update and return the state after it."""
    handle = client.get_workflow_handle(named.workflow_id)
    try:
        return await asyncio.wait_for(
            handle.execute_update(action, payload, result_type=result_type),
            ANSWER_TIMEOUT.total_seconds(),
        )
    except WorkflowUpdateFailedError as e:
        raise refused_error(named, e.cause) from None
    except RPCError as e:
        raise await explain(client, named, e) from None
    except TimeoutError:
        raise CaseError(no_worker(named)) from None


def refused_error(named: Named, failure: BaseException | None) -> CaseError:
    """What a failed update means, by the failure's type: a refusal (a payload that does not
    validate, or a misfit) with its reason, or any other failure of the workflow."""
    if refused := refusal_of(failure):
        return ActionRefused(refused.reason)
    return CaseError(f"{named}: the action failed: {failure}")


async def read_state(client: Client, named: Named, result_type: type[State]) -> State:
    """The `state` query's answer."""
    handle = client.get_workflow_handle(named.workflow_id)
    try:
        return await query_state(handle, result_type=result_type, rpc_timeout=ANSWER_TIMEOUT)
    except RPCError as e:
        raise await explain(client, named, e) from None
    except WorkflowQueryFailedError as e:
        raise CaseError(f"{named} cannot answer now: {e}") from None


async def settled_state(
    client: Client,
    named: Named,
    result_type: type[State],
    settled: Callable[[State], bool],
    pause: timedelta,
) -> State:
    """The state once `settled` holds (the archive look-up has placed or refused it), asked
    every `pause`; a worker that has not settled it within `ANSWER_TIMEOUT` is said."""
    loop = asyncio.get_running_loop()
    give_up = loop.time() + ANSWER_TIMEOUT.total_seconds()
    while not settled(state := await read_state(client, named, result_type)):
        if loop.time() > give_up:
            raise CaseError(no_worker(named))
        await asyncio.sleep(pause.total_seconds())
    return state


async def explain(client: Client, named: Named, error: RPCError) -> CaseError:
    """Turn Temporal's answer into what it means for this case or dispute."""
    if timed_out(error):
        return CaseError(no_worker(named))
    if error.status != RPCStatusCode.NOT_FOUND:
        return CaseError(f"{named}: Temporal answered: {error.message}")
    try:
        described = await client.get_workflow_handle(named.workflow_id).describe()
    except RPCError:
        return NoSuchCase(f"no {named}")
    status = described.typed_search_attributes.get(keys.CASE_STATUS) or "closed"
    return ActionRefused(f"{named} has ended ({status}); it takes no more actions")


def no_worker(named: Named) -> str:
    return (
        f"{named}: no worker answered within {ANSWER_TIMEOUT.seconds} s; is "
        "`repairdesk worker` (or `repairdesk dev`) running on this task queue?"
    )


async def refuse_used_id(settings: Settings, table: Table, object_id: str, noun: str) -> None:
    """Refuse, before anything starts, an id the archive holds from an earlier case or
    dispute: an id names one for ever (contract v1.2)."""
    sessions = archive(settings.database_url)
    if reason := await asyncio.to_thread(id_in_use, sessions, table, object_id, noun):
        raise CaseError(reason)
