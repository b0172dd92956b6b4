"""Delivering one booked charge to finance: the same stored body, until finance accepts it.

`attempt` is one signed POST and what it came to; the delivery relay (activities/delivery)
calls it for each due ledger row, and `repairdesk ledger --redeliver` through `deliver`, which
prints each result.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from sqlalchemy.orm import Session, sessionmaker

from activities.archive.schema import LedgerEntry
from activities.delivery.outcome import DELIVERED, Result, changes
from activities.finance import webhook
from activities.settings import Settings

# delivered: finance accepted it (now or before); pending: not sent, nowhere to send it yet or
# the relay is sending it; retry: no answer, or finance asked us to come back (the relay will);
# refused: failed for good, kept `failed`.
Outcome = Literal["delivered", "pending", "retry", "refused"]


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


def attempt(url: str, secret: str, body: bytes) -> Result:
    """POST `body` signed once, and sort the answer (see docs/decisions.md, "Finance events")."""
    try:
        answer = webhook.post(url, secret, body)
    except webhook.WebhookMisconfigured as e:
        return Result("refused", str(e))
    except webhook.WebhookUnreachable as e:
        return Result("retry", f"finance webhook unreachable: {e}", whole_channel=True)
    detail = f"HTTP {answer.status} {answer.snippet}".strip()
    if answer.accepted:
        return Result("delivered", detail)
    if answer.transient:
        return Result("retry", detail, answer.retry_after)
    return Result("refused", detail)


def deliver(sessions: sessionmaker[Session], settings: Settings, charge_id: str) -> Delivery:
    """POST the charge's stored event now unless finance already accepted it.

    The row stays locked for the one POST (on PostgreSQL the relays skip it meanwhile), and a
    row a relay has leased is left to that relay, so no charge is sent twice at once."""
    now = datetime.now(UTC)
    with sessions.begin() as session:
        entry = session.get(LedgerEntry, charge_id, with_for_update=True)
        if entry is None:
            raise LookupError(f"charge {charge_id} is not in the ledger")
        if entry.delivery_status == DELIVERED:
            return _result(entry, "delivered", "already delivered; not sent again")
        if entry.claimed_until is not None and entry.claimed_until > now:
            return _result(entry, "pending", "the worker's delivery relay is sending it now")
        url, secret = settings.finance_webhook_url, settings.finance_webhook_secret
        if not url:
            return _result(entry, "pending", "REPAIRDESK_FINANCE_WEBHOOK_URL is not set")
        if not secret:
            detail = "REPAIRDESK_FINANCE_WEBHOOK_SECRET is not set: events are never sent unsigned"
            return _result(entry, "pending", detail)
        result = attempt(url, secret, entry.event.encode("utf-8"))
        values = changes(result, entry.attempts + 1, datetime.now(UTC), settings)
        values["delivery_status"] = values.pop("status")
        for name, value in values.items():
            setattr(entry, name, value)
        return _result(entry, result.outcome, result.detail, result.retry_after)


def _result(
    entry: LedgerEntry, outcome: Outcome, detail: str, retry_after: timedelta | None = None
) -> Delivery:
    return Delivery(entry.charge_id, entry.case_id, outcome, detail, retry_after)
