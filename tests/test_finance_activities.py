"""book_charge and deliver_charge against a real archive and a real HTTP receiver on loopback.

The activity methods are called directly, the way Temporal would call them: a raised
ApplicationError is a retry, so a loop of calls stands for Temporal's retry policy.
"""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from temporalio.exceptions import ApplicationError

from activities.archive.db import archive
from activities.archive.schema import LedgerEntry
from activities.finance.activities import NOT_BOOKED, RETRY_LATER, FinanceActivities
from tests.charges import post_warranty_repair
from tests.conftest import make_settings
from tests.finance_receiver import FinanceReceiver
from workflows.activity_io import ChargeBooking, ChargeDelivery, DeliveryResult

SECRET = "finance-shared-secret"


def finance(database_url: str, receiver: FinanceReceiver | None = None) -> FinanceActivities:
    """A fresh activities object, as a restarted worker would build it."""
    url = receiver.url if receiver else None
    return FinanceActivities(
        make_settings(database_url, finance_webhook_url=url, finance_webhook_secret=SECRET)
    )


def row(database_url: str, charge_id: str) -> LedgerEntry:
    with archive(database_url)() as session:
        entry = session.get(LedgerEntry, charge_id)
    assert entry is not None
    return entry


def deliver_with_retries(activities: FinanceActivities, charge_id: str) -> DeliveryResult:
    """What Temporal does with DELIVERY_RETRY: call again after every retryable error."""
    for _ in range(10):
        try:
            return activities.deliver_charge(ChargeDelivery(charge_id=charge_id))
        except ApplicationError as e:
            assert e.type == RETRY_LATER and not e.non_retryable
    raise AssertionError("still retrying after 10 attempts")


def booked(activities: FinanceActivities) -> ChargeBooking:
    booking = post_warranty_repair()
    activities.book_charge(booking)
    return booking


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
    assert [line["amount"] for line in entry.lines] == ["320.00", "750.00", "-107.00"]


def test_the_event_arrives_once_signed_after_finance_recovers(database_url: str) -> None:
    with FinanceReceiver(SECRET, first_answers=[503, 503, 503]) as receiver:
        booking = booked(finance(database_url, receiver))
        result = deliver_with_retries(finance(database_url, receiver), booking.charge.id)
        again = finance(database_url, receiver).deliver_charge(
            ChargeDelivery(charge_id=booking.charge.id)
        )
    assert result.delivered and again.delivered
    assert [r.status for r in receiver.received] == [503, 503, 503, 202]
    assert all(r.signed for r in receiver.received)
    assert {r.content_type for r in receiver.received} == {"application/cloudevents+json"}
    [accepted] = receiver.accepted
    assert accepted.body == row(database_url, booking.charge.id).event.encode()
    assert accepted.event["id"] == booking.charge.id
    assert accepted.event["data"]["amount"] == "963.00"
    entry = row(database_url, booking.charge.id)
    assert (entry.delivery_status, entry.attempts, entry.last_error) == ("delivered", 4, None)
    assert entry.delivered_at is not None


def test_a_refused_event_is_marked_failed_not_retried_forever(database_url: str) -> None:
    with FinanceReceiver(SECRET, first_answers=[400]) as receiver:
        booking = booked(finance(database_url, receiver))
        result = deliver_with_retries(finance(database_url, receiver), booking.charge.id)
    assert not result.delivered and "HTTP 400" in result.detail
    assert len(receiver.received) == 1
    entry = row(database_url, booking.charge.id)
    assert (entry.delivery_status, entry.attempts) == ("failed", 1)
    assert entry.last_error == 'HTTP 400 {"status": 400}'


def test_a_wrong_secret_is_refused_by_the_receiver(database_url: str) -> None:
    with FinanceReceiver("not-our-secret") as receiver:
        booking = booked(finance(database_url, receiver))
        result = deliver_with_retries(finance(database_url, receiver), booking.charge.id)
    assert not result.delivered and "HTTP 401" in result.detail
    assert [r.signed for r in receiver.received] == [False]
    assert row(database_url, booking.charge.id).delivery_status == "failed"


def test_throttling_honours_retry_after(sqlite_url: str) -> None:
    with FinanceReceiver(SECRET, first_answers=[429], retry_after=7) as receiver:
        booking = booked(finance(sqlite_url, receiver))
        with pytest.raises(ApplicationError) as retry:
            finance(sqlite_url, receiver).deliver_charge(
                ChargeDelivery(charge_id=booking.charge.id)
            )
    assert retry.value.type == RETRY_LATER
    assert retry.value.next_retry_delay == timedelta(seconds=7)
    assert "HTTP 429" in str(row(sqlite_url, booking.charge.id).last_error)


def test_an_unreachable_webhook_is_retried_and_recorded(sqlite_url: str) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings = make_settings(
        sqlite_url,
        finance_webhook_url=f"http://127.0.0.1:{port}/events",
        finance_webhook_secret=SECRET,
    )
    booking = booked(FinanceActivities(settings))
    with pytest.raises(ApplicationError) as retry:
        FinanceActivities(settings).deliver_charge(ChargeDelivery(charge_id=booking.charge.id))
    assert retry.value.type == RETRY_LATER and "unreachable" in retry.value.message
    entry = row(sqlite_url, booking.charge.id)
    assert (entry.delivery_status, entry.attempts) == ("pending", 1)
    assert "ConnectionRefusedError" in str(entry.last_error)


def test_without_a_webhook_the_charge_stays_pending(sqlite_url: str) -> None:
    booking = booked(finance(sqlite_url))
    result = finance(sqlite_url).deliver_charge(ChargeDelivery(charge_id=booking.charge.id))
    assert not result.delivered
    assert "REPAIRDESK_FINANCE_WEBHOOK_URL is not set" in result.detail
    entry = row(sqlite_url, booking.charge.id)
    assert (entry.delivery_status, entry.attempts) == ("pending", 0)


def test_a_url_that_is_not_http_is_a_permanent_failure(sqlite_url: str) -> None:
    settings = make_settings(
        sqlite_url, finance_webhook_url="ftp://finance/events", finance_webhook_secret=SECRET
    )
    booking = booked(FinanceActivities(settings))
    result = FinanceActivities(settings).deliver_charge(ChargeDelivery(charge_id=booking.charge.id))
    assert not result.delivered and "not an http(s) URL" in result.detail
    assert row(sqlite_url, booking.charge.id).delivery_status == "failed"


def test_delivering_an_unbooked_charge_is_not_retried(sqlite_url: str) -> None:
    with pytest.raises(ApplicationError) as refused:
        finance(sqlite_url).deliver_charge(ChargeDelivery(charge_id="no-such-charge"))
    assert refused.value.type == NOT_BOOKED and refused.value.non_retryable
