"""IpDispute: one durable workflow per intellectual-property dispute (clause 10).

The vendor takes charge of any patent, copyright or trademark dispute over what it supplied
and bears its legal and economic consequences. The workflow validates its input, places the
customer (and the equipment, when named) in the archive, tells the executive in charge, the
service manager and the customer at once, keeps notes, and on `settle` books the costs once as
an `ip_indemnity` charge paid by the vendor; `withdraw` ends it without a charge.

The command sequence, which a change must keep for open disputes (or patch): the search
attributes upserted at the start; the `lookup_dispute_parties` local activity (unless the input
is invalid); a `record_dispute_event` local activity for the opening or the rejection, then one
for each change an action or a misfit signal makes, in the order they are applied, with the
search attributes upserted just before it when they change. A dispute takes a handful of
actions, far below Temporal's 2 000 updates per workflow.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from pydantic import ValidationError

    from workflows import ip_details
    from workflows.dispute_file import WORKFLOW_ID_PREFIX, DisputeFile
    from workflows.ip_activity_io import (
        LOOKUP_DISPUTE_PARTIES,
        RECORD_DISPUTE_EVENT,
        DisputeEvent,
        DisputeParties,
        PartiesRequest,
    )
    from workflows.ip_messages import DisputeRequest, DisputeState
    from workflows.ip_validation import parse_action, read_action, request_problems
    from workflows.validation import field_errors, refusal

# The archive is local to the worker: a database that is down delays the dispute (its local
# activity is retried, at most a minute apart, until the database answers); it never fails it.
ARCHIVE_RETRY = RetryPolicy(maximum_interval=timedelta(minutes=1))
ARCHIVE_TIMEOUT = timedelta(seconds=30)


def dispute_file(request: Any) -> DisputeFile:
    info, now = workflow.info(), workflow.now()
    dispute_id = info.workflow_id.removeprefix(WORKFLOW_ID_PREFIX)
    try:
        valid = DisputeRequest.model_validate(request)
    except ValidationError as e:
        return DisputeFile.invalid(dispute_id, field_errors(e), now, info.run_id)
    if problems := request_problems(valid, dispute_id, now):
        return DisputeFile.invalid(dispute_id, problems, now, info.run_id)
    return DisputeFile.from_request(
        valid, valid.reported_at or info.workflow_start_time, info.run_id
    )


@workflow.defn(name="IpDispute")
class IpDispute:
    @workflow.init
    def __init__(self, request: Any = None) -> None:
        self._lock = asyncio.Lock()
        self._published: dict[str, Any] = {}
        self._recorded_version = -1
        self._placed = False
        self._id_taken = False  # the archive holds an earlier dispute under this id
        self._file = dispute_file(request)

    @workflow.run
    async def run(self, request: Any = None) -> DisputeState:
        self._show()
        if not self._file.ended:
            await self._open()
        await self._record()
        self._placed = True
        await workflow.wait_condition(lambda: self._file.ended and workflow.all_handlers_finished())
        return self._file.state

    async def _open(self) -> None:
        s = self._file.state
        assert s.customer_id is not None
        parties = await workflow.execute_local_activity(
            LOOKUP_DISPUTE_PARTIES,
            PartiesRequest(
                dispute_id=s.dispute_id,
                customer_id=s.customer_id,
                equipment_serial=s.equipment_serial,
                run_id=workflow.info().run_id,
            ),
            result_type=DisputeParties,
            start_to_close_timeout=ARCHIVE_TIMEOUT,
            retry_policy=ARCHIVE_RETRY,
        )
        self._id_taken = parties.id_taken
        if parties.found:
            self._file.open(parties, workflow.now())
        else:
            reason = parties.reason or "the customer is not in the archive"
            self._file.reject(reason, workflow.now())

    async def _record(self) -> None:
        """Write what changed since the last record: the row, its letters, its charge. An
        invalid request is not archived: its id cannot be trusted, and its result says why; nor is
        a dispute whose id names an earlier one (nothing of that one is written over)."""
        state = self._file.state
        notices, charges = self._file.take_effects()
        if state.version == self._recorded_version or state.customer_id is None or self._id_taken:
            return
        self._recorded_version = state.version
        self._show()
        event = DisputeEvent(
            run_id=workflow.info().run_id,
            at=workflow.now(),
            state=state.model_copy(deep=True),
            notices=notices,
            charges=charges,
        )
        await workflow.execute_local_activity(
            RECORD_DISPUTE_EVENT,
            event,
            start_to_close_timeout=ARCHIVE_TIMEOUT,
            retry_policy=ARCHIVE_RETRY,
        )

    def _show(self) -> None:
        state = self._file.state
        if updates := ip_details.changes(state, self._published):
            workflow.upsert_search_attributes(updates)
            self._published = ip_details.values_of(state)
        workflow.set_current_details(ip_details.current_details(state))

    @workflow.query(name="state")
    def state(self) -> DisputeState:
        return self._file.state

    @workflow.signal(name="delivery_problem")
    def delivery_problem(self, payload: Any = None) -> None:
        """From the worker's relay: a letter or the finance event is not delivered."""
        detail = payload.get("detail") if isinstance(payload, dict) else None
        self._file.record_failure(str(detail or "a delivery failed"), workflow.now())

    # --- actions: update and signal of the same name ---

    def _validate(self, name: str, payload: Any) -> None:
        """Refuse a misfit before it enters history; an action that comes before the look-up
        has placed the dispute passes here and is judged by the handler once it has."""
        action = parse_action(name, payload)
        if self._placed and (reason := self._file.misfit(name, action)):
            raise refusal(name, reason)

    async def _update(self, name: str, payload: Any) -> DisputeState:
        action = parse_action(name, payload)
        async with self._lock:
            await workflow.wait_condition(lambda: self._placed)
            if reason := self._file.take(name, action, workflow.now()):
                raise refusal(name, reason)
            await self._record()
        return self._file.state

    async def _signal(self, name: str, payload: Any) -> None:
        async with self._lock:
            await workflow.wait_condition(lambda: self._placed)
            action = read_action(name, payload)
            now = workflow.now()
            reason = action if isinstance(action, str) else self._file.take(name, action, now)
            if reason:
                self._file.record_misfit(name, reason, now)
            await self._record()

    @workflow.update(name="note")
    async def note(self, payload: Any = None) -> DisputeState:
        return await self._update("note", payload)

    @note.validator
    def validate_note(self, payload: Any = None) -> None:
        self._validate("note", payload)

    @workflow.signal(name="note")
    async def note_signal(self, payload: Any = None) -> None:
        await self._signal("note", payload)

    @workflow.update(name="settle")
    async def settle(self, payload: Any = None) -> DisputeState:
        return await self._update("settle", payload)

    @settle.validator
    def validate_settle(self, payload: Any = None) -> None:
        self._validate("settle", payload)

    @workflow.signal(name="settle")
    async def settle_signal(self, payload: Any = None) -> None:
        await self._signal("settle", payload)

    @workflow.update(name="withdraw")
    async def withdraw(self, payload: Any = None) -> DisputeState:
        return await self._update("withdraw", payload)

    @withdraw.validator
    def validate_withdraw(self, payload: Any = None) -> None:
        self._validate("withdraw", payload)

    @workflow.signal(name="withdraw")
    async def withdraw_signal(self, payload: Any = None) -> None:
        await self._signal("withdraw", payload)
