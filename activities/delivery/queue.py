"""The two delivery queues, the outbox and the ledger, as the relay sees them: claim the rows
that are due, renew the claims while their attempts run, settle them after their attempts,
release the claims it will not attempt.

A claim is a short lease (`claimed_until`) taken in one short transaction. On PostgreSQL the
rows are selected `FOR UPDATE SKIP LOCKED`, so relays in several workers each take different
rows and none waits for another; a row whose lease ran out (its relay died mid-send) is due
again. SQLite ignores the row locks: run one relay per SQLite archive.

The `claimed_until` a relay last wrote is its token for the row: renewing, settling and
releasing change the row only while it still holds that value, so a relay whose lease ran out
and was taken by another relay changes nothing of the other's claim.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, Result, Update, or_, select, update
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


def renew(
    sessions: sessionmaker[Session], queue: Queue, held: Mapping[str, datetime], until: datetime
) -> dict[str, datetime]:
    """Extend to `until` the leases in `held` (row key: the `claimed_until` this relay last
    wrote) that are still this relay's, in one transaction; the renewed ones, by key."""
    renewed = {}
    with sessions.begin() as session:
        for key, token in held.items():
            result = session.execute(_held(queue, key, token).values(claimed_until=until))
            if _changed(result):
                renewed[key] = until
    return renewed


def settle(
    sessions: sessionmaker[Session],
    queue: Queue,
    held: Mapping[str, datetime],
    outcomes: Sequence[tuple[str, dict[str, Any]]],
) -> list[str]:
    """Write each attempt's outcome (`outcome.changes`, by row key) to its row, ending its lease,
    in one transaction; the keys of the rows written, those still held as `held` says."""
    status = queue.status.key
    written = []
    with sessions.begin() as session:
        for key, values in outcomes:
            columns = {status if name == "status" else name: v for name, v in values.items()}
            if _changed(session.execute(_held(queue, key, held[key]).values(**columns))):
                written.append(key)
    return written


def release(sessions: sessionmaker[Session], queue: Queue, held: Mapping[str, datetime]) -> None:
    """End the leases of rows claimed but not attempted (the relay is stopping)."""
    if not held:
        return
    with sessions.begin() as session:
        for key, token in held.items():
            session.execute(_held(queue, key, token).values(claimed_until=None))


def _held(queue: Queue, key: str, token: datetime) -> Update:
    return update(queue.model).where(queue.key == key, queue.model.claimed_until == token)


def _changed(result: Result[Any]) -> bool:
    """Whether an UPDATE of one row by its key and token found it (its result has a count)."""
    return cast(CursorResult[Any], result).rowcount == 1
