"""The ledger: one row per charge, booked once, with the finance event it is delivered as.

A row is `pending` until finance accepts its event (`delivered`), or `failed` when finance
refused it for good; the delivery relay (activities/delivery) sends the pending ones.
`repairdesk ledger --undelivered` lists the pending and the failed.
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
from activities.delivery.outcome import FAILED, PENDING
from activities.finance.cloudevents import charge_recorded, line_json
from workflows.activity_io import ChargeBooking

UNDELIVERED = (PENDING, FAILED)


def book(session: Session, booking: ChargeBooking, now: datetime) -> bool:
    """Record the charge and build its event in the caller's transaction, unless it is already
    booked (a retried activity, a replayed workflow or a restarted worker): then change
    nothing. Returns whether this call booked it. The relay delivers it from `now` on."""
    charge = booking.charge
    values = {
        "charge_id": charge.id,
        "case_id": booking.case_id,
        "customer_id": booking.customer_id,
        "equipment_serial": booking.equipment_serial,
        "kind": charge.kind,
        "payer": charge.payer,
        "amount": charge.amount,
        "currency": charge.currency,
        "coverage": charge.coverage.value if charge.coverage else None,
        "cause": charge.cause.value if charge.cause else None,
        "lines": [line_json(line) for line in charge.lines],
        "booked_at": booking.booked_at,
        "event": charge_recorded(booking),
        "delivery_status": PENDING,
        "attempts": 0,
        "next_attempt_at": now,
    }
    return insert_once(session, LedgerEntry, values)


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
