"""The delivery relay: runs in the worker process beside the workflows and drains the outbox
and the ledger, one asyncio task per channel.

Each pass claims a few due rows (queue.claim: a short lease, `SKIP LOCKED` on PostgreSQL),
attempts them one by one in a thread (SMTP and HTTP block), renewing their leases meanwhile
(lease.Claims: a dead relay's rows are free again within the lease), and settles each:
delivered, refused for good (`failed`), or due again after an exponential backoff. A row
refused for good, or failing `REPAIRDESK_DELIVERY_WARN_AFTER` times, warns its case once
(signal `delivery_problem`). The relay wakes at once when this process records rows (the
doorbell) and every `REPAIRDESK_DELIVERY_POLL` for rows other processes wrote. `stop()` lets
the attempt in flight finish and be settled, and hands the other claimed rows back.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime
from typing import Any

import structlog
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from temporalio.client import Client

from activities.archive.db import transient
from activities.delivery.channels import Channel, channels
from activities.delivery.doorbell import Doorbell
from activities.delivery.lease import Claims
from activities.delivery.outcome import Result, changes, worth_a_warning
from activities.delivery.problems import tell_the_case
from activities.delivery.queue import claim
from activities.logging import case_logger
from activities.settings import Settings

# Rows claimed per pass: their leases are renewed until each is attempted, so a few rows
# share one connection to the mail server without another relay taking the last of them.
BATCH = 5


class Relay:
    def __init__(
        self,
        client: Client,
        settings: Settings,
        sessions: sessionmaker[Session],
        doorbell: Doorbell,
    ) -> None:
        self._client = client
        self._settings = settings
        self._sessions = sessions
        self._doorbell = doorbell
        self._channels = channels(settings)
        self._wakes: list[asyncio.Event] = []
        self._stopping = False
        self._log = structlog.get_logger("repairdesk.relay")

    async def run(self) -> None:
        """Deliver until `stop()`."""
        names = [channel.queue.name for channel in self._channels]
        self._log.info("delivery relay started", queues=names)
        await asyncio.gather(*(self._drain(channel) for channel in self._channels))
        self._log.info("delivery relay stopped")

    def stop(self) -> None:
        self._stopping = True
        for wake in self._wakes:
            wake.set()

    async def _drain(self, channel: Channel) -> None:
        wake = self._doorbell.listener()
        self._wakes.append(wake)
        poll = self._settings.delivery_poll.total_seconds()
        while not self._stopping:
            wake.clear()
            if await self._pass(channel) or self._stopping:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), poll)

    async def _pass(self, channel: Channel) -> bool:
        """Attempt the rows due now; True when there were any (there may be more)."""
        queue, now = channel.queue, datetime.now(UTC)
        try:
            rows = await asyncio.to_thread(
                claim, self._sessions, queue, now, self._settings.delivery_lease, BATCH
            )
        except SQLAlchemyError as error:
            self._log.warning("archive unavailable; delivery waits", error=str(error))
            return False
        except Exception:  # a bug must not stop the relay: the next pass tries again
            self._log.exception("could not claim rows to deliver", queue=queue.name)
            return False
        claims = Claims(self._sessions, queue, rows, self._settings.delivery_lease)
        for index, row in enumerate(rows):
            if self._stopping:
                await claims.release()
                break
            result = await self._attempt(channel, claims, row)
            if result is None:
                continue
            if result.whole_channel:  # the rest would meet the same: each counts an attempt
                await self._settle(channel, claims, rows[index:], result)
                break
            await self._settle(channel, claims, [row], result)
        return bool(rows)

    async def _attempt(self, channel: Channel, claims: Claims, row: Any) -> Result | None:
        """Attempt `row`, renewing the pass's claims while it runs; None when its claim was
        taken over before the attempt began."""
        await claims.renew_if_due()
        if not claims.holds(row):
            return None
        sending = asyncio.ensure_future(self._send(channel, row))
        while True:
            done, _ = await asyncio.wait({sending}, timeout=claims.due_in())
            if done:
                return sending.result()
            await claims.renew()

    async def _send(self, channel: Channel, row: Any) -> Result:
        try:
            return await asyncio.to_thread(channel.send, row)
        except Exception as error:  # a bug must not stop the relay: the row is retried later
            self._logger(channel, row).exception("delivery attempt failed unexpectedly")
            return Result("retry", f"{type(error).__name__}: {error}")

    async def _settle(
        self, channel: Channel, claims: Claims, rows: list[Any], result: Result
    ) -> None:
        """Record `result` as one more attempt of each of `rows` still claimed, in one
        transaction, and warn the cases that should hear of it."""
        queue, now = channel.queue, datetime.now(UTC)
        logs = [self._logger(channel, row) for row in rows]
        outcomes, warned = [], []
        for row, log in zip(rows, logs, strict=True):
            attempts = row.attempts + 1
            values = changes(result, attempts, now, self._settings)
            if worth_a_warning(result, attempts, row.warned_at is not None, self._settings):
                values["warned_at"] = now
                warned.append((row, attempts, log))
            outcomes.append((queue.key_of(row), values))
        try:
            written = set(await claims.settle(outcomes))
        except SQLAlchemyError as error:
            # A database restarting is expected and heals (the lease runs out, the row is sent
            # again under its key); anything else is a bug worth an error.
            for log in logs:
                report = log.warning if transient(error) else log.error
                report("could not record the delivery; its lease runs out", error=str(error))
            return
        for log, (key, values) in zip(logs, outcomes, strict=True):
            if key in written:
                self._report(log, result, values)
        for row, attempts, log in warned:
            if queue.key_of(row) not in written:
                continue
            problem = channel.problem(row, result, attempts)
            await tell_the_case(self._client, row.case_id, row.kind, problem, log)

    @staticmethod
    def _logger(channel: Channel, row: Any) -> Any:
        queue = channel.queue
        return case_logger(row.case_id, queue=queue.name, key=queue.key_of(row))

    @staticmethod
    def _report(log: Any, result: Result, values: dict[str, Any]) -> None:
        attempts = values["attempts"]
        if result.outcome == "delivered":
            log.info("delivered", attempts=attempts, detail=result.detail)
        elif result.outcome == "refused":
            log.error("refused for good; kept as failed", attempts=attempts, error=result.detail)
        else:
            due = values["next_attempt_at"].isoformat()
            log.warning("not delivered yet", attempts=attempts, error=result.detail, retry_at=due)
