"""The RepairCase engine of release v1.0, frozen: cases opened under v1.0 finish on it.

`workflows.repair_case.RepairCase` runs this engine for an execution whose history has no
`repairdesk-1.1` patch marker, so the commands a v1.0 case issues are those it issued before the
upgrade and its recorded history replays (tests/histories/v1.0). It keeps the v1.0 verdicts
(its rules are frozen beside it in this package). Remove this package once no case opened under
v1.0 can still be open (`temporal workflow list --query "ExecutionStatus='Running' AND
StartTime < '<the v1.1 upgrade>'"` is empty). Never edit it: any change breaks those cases.
One exception, which changes no command: the stale-clock guard (`workflows/stale_clock.py`).
"""

from __future__ import annotations

import asyncio
import math
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from pydantic import ValidationError

    from workflows.stale_clock import timer_fired
    from workflows.v1_0 import search_attributes
    from workflows.v1_0.activity_io import (
        ARCHIVE_CASE,
        BOOK_CHARGE,
        DELIVER_CHARGE,
        EXTEND_WARRANTY,
        LOOKUP_EQUIPMENT,
        SEND_NOTICE,
        ArchiveCase,
        CaseFacts,
        ChargeBooking,
        ChargeDelivery,
        DeliveryResult,
        LookupRequest,
        NoticeRequest,
        NoticeResult,
        WarrantyExtension,
    )
    from workflows.v1_0.case_file import BookCharge, CaseFile, Effect, ExtendWarranty, Notify
    from workflows.v1_0.details import current_details
    from workflows.v1_0.messages import ACTIONS, Action, CaseRequest, CaseState, FieldError
    from workflows.v1_0.rules import CLOCK_SKEW

WORKFLOW_ID_PREFIX = "case-"
REJECTED = "ActionRejected"

# Archive and delivery activities retry until they succeed: a database or a mail server that
# is down delays a notice, it never fails the case.
ARCHIVE_RETRY = RetryPolicy(maximum_interval=timedelta(minutes=1))
DELIVERY_RETRY = RetryPolicy(maximum_interval=timedelta(minutes=5))
ARCHIVE_TIMEOUT = timedelta(seconds=30)
DELIVERY_TIMEOUT = timedelta(seconds=60)


def field_errors(error: ValidationError) -> list[FieldError]:
    return [
        FieldError(field=".".join(str(p) for p in e["loc"]) or "payload", message=e["msg"])
        for e in error.errors(include_url=False, include_input=False)
    ]


def archived_fields(state: CaseState) -> tuple[Any, ...]:
    """What the archive's case row indexes: the status and everything the report counts."""
    return (
        state.status,
        state.coverage,
        state.warranty_ends_on,
        state.technician_id,
        state.cause,
        state.deadlines,
        len(state.breaches),
        len(state.met),
        len(state.charges),
    )


def read_action(name: str, payload: Any) -> Action | str:
    """The action, or why its payload does not validate."""
    try:
        return ACTIONS[name].model_validate(payload)
    except ValidationError as e:
        listed = "; ".join(f"{f.field}: {f.message}" for f in field_errors(e))
        return f"the payload does not validate: {listed}"


def refusal(name: str, reason: str) -> ApplicationError:
    """How a refused update fails: the reason, never retried."""
    return ApplicationError(f"{name} rejected: {reason}", type=REJECTED, non_retryable=True)


def parse_action(name: str, payload: Any) -> Action:
    """The action of an update; a payload that does not validate refuses the update."""
    action = read_action(name, payload)
    if isinstance(action, str):
        raise refusal(name, action)
    return action


