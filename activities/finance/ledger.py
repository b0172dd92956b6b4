"""The ledger: one row per charge, booked once, with the finance event it is delivered as.

A row is `pending` until finance accepts its event (`delivered`), or `failed` when finance
refused it for good; `repairdesk ledger --undelivered` lists the pending and the failed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from activities.archive.once import insert_once
from activities.archive.schema import LedgerEntry
from activities.finance.cloudevents import charge_recorded, line_json
from workflows.activity_io import ChargeBooking

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"
UNDELIVERED = (PENDING, FAILED)


def book(sessions: sessionmaker[Session], booking: ChargeBooking) -> bool:
    """Record the charge and build its event, unless it is already booked (a retried
    activity, a replayed workflow or a restarted worker): then change nothing.
    Returns whether this call booked it."""
    charge = booking.charge

    def entry() -> LedgerEntry:
        return LedgerEntry(
            charge_id=charge.id,
            case_id=booking.case_id,
            customer_id=booking.customer_id,
            equipment_serial=booking.equipment_serial,
            kind=charge.kind,
            payer=charge.payer,
            amount=charge.amount,
            currency=charge.currency,
            coverage=charge.coverage.value if charge.coverage else None,
            cause=charge.cause.value if charge.cause else None,
            lines=[line_json(line) for line in charge.lines],
            booked_at=booking.booked_at,
            event=charge_recorded(booking),
            delivery_status=PENDING,
            attempts=0,
        )

    _, booked = insert_once(sessions, LedgerEntry, charge.id, entry)
    return booked


def entries(
    sessions: sessionmaker[Session],
    case_id: str | None = None,
    customer_id: str | None = None,
    undelivered: bool = False,
) -> list[LedgerEntry]:
    query = select(LedgerEntry).order_by(LedgerEntry.booked_at, LedgerEntry.charge_id)
    if case_id:
        query = query.where(LedgerEntry.case_id == case_id)
    if customer_id:
        query = query.where(LedgerEntry.customer_id == customer_id)
    if undelivered:
        query = query.where(LedgerEntry.delivery_status.in_(UNDELIVERED))
    with sessions() as session:
        return list(session.scalars(query))


@dataclass(frozen=True)
class Total:
    currency: str
    payer: str
    amount: Decimal
    charges: int


def totals(rows: Iterable[LedgerEntry]) -> list[Total]:
    """Sums per currency and payer: amounts in different currencies are never added."""
    sums: dict[tuple[str, str], list[Decimal]] = defaultdict(list)
    for row in rows:
        sums[(row.currency, row.payer)].append(row.amount)
    return [
        Total(currency, payer, sum(amounts, Decimal("0.00")), len(amounts))
        for (currency, payer), amounts in sorted(sums.items())
    ]


def record_delivered(entry: LedgerEntry, at: datetime) -> None:
    entry.attempts += 1
    entry.delivery_status, entry.delivered_at, entry.last_error = DELIVERED, at, None


def record_transient_failure(entry: LedgerEntry, error: str) -> None:
    """Finance did not answer or asked us to come back: the status stays as it was."""
    entry.attempts += 1
    entry.last_error = error


def record_refused(entry: LedgerEntry, error: str) -> None:
    """Finance refused the event for good (or the URL cannot work): kept as `failed` for a
    person to look at and redeliver, never dropped."""
    entry.attempts += 1
    entry.delivery_status, entry.last_error = FAILED, error
