"""The v1.0 finance activities and finance delivery against a real archive and a real HTTP
receiver on loopback: `book_charge` books once, `deliver_charge` answers at once (the relay
delivers), and the relay sorts finance's answers: accepted, retried, refused for good.
"""

from __future__ import annotations

import socket
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from temporalio.exceptions import ApplicationError

from activities.archive.db import archive
from activities.archive.schema import LedgerEntry
from activities.delivery.channels import channels
from activities.delivery.doorbell import Doorbell
from activities.finance.activities import NOT_BOOKED, FinanceActivities
from activities.settings import Settings
from tests.charges import post_warranty_repair
from tests.conftest import make_settings
from tests.finance_receiver import FinanceReceiver
from tests.relaying import ledger, relaying, until
from workflows.activity_io import ChargeBooking, ChargeDelivery

SECRET = "finance-shared-secret"


def settings_for(database_url: str, url: str | None = None, secret: str = SECRET) -> Settings:
    return make_settings(
        database_url,
        finance_webhook_url=url,
        finance_webhook_secret=secret,
        delivery_poll=timedelta(milliseconds=100),
        delivery_backoff=timedelta(milliseconds=50),
    )


def finance(database_url: str, url: str | None = None) -> FinanceActivities:
    """A fresh activities object, as a restarted worker would build it."""
    settings = settings_for(database_url, url)
    return FinanceActivities(settings, archive(database_url), Doorbell())


def booked(database_url: str) -> ChargeBooking:
    booking = post_warranty_repair()
    finance(database_url).book_charge(booking)
    return booking


def row(database_url: str, charge_id: str) -> LedgerEntry:
    with archive(database_url)() as session:
        return session.get_one(LedgerEntry, charge_id)


def test_a_charge_is_booked_once_whatever_is_retried(database_url: str) -> None:
    booking = post_warranty_repair()
    finance(database_url).book_charge(booking)
    first = row(database_url, booking.charge.id)
    later = booking.model_copy(update={"booked_at": booking.booked_at + timedelta(minutes=5)})
    finance(database_url).book_charge(booking)
    finance(database_url).book_charge(later)
    with archive(database_url)() as session:
        assert session.scalar(select(func.count()).select_from(LedgerEntry)) == 1
    entry = row(database_url, booking.charge.id)
    assert entry.event == first.event and entry.booked_at == booking.booked_at
    assert (entry.kind, entry.payer, str(entry.amount), entry.currency) == (
        "chargeable_repair",
        "customer",
        "963.00",
        "CNY",
    )
    assert (entry.case_id, entry.customer_id, entry.equipment_serial) == (
        "C-1001",
        "CUST-7",
        "SN-42",
    )
    assert (entry.coverage, entry.cause, entry.delivery_status) == (
        "post_warranty",
        "wear_and_tear",
        "pending",
    )
    assert entry.next_attempt_at is not None and entry.attempts == 0
    assert [line["amount"] for line in entry.lines] == ["320.00", "750.00", "-107.00"]


def test_deliver_charge_answers_at_once_and_sends_nothing(sqlite_url: str) -> None:
    with FinanceReceiver(SECRET) as receiver:
        booking = booked(sqlite_url)
        result = finance(sqlite_url, receiver.url).deliver_charge(
            ChargeDelivery(charge_id=booking.charge.id)
        )
    assert result.delivered and result.detail == "queued for the relay"
    assert receiver.received == [] and row(sqlite_url, booking.charge.id).attempts == 0


async def test_a_charge_refused_for_good_is_reported_to_a_v1_case(
    env: Any, sqlite_url: str
) -> None:
    with FinanceReceiver(SECRET, first_answers=[400]) as receiver:
        booking = booked(sqlite_url)
        async with relaying(env.client, settings_for(sqlite_url, receiver.url)):
            await until(lambda: ledger(sqlite_url)[0].delivery_status == "failed")
        result = finance(sqlite_url).deliver_charge(ChargeDelivery(charge_id=booking.charge.id))
    assert not result.delivered and result.detail == 'HTTP 400 {"status": 400}'
    assert len(receiver.received) == 1


def test_delivering_an_unbooked_charge_is_not_retried(sqlite_url: str) -> None:
    with pytest.raises(ApplicationError) as refused:
        finance(sqlite_url).deliver_charge(ChargeDelivery(charge_id="no-such-charge"))
    assert refused.value.type == NOT_BOOKED and refused.value.non_retryable


async def test_a_wrong_secret_is_refused_by_the_receiver(env: Any, database_url: str) -> None:
    with FinanceReceiver("not-our-secret") as receiver:
        booking = booked(database_url)
        async with relaying(env.client, settings_for(database_url, receiver.url)):
            await until(lambda: ledger(database_url)[0].delivery_status == "failed")
    assert [r.signed for r in receiver.received] == [False]
    assert "HTTP 401" in str(row(database_url, booking.charge.id).last_error)


async def test_an_unreachable_webhook_is_retried_and_recorded(env: Any, sqlite_url: str) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    booking = booked(sqlite_url)
    settings = settings_for(sqlite_url, f"http://127.0.0.1:{port}/events")
    async with relaying(env.client, settings):
        await until(lambda: ledger(sqlite_url)[0].attempts >= 2)
    entry = row(sqlite_url, booking.charge.id)
    assert entry.delivery_status == "pending" and entry.next_attempt_at is not None
    assert "unreachable" in str(entry.last_error) and "ConnectionRefusedError" in str(
        entry.last_error
    )


async def test_a_url_that_is_not_http_is_a_permanent_failure(env: Any, sqlite_url: str) -> None:
    booking = booked(sqlite_url)
    async with relaying(env.client, settings_for(sqlite_url, "ftp://finance/events")):
        await until(lambda: ledger(sqlite_url)[0].delivery_status == "failed")
    assert "not an http(s) URL" in str(row(sqlite_url, booking.charge.id).last_error)


def test_without_a_secret_or_url_the_ledger_is_not_drained(sqlite_url: str) -> None:
    assert channels(settings_for(sqlite_url, "http://127.0.0.1:9/events", secret="")) == []
    assert channels(settings_for(sqlite_url, None)) == []
    assert [c.queue.name for c in channels(settings_for(sqlite_url, "http://x/"))] == ["ledger"]
