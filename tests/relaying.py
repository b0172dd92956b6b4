"""Running the delivery relay in a test, as the worker runs it, and waiting for what it does."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import select
from temporalio.client import Client

from activities.archive.db import archive
from activities.archive.schema import LedgerEntry, Notice
from activities.delivery.doorbell import Doorbell
from activities.delivery.relay import Relay
from activities.settings import Settings


@asynccontextmanager
async def relaying(
    client: Client, settings: Settings, doorbell: Doorbell | None = None
) -> AsyncIterator[Relay]:
    relay = Relay(client, settings, archive(settings.database_url), doorbell or Doorbell())
    running = asyncio.create_task(relay.run())
    try:
        yield relay
    finally:
        relay.stop()
        await running


async def until(check: Callable[[], Any], seconds: float = 10) -> None:
    """Wait, in real time, for the relay's I/O (never for a deadline)."""
    for _ in range(int(seconds / 0.02)):
        if check():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("timed out waiting for the relay")


def notices(database_url: str) -> list[Notice]:
    with archive(database_url)() as session:
        return list(session.scalars(select(Notice).order_by(Notice.created_at, Notice.key)))


def ledger(database_url: str) -> list[LedgerEntry]:
    with archive(database_url)() as session:
        return list(session.scalars(select(LedgerEntry).order_by(LedgerEntry.booked_at)))
