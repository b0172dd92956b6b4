"""The typed inputs and outputs of the two local activities IpDispute calls, and their names.

Like a v1.1 case, a dispute looks its parties up once (`lookup_dispute_parties`) and records
each change with `record_dispute_event`: the dispute's archive row, its new letters in the
outbox and its charge in the ledger, in one transaction. The worker's relay delivers the
letters and the finance events afterwards; the dispute never waits for a delivery.
"""

from __future__ import annotations

from datetime import datetime

from workflows.activity_io import NoticeOrder
from workflows.ip_messages import DisputeState
from workflows.messages import Charge, Message

LOOKUP_DISPUTE_PARTIES = "lookup_dispute_parties"
RECORD_DISPUTE_EVENT = "record_dispute_event"


class PartiesRequest(Message):
    dispute_id: str
    customer_id: str
    equipment_serial: str | None = None
    run_id: str | None = None  # the dispute's workflow run: its id must name no earlier dispute


class DisputeParties(Message):
    """What the archive knows of the customer and, when one is named, its equipment."""

    found: bool
    reason: str | None = None
    customer_name: str | None = None
    equipment_model: str | None = None
    site: str | None = None
    id_taken: bool = False  # the archive holds an earlier dispute under this id


class DisputeEvent(Message):
    """What one change of a dispute writes to the archive, in one transaction. Nothing here
    is delivered by the activity."""

    run_id: str
    at: datetime
    state: DisputeState
    notices: list[NoticeOrder] = []
    charges: list[Charge] = []
