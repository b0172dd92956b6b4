"""The claims one relay pass holds, renewed for as long as it holds them.

A pass claims a few rows for a short lease (`REPAIRDESK_DELIVERY_LEASE`, 30 s by default) and,
while it still holds them (attempting one, or waiting to), extends the lease every third of it.
A relay that dies stops renewing: its rows are due again when their lease ends, so a crash
delays a delivery by at most the lease and one poll (contract v1.2: within 60 s). An attempt
that is slow but alive keeps its rows claimed, so no other relay sends them meanwhile.

A renewal that finds a row taken by another relay (this one could not renew in time) drops the
row: it is not attempted, and an attempt already in flight is not recorded (queue.py's tokens).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from activities.delivery.queue import Queue, release, renew, settle

# Renewals per lease: two may fail (a database restarting) before the lease runs out.
RENEWALS_PER_LEASE = 3


class Claims:
    def __init__(
        self, sessions: sessionmaker[Session], queue: Queue, rows: Sequence[Any], lease: timedelta
    ) -> None:
        self._sessions = sessions
        self._queue = queue
        self._lease = lease
        self._every = lease.total_seconds() / RENEWALS_PER_LEASE
        self._held = {queue.key_of(row): row.claimed_until for row in rows}
        self._renewed = time.monotonic()
        self._log = structlog.get_logger("repairdesk.relay").bind(queue=queue.name)

    def holds(self, row: Any) -> bool:
        return self._queue.key_of(row) in self._held

    def due_in(self) -> float:
        """Seconds until the next renewal is due (0: it is due now)."""
        return max(0.0, self._renewed + self._every - time.monotonic())

    async def renew_if_due(self) -> None:
        if self._held and self.due_in() == 0:
            await self.renew()

    async def renew(self) -> None:
        """Extend the leases still held; forget those another relay has taken."""
        self._renewed = time.monotonic()
        until = datetime.now(UTC) + self._lease
        try:
            renewed = await asyncio.to_thread(
                renew, self._sessions, self._queue, dict(self._held), until
            )
        except SQLAlchemyError as error:
            self._log.warning("could not renew the claims; trying again", error=str(error))
            return
        for key in self._held.keys() - renewed.keys():
            self._log.warning("claim taken over by another relay; left to it", key=key)
        self._held = renewed

    async def settle(self, outcomes: Sequence[tuple[str, dict[str, Any]]]) -> list[str]:
        """Record the outcomes of rows still held (queue.settle); the keys recorded. Raises
        SQLAlchemyError, the rows then staying claimed until their lease ends."""
        held = {key: self._held[key] for key, _ in outcomes if key in self._held}
        mine = [(key, values) for key, values in outcomes if key in held]
        for key, _ in outcomes:
            self._held.pop(key, None)
        written = await asyncio.to_thread(settle, self._sessions, self._queue, held, mine)
        for key in held.keys() - set(written):
            self._log.warning("claim taken over by another relay; its outcome left to it", key=key)
        return written

    async def release(self) -> None:
        """Hand back every row still held, unattempted (the relay is stopping)."""
        held, self._held = self._held, {}
        try:
            await asyncio.to_thread(release, self._sessions, self._queue, held)
        except SQLAlchemyError as error:
            self._log.warning("claimed rows wait for their lease to end", error=str(error))
