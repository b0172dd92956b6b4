"""Delivering one booked charge to finance: the same stored body, until finance accepts it.

Shared by the `deliver_charge` activity (which turns `retry` into a Temporal retry with
back-off) and `repairdesk ledger --redeliver` (which prints each result).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from sqlalchemy.orm import Session, sessionmaker

from activities.archive.schema import LedgerEntry
from activities.finance import ledger, webhook
from activities.settings import Settings

# delivered: finance accepted it (now or before); pending: not sent, nowhere to send it yet;
# retry: no answer, or finance asked us to come back; refused: failed for good, kept `failed`.
Outcome = Literal["delivered", "pending", "retry", "refused"]


class ChargeNotBooked(LookupError):
    """Delivery was asked for a charge the ledger does not hold."""


@dataclass(frozen=True)
class Delivery:
    charge_id: str
    case_id: str
    outcome: Outcome
    detail: str
    retry_after: timedelta | None = None

    @property
    def delivered(self) -> bool:
        return self.outcome == "delivered"


def deliver(sessions: sessionmaker[Session], settings: Settings, charge_id: str) -> Delivery:
    """POST the charge's stored event unless finance already accepted it.

    On PostgreSQL the row stays locked for the one POST, so the worker and a person running
    `--redeliver` never send the same charge at the same moment."""
    with sessions.begin() as session:
        entry = session.get(LedgerEntry, charge_id, with_for_update=True)
        if entry is None:
            raise ChargeNotBooked(f"charge {charge_id} is not in the ledger")
        if entry.delivery_status == ledger.DELIVERED:
            return _result(entry, "delivered", "already delivered; not sent again")
        url, secret = settings.finance_webhook_url, settings.finance_webhook_secret
        if not url:
            return _result(entry, "pending", "REPAIRDESK_FINANCE_WEBHOOK_URL is not set")
        if not secret:
            detail = "REPAIRDESK_FINANCE_WEBHOOK_SECRET is not set: events are never sent unsigned"
            return _result(entry, "pending", detail)
        return _attempt(entry, url, secret)


def _result(
    entry: LedgerEntry, outcome: Outcome, detail: str, retry_after: timedelta | None = None
) -> Delivery:
    return Delivery(entry.charge_id, entry.case_id, outcome, detail, retry_after)


def _attempt(entry: LedgerEntry, url: str, secret: str) -> Delivery:
    try:
        answer = webhook.post(url, secret, entry.event.encode("utf-8"))
    except webhook.WebhookMisconfigured as e:
        ledger.record_refused(entry, str(e))
        return _result(entry, "refused", str(e))
    except webhook.WebhookUnreachable as e:
        ledger.record_transient_failure(entry, str(e))
        return _result(entry, "retry", f"finance webhook unreachable: {e}")
    outcome = f"HTTP {answer.status} {answer.snippet}".strip()
    if answer.accepted:
        ledger.record_delivered(entry, datetime.now(UTC))
        return _result(entry, "delivered", outcome)
    if answer.transient:
        ledger.record_transient_failure(entry, outcome)
        return _result(entry, "retry", outcome, answer.retry_after)
    ledger.record_refused(entry, outcome)
    return _result(entry, "refused", outcome)