class CaseEngineV1:
    def __init__(self, request: Any = None) -> None:
        self._lock = asyncio.Lock()
        self._tasks: list[asyncio.Task[None]] = []
        self._published: dict[str, Any] = {}
        self._archived: tuple[Any, ...] | None = None
        self._case = self._case_file(request)

    def _case_file(self, request: Any) -> CaseFile:
        info, now = workflow.info(), workflow.now()
        case_id = info.workflow_id.removeprefix(WORKFLOW_ID_PREFIX)
        try:
            valid = CaseRequest.model_validate(request)
        except ValidationError as e:
            return CaseFile.invalid(case_id, field_errors(e), now, info.run_id)
        problems = []
        if valid.case_id != case_id:
            problems.append(
                FieldError(
                    field="case_id",
                    message=f"{valid.case_id} does not match workflow id {info.workflow_id}; "
                    f"start it as {WORKFLOW_ID_PREFIX}{valid.case_id}",
                )
            )
        if valid.reported_at and valid.reported_at > now + CLOCK_SKEW:
            problems.append(FieldError(field="reported_at", message="is in the future"))
        if problems:
            return CaseFile.invalid(case_id, problems, now, info.run_id)
        return CaseFile.from_request(
            valid, valid.reported_at or info.workflow_start_time, info.run_id
        )

    @property
    def state(self) -> CaseState:
        return self._case.state

    async def run(self) -> CaseState:
        self._show()
        if not self._case.ended:
            await self._open()
        while not self._case.ended:
            self._carry_out_effects()
            await self._wait_for_news_or_clock()
        await workflow.wait_condition(workflow.all_handlers_finished)
        self._carry_out_effects(final=True)
        await asyncio.gather(*self._tasks)
        return self._case.state

    async def _open(self) -> None:
        s = self._case.state
        assert s.customer_id and s.equipment_serial and s.reported_at
        request = LookupRequest(
            case_id=s.case_id,
            customer_id=s.customer_id,
            equipment_serial=s.equipment_serial,
            reported_at=s.reported_at,
        )
        facts = await workflow.execute_activity(
            LOOKUP_EQUIPMENT,
            request,
            result_type=CaseFacts,
            start_to_close_timeout=ARCHIVE_TIMEOUT,
            retry_policy=ARCHIVE_RETRY,
        )
        if facts.found:
            self._case.open(facts, workflow.now())
        else:
            self._case.reject(facts.reason or "the equipment is not in the archive", workflow.now())

    async def _wait_for_news_or_clock(self) -> None:
        """Sleep until an action changes the case or the next warning or deadline is due."""
        version = self._case.state.version
        next_at = self._case.next_clock_event()
        if next_at is None:
            await workflow.wait_condition(lambda: self._case.state.version != version)
            return
        seconds = math.ceil((next_at - workflow.now()).total_seconds() * 1000) / 1000
        if seconds > 0:
            try:
                await workflow.wait_condition(
                    lambda: self._case.state.version != version, timeout=seconds
                )
            except TimeoutError:
                timer_fired(next_at)
        self._case.tick(workflow.now())

    # --- effects: each an idempotent activity, run beside the case so none blocks a clock ---

    def _carry_out_effects(self, final: bool = False) -> None:
        for effect in self._case.take_effects():
            self._tasks.append(asyncio.create_task(self._carry_out(effect)))
        self._publish(final)

    async def _carry_out(self, effect: Effect) -> None:
        try:
            match effect:
                case Notify():
                    await self._send_notice(effect)
                case BookCharge():
                    await self._book_and_deliver(effect)
                case ExtendWarranty():
                    await self._extend_warranty(effect)
        except ActivityError as e:
            cause = e.cause.message if isinstance(e.cause, ApplicationError) else str(e)
            self._case.record_failure(f"{type(effect).__name__} failed: {cause}", workflow.now())

    def _event_key(self, event: str) -> str:
        return f"{self._case.state.case_id}/{workflow.info().run_id}/{event}"

    async def _send_notice(self, notify: Notify) -> None:
        request = NoticeRequest(
            key=self._event_key(f"{notify.event}/{notify.audience}"),
            kind=notify.kind,
            audience=notify.audience,
            case=notify.case,
            sla=notify.sla,
        )
        sent = await workflow.execute_activity(
            SEND_NOTICE,
            request,
            result_type=NoticeResult,
            start_to_close_timeout=DELIVERY_TIMEOUT,
            retry_policy=DELIVERY_RETRY,
        )
        if sent.channel == "smtp" and not sent.delivered:
            self._case.record_failure(
                f"{notify.kind} notice to the {notify.audience} refused by the mail server "
                f"for {sent.recipient}",
                workflow.now(),
            )

    async def _book_and_deliver(self, booking: BookCharge) -> None:
        s = self._case.state
        await workflow.execute_activity(
            BOOK_CHARGE,
            ChargeBooking(
                charge=booking.charge,
                case_id=s.case_id,
                customer_id=s.customer_id,
                equipment_serial=s.equipment_serial,
                booked_at=workflow.now(),
            ),
            start_to_close_timeout=ARCHIVE_TIMEOUT,
            retry_policy=ARCHIVE_RETRY,
        )
        delivery = await workflow.execute_activity(
            DELIVER_CHARGE,
            ChargeDelivery(charge_id=booking.charge.id),
            result_type=DeliveryResult,
            start_to_close_timeout=DELIVERY_TIMEOUT,
            retry_policy=DELIVERY_RETRY,
        )
        if not delivery.delivered:
            self._case.record_failure(
                f"finance event {booking.charge.id} not delivered: {delivery.detail}",
                workflow.now(),
            )

    async def _extend_warranty(self, extension: ExtendWarranty) -> None:
        await workflow.execute_activity(
            EXTEND_WARRANTY,
            WarrantyExtension(
                key=self._event_key(extension.event),
                case_id=self._case.state.case_id,
                equipment_serial=extension.equipment_serial,
                days=extension.days,
            ),
            start_to_close_timeout=ARCHIVE_TIMEOUT,
            retry_policy=ARCHIVE_RETRY,
        )

    def _show(self) -> None:
        """The search attributes and the UI's current details, from the case as it stands."""
        state = self._case.state
        updates = search_attributes.changes(state, self._published)
        if updates:
            workflow.upsert_search_attributes(updates)
            self._published = search_attributes.values_of(state)
        workflow.set_current_details(current_details(state))

    def _publish(self, final: bool = False) -> None:
        """Keep the search attributes, the UI's current details and the archive current.

        The archive record is rewritten when a field it indexes changes, and once at the end
        with the whole timeline: a notice or a rejected signal alone is not worth a write."""
        self._show()
        state = self._case.state
        record = (final, *archived_fields(state))
        if record != self._archived:
            self._archived = record
            snapshot = ArchiveCase(state=state.model_copy(deep=True), run_id=workflow.info().run_id)
            self._tasks.append(asyncio.create_task(self._archive(snapshot)))

    async def _archive(self, snapshot: ArchiveCase) -> None:
        await workflow.execute_activity(
            ARCHIVE_CASE,
            snapshot,
            start_to_close_timeout=ARCHIVE_TIMEOUT,
            retry_policy=ARCHIVE_RETRY,
        )

    # --- actions: update and signal of the same name ---

    def validate(self, name: str, payload: Any) -> None:
        """Refuse a misfit before it enters history; an action that comes before the case is
        placed passes here and is judged by the handler once the case opens."""
        action = parse_action(name, payload)
        placed = self._case.opened or self._case.ended
        if placed and (reason := self._case.misfit(name, action, workflow.now())):
            raise refusal(name, reason)

    async def update(self, name: str, payload: Any) -> CaseState:
        action = parse_action(name, payload)
        async with self._lock:
            await workflow.wait_condition(lambda: self._case.opened or self._case.ended)
            if reason := self._case.take(name, action, workflow.now()):
                raise refusal(name, reason)
        return self._case.state

    async def signal(self, name: str, payload: Any) -> None:
        async with self._lock:
            await workflow.wait_condition(lambda: self._case.opened or self._case.ended)
            action = read_action(name, payload)
            reason = (
                action if isinstance(action, str) else self._case.take(name, action, workflow.now())
            )
            if reason:
                self._case.record_misfit(name, reason, workflow.now())
