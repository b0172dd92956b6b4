"""The v1.0 finance activities, for the cases opened under v1.0 (workflows/v1_0).

`book_charge` books the charge in the ledger once per charge id, as `record_case_event` does for
v1.1 cases; the worker's delivery relay delivers it. `deliver_charge` therefore sends nothing
and answers at once: `delivered` tells the v1.0 engine there is nothing to record, which holds
unless finance has already refused the event for good (then the engine records it, as before).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.archive.schema import LedgerEntry
from activities.delivery.doorbell import Doorbell
from activities.failures import fails_for_good_on_bad_data
from activities.finance import ledger
from activities.logging import case_logger
from activities.settings import Settings
from workflows.activity_io import (
    BOOK_CHARGE,
    DELIVER_CHARGE,
    ChargeBooking,
    ChargeDelivery,
    DeliveryResult,
)

NOT_BOOKED = "ChargeNotBooked"


class FinanceActivities:
    def __init__(
        self, settings: Settings, sessions: sessionmaker[Session], doorbell: Doorbell
    ) -> None:
        self._settings = settings
        self._sessions = sessions
        self._doorbell = doorbell

    def all(self) -> list[Callable[..., Any]]:
        return [self.book_charge, self.deliver_charge]

    @activity.defn(name=BOOK_CHARGE)
    @fails_for_good_on_bad_data
    def book_charge(self, booking: ChargeBooking) -> None:
        """One ledger row per charge id; a repeat finds the row and changes nothing."""
        charge = booking.charge
        with self._sessions.begin() as session:
            booked = ledger.book(session, booking, datetime.now(UTC))
        self._doorbell.ring()
        log = case_logger(booking.case_id, charge_id=charge.id)
        if booked:
            log.info("charge booked", kind=charge.kind, amount=str(charge.amount))
        else:
            log.info("charge already booked; nothing changed")

    @activity.defn(name=DELIVER_CHARGE)
    def deliver_charge(self, request: ChargeDelivery) -> DeliveryResult:
        """The relay delivers the charge; this reports where it stands and never waits."""
        with self._sessions() as session:
            entry = session.get(LedgerEntry, request.charge_id)
        if entry is None:
            raise ApplicationError(
                f"charge {request.charge_id} is not in the ledger",
                type=NOT_BOOKED,
                non_retryable=True,
            )
        if entry.delivery_status == ledger.FAILED:
            detail = entry.last_error or "refused by finance"
            return DeliveryResult(charge_id=entry.charge_id, delivered=False, detail=detail)
        detail = "delivered" if entry.delivery_status == "delivered" else "queued for the relay"
        return DeliveryResult(charge_id=entry.charge_id, delivered=True, detail=detail)
