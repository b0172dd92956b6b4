"""The two delivery queues, the outbox and the ledger, as the relay sees them: claim the rows
that are due, settle them after their attempts, release the claims it will not attempt.

A claim is a lease (`claimed_until`) taken in one short transaction. On PostgreSQL the rows are
selected `FOR UPDATE SKIP LOCKED`, so relays in several workers each take different rows and
none waits for another; a row whose lease ran out (its relay died mid-send) is due again. SQLite
ignores the row locks: run one relay per SQLite archive.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session, sessionmaker

from activities.archive.schema import LedgerEntry, Notice
from activities.delivery.outcome import PENDING

Row = Notice | LedgerEntry


@dataclass(frozen=True)
class Queue:
    name: str
    model: type[Notice] | type[LedgerEntry]
    key: InstrumentedAttribute[str]
    status: InstrumentedAttribute[str]

    def key_of(self, row: Any) -> str:
        return str(getattr(row, self.key.key))


NOTICES = Queue("notices", Notice, Notice.key, Notice.status)
LEDGER = Queue("ledger", LedgerEntry, LedgerEntry.charge_id, LedgerEntry.delivery_status)


def claim(
    sessions: sessionmaker[Session], queue: Queue, now: datetime, lease: timedelta, limit: int
) -> list[Any]:
    """Up to `limit` pending rows due by `now`, oldest due first, leased to the caller."""
    model = queue.model
    free = or_(model.claimed_until.is_(None), model.claimed_until <= now)
    query = (
        select(model)
        .where(queue.status == PENDING, model.next_attempt_at <= now, free)
        .order_by(model.next_attempt_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    with sessions.begin() as session:
        rows = list(session.scalars(query))
        for row in rows:
            row.claimed_until = now + lease
    return rows


def settle(
    sessions: sessionmaker[Session], queue: Queue, outcomes: Sequence[tuple[str, dict[str, Any]]]
) -> None:
    """Write each attempt's outcome (`outcome.changes`, by row key) to its row, ending its lease,
    in one transaction."""
    status = queue.status.key
    with sessions.begin() as session:
        for key, values in outcomes:
            columns = {status if name == "status" else name: v for name, v in values.items()}
            session.execute(update(queue.model).where(queue.key == key).values(**columns))


def release(sessions: sessionmaker[Session], queue: Queue, keys: Sequence[str]) -> None:
    """End the leases of rows claimed but not attempted (the relay is stopping)."""
    if not keys:
        return
    with sessions.begin() as session:
        session.execute(update(queue.model).where(queue.key.in_(keys)).values(claimed_until=None))
