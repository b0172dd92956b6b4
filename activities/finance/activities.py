"""The finance activities RepairCase calls: book a charge in the ledger, deliver its event.

Both are synchronous (database and HTTP calls block) and run in the worker's thread pool.
Both are idempotent by charge id, so Temporal may retry them without limit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.archive.db import archive
from activities.failures import fails_for_good_on_bad_data
from activities.finance import ledger
from activities.finance.delivery import ChargeNotBooked, deliver
from activities.logging import case_logger
from activities.settings import Settings
from workflows.activity_io import (
    BOOK_CHARGE,
    DELIVER_CHARGE,
    ChargeBooking,
    ChargeDelivery,
    DeliveryResult,
)

RETRY_LATER = "FinanceWebhookUnavailable"
NOT_BOOKED = "ChargeNotBooked"


class FinanceActivities:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._sessions = archive(settings.database_url)

    def all(self) -> list[Callable[..., Any]]:
        return [self.book_charge, self.deliver_charge]

    @activity.defn(name=BOOK_CHARGE)
    @fails_for_good_on_bad_data
    def book_charge(self, booking: ChargeBooking) -> None:
        """One ledger row per charge id; a repeat finds the row and changes nothing."""
        charge = booking.charge
        log = case_logger(booking.case_id, charge_id=charge.id)
        if ledger.book(self._sessions, booking):
            log.info("charge booked", kind=charge.kind, amount=str(charge.amount))
        else:
            log.info("charge already booked; nothing changed")

    @activity.defn(name=DELIVER_CHARGE)
    def deliver_charge(self, request: ChargeDelivery) -> DeliveryResult:
        """Raises (so Temporal retries with back-off) while finance cannot be reached or asks
        us to come back; returns once finance accepted the event, refused it for good, or
        there is no webhook to send it to."""
        try:
            result = deliver(self._sessions, self._settings, request.charge_id)
        except ChargeNotBooked as e:
            raise ApplicationError(str(e), type=NOT_BOOKED, non_retryable=True) from e
        log = case_logger(result.case_id, charge_id=result.charge_id, detail=result.detail)
        if result.outcome == "retry":
            log.warning("finance event not accepted yet; retrying")
            raise ApplicationError(
                f"finance did not accept charge {result.charge_id}: {result.detail}",
                type=RETRY_LATER,
                next_retry_delay=result.retry_after,
            )
        if result.outcome == "refused":
            log.error("finance refused the event for good; marked failed in the ledger")
        elif result.outcome == "pending":
            log.warning("finance event left pending: the webhook is not configured")
        else:
            log.info("finance event delivered")
        return DeliveryResult(
            charge_id=result.charge_id, delivered=result.delivered, detail=result.detail
        )
