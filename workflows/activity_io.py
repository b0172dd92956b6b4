"""The typed inputs and outputs of the activities RepairCase calls, and their names.

The workflow calls activities by these names, so it imports no I/O code; `activities/`
implements them with exactly these types.

Since v1.3 a case calls `open_case` once, which places it (the look-up) and writes its case row
and first letters in one transaction, and `record_case_event` for each later change worth
keeping, which writes the case row, its letters, its charges and a warranty extension in one
transaction; letters and finance events are then delivered by the worker's relay, off the
case's path. A case opened under v1.1 or v1.2 calls `lookup_equipment` instead of `open_case`
(local activities for a case opened under v1.1). `send_notice`,
`archive_case`, `book_charge`, `deliver_charge` and `extend_warranty` are the v1.0 activities,
still served for the cases opened under v1.0 (workflows/v1_0)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, Literal

from workflows.messages import CaseRequest, CaseState, Charge, Coverage, Message, Sla, Terms

LOOKUP_EQUIPMENT = "lookup_equipment"
ARCHIVE_CASE = "archive_case"
SEND_NOTICE = "send_notice"
BOOK_CHARGE = "book_charge"
DELIVER_CHARGE = "deliver_charge"
EXTEND_WARRANTY = "extend_warranty"
RECORD_CASE_EVENT = "record_case_event"
OPEN_CASE = "open_case"
COUNT_DOWNTIME = "count_downtime"

Audience = Literal["customer", "office", "manager", "executive"]


class LookupRequest(Message):
    case_id: str
    customer_id: str
    equipment_serial: str
    reported_at: datetime


class CaseFacts(Message):
    """What the archive knows of the equipment, and the terms in force for its customer."""

    found: bool
    reason: str | None = None
    customer_name: str | None = None
    equipment_model: str | None = None
    site: str | None = None
    warranty_ends_on: date | None = None
    coverage: Coverage | None = None
    terms: Terms = Terms()
    timezone: str | None = None
    id_taken: bool = False  # the archive holds an earlier case under this id (`reason` says)


class ArchiveCase(Message):
    state: CaseState
    run_id: str


class NoticeRequest(Message):
    """A notice to send once: `key` is derived from the case, its run and the event."""

    key: str
    kind: str
    audience: Audience
    case: CaseState
    sla: Sla | None = None


class NoticeResult(Message):
    key: str
    recipient: str | None = None
    channel: Literal["smtp", "outbox"]
    delivered: bool


class ChargeBooking(Message):
    charge: Charge
    case_id: str
    customer_id: str | None
    equipment_serial: str | None
    booked_at: datetime


class ChargeDelivery(Message):
    charge_id: str


class DeliveryResult(Message):
    charge_id: str
    delivered: bool
    detail: str = ""


class WarrantyExtension(Message):
    key: str
    case_id: str
    equipment_serial: str
    days: int


class ExtensionResult(Message):
    equipment_serial: str
    warranty_ends_on: date


class NoticeOrder(Message):
    """A letter to write to the outbox once; `key` is derived from the case, its run and the
    event, and is the letter's identity for ever (its Message-ID is made from it)."""

    key: str
    kind: str
    audience: Audience
    sla: Sla | None = None


class CaseEvent(Message):
    """What one change of a case writes to the archive, in one transaction: the case row (the
    archive's copy of the case, from which the letters are rendered), its new letters, its new
    charges and a clause 7 warranty extension. Nothing here is delivered by the activity.

    The case comes whole (`state`: a case's first record, or the next after a refused one), or
    as what changed since the archive's row of this run (an ordinary activity's input stays in
    the case's history, so a record does not copy the whole case, its contact included, into it
    again): `changed` holds each top-level field of `CaseState` whose JSON differs from that
    row's, except `timeline`, of which it holds only the entries after the row's first
    `timeline_from`."""

    run_id: str
    at: datetime
    case_id: str
    version: int
    state: CaseState | None = None
    changed: dict[str, Any] = {}
    timeline_from: int = 0
    notices: list[NoticeOrder] = []
    charges: list[Charge] = []
    extension: WarrantyExtension | None = None

    def applied_to(self, held: dict[str, Any]) -> CaseState:
        """The case these changes make of `held` (the archive's copy of this run, as JSON)."""
        earlier = held.get("timeline", [])[: self.timeline_from]
        timeline = [*earlier, *self.changed.get("timeline", [])]
        return CaseState.model_validate({**held, **self.changed, "timeline": timeline})


class EventRecorded(Message):
    """The equipment's warranty end as the archive now has it (every clause 7 extension of
    every case on that serial), or None when the case has no equipment in the archive; and,
    when the record carried a clause 7 extension, the other cases on that equipment still open
    (their ids), which the workflow tells of the new end (signal `warranty_extended`)."""

    warranty_ends_on: date | None = None
    also_open: list[str] = []


class DowntimeStretch(Message):
    """Clause 7 (v1.4): a repair's stretch of downtime for the archive to count once, keyed by
    the case and its run (a retry finds its first count)."""

    key: str
    case_id: str
    equipment_serial: str
    stopped_at: datetime
    restored_at: datetime


class DowntimeCounted(Message):
    """The archive's count of a stretch: the downtime no earlier stretch of the equipment held,
    the days it added to the warranty (the union of the stretches, in whole days up, less what
    the earlier ones earned), the warranty end the archive now holds, and the other cases open
    on the equipment when the end moved (to be told: signal `warranty_extended`)."""

    downtime: timedelta
    days: int
    warranty_ends_on: date
    also_open: list[str] = []


class OpenCase(Message):
    """Place a new case and write its opening (v1.3): the request as the workflow validated it,
    the report time its clocks run from, and `at`, the workflow's time when it asked, which is
    the time of the opening."""

    run_id: str
    at: datetime
    request: CaseRequest
    reported_at: datetime

    def lookup(self) -> LookupRequest:
        return LookupRequest(
            case_id=self.request.case_id,
            customer_id=self.request.customer_id,
            equipment_serial=self.request.equipment_serial,
            reported_at=self.reported_at,
        )


class CaseOpened(Message):
    """What the archive knows of the equipment; when it placed the case, the digest of the case
    it opened and recorded (`workflows/case_events.digest`) and the equipment's warranty end as
    the archive now has it."""

    facts: CaseFacts
    digest: str | None = None
    warranty_ends_on: date | None = None
