"""The typed inputs and outputs of the activities RepairCase calls, and their names.

The workflow calls activities by these names, so it imports no I/O code; `activities/`
implements them with exactly these types.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from workflows.v1_0.messages import CaseState, Charge, Coverage, Message, Sla, Terms

LOOKUP_EQUIPMENT = "lookup_equipment"
ARCHIVE_CASE = "archive_case"
SEND_NOTICE = "send_notice"
BOOK_CHARGE = "book_charge"
DELIVER_CHARGE = "deliver_charge"
EXTEND_WARRANTY = "extend_warranty"

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
