"""The `record_case_event` and `open_case` activities: everything one change of a case writes,
in one transaction.

The case row (an older version of the same run changes nothing), the new letters in the outbox
(once per key, rendered from the case in the addressee's language), the new charges in the
ledger (once per charge id, the CloudEvent body built now), a clause 7 warranty extension (once
per key); then the equipment's warranty end as the archive now has it, which the case row keeps
too. Retried after a crash it changes nothing more. Nothing is delivered here: the worker's
relay sends the rows, rung awake once they are committed.

`open_case` (v1.3) places a new case and writes its opening the same way, in the transaction
that read the equipment: the case row and the first letters of the case as the workflow opens
it (`workflows/case_events.opening_event`, from the request, the facts and the workflow's time),
and answers the facts with the digest of that case.

They are sync (the database blocks) and short: a v1.2 or v1.3 case runs them as ordinary
activities, a v1.1 case runs `record_case_event` as a local one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.archive.case_rows import case_row, held_by_earlier_case, upsert_case
from activities.archive.db import transient
from activities.archive.placement import place
from activities.archive.schema import CaseRecord, Equipment
from activities.archive.warranty import extend_once, open_cases_on
from activities.delivery.doorbell import Doorbell
from activities.finance import ledger
from activities.logging import case_logger
from activities.notices import outbox
from activities.settings import Settings
from workflows.activity_io import (
    OPEN_CASE,
    RECORD_CASE_EVENT,
    CaseEvent,
    CaseFacts,
    CaseOpened,
    ChargeBooking,
    EventRecorded,
    OpenCase,
    WarrantyExtension,
)
from workflows.case_events import opening_event
from workflows.messages import CaseState, Charge
from workflows.rules import warranty_ends_on

# Error types the workflow sees: the first is retried, the second never (a retry cannot fix it).
ARCHIVE_UNAVAILABLE = "ArchiveUnavailable"
EVENT_REFUSED = "CaseEventRefused"


def failure(case_id: str, error: Exception) -> ApplicationError:
    if isinstance(error, ApplicationError):
        return error
    if transient(error):
        return ApplicationError(
            f"case {case_id}: the archive is unavailable, retrying: {error}",
            type=ARCHIVE_UNAVAILABLE,
        )
    return ApplicationError(
        f"case {case_id}: the event cannot be recorded ({type(error).__name__}: {error})",
        type=EVENT_REFUSED,
        non_retryable=True,
    )


class Written(NamedTuple):
    """What one record wrote: the case row's case, the warranty end it holds, how many letters
    and charges were new."""

    state: CaseState
    warranty_end: date | None
    letters: int
    charges: int
    also_open: list[str]  # the other open cases on the equipment, when it was extended


class CaseEventActivities:
    def __init__(
        self, settings: Settings, sessions: sessionmaker[Session], doorbell: Doorbell
    ) -> None:
        self._settings = settings
        self._sessions = sessions
        self._doorbell = doorbell

    def all(self) -> list[Callable[..., Any]]:
        return [self.record_case_event, self.open_case]

    @activity.defn(name=RECORD_CASE_EVENT)
    def record_case_event(self, event: CaseEvent) -> EventRecorded:
        try:
            with self._sessions.begin() as session:
                written = self._write(session, event)
        except Exception as error:
            raise _failed(event.case_id, event.version, error) from error
        self._after_commit(event, written)
        return EventRecorded(warranty_ends_on=written.warranty_end, also_open=written.also_open)

    @activity.defn(name=OPEN_CASE)
    def open_case(self, order: OpenCase) -> CaseOpened:
        case_id = order.request.case_id
        try:
            with self._sessions.begin() as session:
                if held := held_by_earlier_case(session, case_id, order.run_id):
                    case_logger(case_id).warning("case id refused", reason=held)
                    return CaseOpened(facts=CaseFacts(found=False, id_taken=True, reason=held))
                facts = place(session, order.lookup(), self._settings)
                if not facts.found:
                    return CaseOpened(facts=facts)
                event, digest = opening_event(order, facts)
                written = self._write(session, event)
        except Exception as error:
            raise _failed(case_id, None, error) from error
        self._after_commit(event, written)
        return CaseOpened(facts=facts, digest=digest, warranty_ends_on=written.warranty_end)

    def _write(self, session: Session, event: CaseEvent) -> Written:
        # A whole case could be written over another run's row: ask first. Changes are applied
        # only to this run's own row (`_whole` refuses another's), so they need no extra read.
        if event.state is not None and (
            held := held_by_earlier_case(session, event.case_id, event.run_id)
        ):
            raise ApplicationError(held, type=EVENT_REFUSED, non_retryable=True)
        now = datetime.now(UTC)
        also_open = []
        if event.extension:
            _extend(session, event.extension)
            also_open = open_cases_on(session, event.extension.equipment_serial, event.case_id)
        state = _whole(session, event)
        warranty_end = _warranty_end(session, state)
        if warranty_end is not None:
            state = state.model_copy(update={"warranty_ends_on": warranty_end})
        upsert_case(session, case_row(state, event.run_id, now))
        letters = sum(
            outbox.record(
                session,
                outbox.draft(o.key, o.kind, o.audience, o.sla, state, self._settings),
                event.at,
                now,
            )
            for o in event.notices
        )
        charges = sum(
            ledger.book(session, _booking(state, charge, event.at), now) for charge in event.charges
        )
        return Written(state, warranty_end, letters, charges, also_open)

    def _after_commit(self, event: CaseEvent, written: Written) -> None:
        """Committed: wake the relay for the new rows, and say what was written."""
        self._doorbell.ring()
        case_logger(event.case_id, version=event.version).info(
            "case event recorded",
            status=written.state.status.value,
            letters_written=written.letters,
            charges_booked=written.charges,
            warranty_ends_on=str(written.warranty_end) if written.warranty_end else None,
        )


def _whole(session: Session, event: CaseEvent) -> CaseState:
    """The case the event describes: its `state`, or the archive's row of this run with the
    event's changes (and its new timeline entries after the row's first `timeline_from`)."""
    if event.state is not None:
        return event.state
    cases = CaseRecord.__table__.c
    row = session.execute(
        select(cases.run_id, cases.state).where(cases.case_id == event.case_id)
    ).first()
    if row is None or row.run_id != event.run_id:
        raise ValueError(f"the archive has no row of run {event.run_id} to apply changes to")
    held = row.state.get("timeline", [])
    if len(held) < event.timeline_from:
        raise ValueError(
            f"the archive holds {len(held)} timeline entries of run {event.run_id}, "
            f"the event builds on {event.timeline_from}"
        )
    return event.applied_to(row.state)


def _failed(case_id: str, version: int | None, error: Exception) -> ApplicationError:
    failed = failure(case_id, error)
    _log_failure(case_id, version, failed)
    return failed


def _log_failure(case_id: str, version: int | None, failed: ApplicationError) -> None:
    """Every failed attempt is seen: a retry while the archive is down logs a warning with the
    attempt number (the workflow retries without end), a refusal for good an error."""
    log = case_logger(case_id, version=version)
    if failed.non_retryable:
        log.error("case event refused for good", error=failed.message)
        return
    attempt = activity.info().attempt if activity.in_activity() else None
    log.warning(
        "case event not recorded; the archive is retried", attempt=attempt, error=failed.message
    )


def _extend(session: Session, extension: WarrantyExtension) -> None:
    if session.get(Equipment, extension.equipment_serial) is None:
        raise ValueError(f"equipment serial {extension.equipment_serial} is not in the archive")
    extend_once(session, extension)


def _warranty_end(session: Session, state: CaseState) -> date | None:
    """The warranty end of the case's equipment, read now; None when the archive does not have
    that serial for the case's customer (the look-up placed no equipment either)."""
    if not state.equipment_serial:
        return None
    machines = Equipment.__table__.c
    row = session.execute(
        select(
            machines.customer_id,
            machines.warranty_start,
            machines.warranty_months,
            machines.extension_days,
        ).where(machines.serial == state.equipment_serial)
    ).first()
    if row is None or row.customer_id != state.customer_id:
        return None
    return warranty_ends_on(row.warranty_start, row.warranty_months, row.extension_days)


def _booking(state: CaseState, charge: Charge, at: datetime) -> ChargeBooking:
    return ChargeBooking(
        charge=charge,
        case_id=state.case_id,
        customer_id=state.customer_id,
        equipment_serial=state.equipment_serial,
        booked_at=at,
    )
