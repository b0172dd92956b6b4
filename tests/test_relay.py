"""The delivery relay against a real SMTP server (aiosmtpd), a real finance receiver and real
archives (SQLite file and PostgreSQL): each letter and finance event delivered once, retried
with backoff while the other side is down, refused for good marked and told to the open case,
resumed by a new relay after a crash without doubling, shared by two relays on PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
import math
import socket
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.archive.case_event import CaseEventActivities
from activities.archive.db import archive
from activities.delivery import mail
from activities.delivery.doorbell import Doorbell
from activities.delivery.outcome import backoff
from activities.delivery.queue import LEDGER, NOTICES, Queue, claim, renew, settle
from activities.delivery.relay import BATCH
from activities.finance.delivery import attempt
from activities.notices.mailer import SmtpServer
from activities.settings import Settings
from tests import case_events
from tests.conftest import make_settings
from tests.delivery_probe import DeliveryProbe
from tests.finance_receiver import FinanceReceiver
from tests.relaying import ledger, notices, relaying, until
from tests.smtp_inbox import Inbox, free_port, smtp_server
from tests.worker_process import worker_process

SECRET = "finance-shared-secret"
OFFICE = "office@vendor.test"
QUICK = {
    "delivery_poll": timedelta(milliseconds=100),
    "delivery_backoff": timedelta(milliseconds=50),
    "delivery_backoff_max": timedelta(milliseconds=200),
}


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    with smtp_server(free_port()) as messages:
        yield messages


@pytest.fixture
def finance() -> Iterator[FinanceReceiver]:
    with FinanceReceiver(SECRET) as receiver:
        yield receiver


def settings_for(
    database_url: str, smtp_port: int, finance: FinanceReceiver, **overrides: Any
) -> Settings:
    return make_settings(
        database_url,
        smtp_url=f"smtp://127.0.0.1:{smtp_port}",
        mail_from="repairdesk@vendor.test",
        office_email=OFFICE,
        finance_webhook_url=finance.url,
        finance_webhook_secret=SECRET,
        **(QUICK | overrides),
    )


def record(settings: Settings, *events: Any, doorbell: Doorbell | None = None) -> None:
    recorder = CaseEventActivities(settings, archive(settings.database_url), doorbell or Doorbell())
    for event in events:
        recorder.record_case_event(event)


def message_ids(inbox: Inbox) -> Counter[str]:
    return Counter(str(m["Message-ID"]) for m in inbox.messages)


def sendable(database_url: str) -> int:
    return sum(1 for row in notices(database_url) if row.status != "outbox")


def delivered(database_url: str) -> int:
    return sum(1 for row in notices(database_url) if row.status == "delivered")


def settled(database_url: str) -> int:
    return sum(1 for row in notices(database_url) if row.status in ("delivered", "failed"))


async def test_each_letter_and_finance_event_is_delivered_once(
    env: Any, database_url: str, inbox: Inbox, finance: FinanceReceiver
) -> None:
    settings = settings_for(database_url, inbox.port, finance)
    event = case_events.late_repair()
    record(settings, event, event)
    letters = sendable(database_url)
    async with relaying(env.client, settings):
        await until(lambda: len(inbox.messages) == letters and len(finance.accepted) == 1)
    async with relaying(env.client, settings):  # a restarted worker sends nothing again
        record(settings, case_events.cancelled())
        await until(lambda: len(inbox.messages) == sendable(database_url))
    assert set(message_ids(inbox).values()) == {1}
    assert [r.event["id"] for r in finance.received] == [event.charges[0].id]
    assert {row.status for row in notices(database_url) if row.recipient} == {"delivered"}
    assert all(row.attempts == 1 for row in notices(database_url) if row.recipient)
    [entry] = ledger(database_url)
    assert (entry.delivery_status, entry.attempts, entry.last_error) == ("delivered", 1, None)
    assert finance.accepted[0].body == entry.event.encode()


async def test_retries_with_backoff_while_smtp_is_down_and_finance_answers_503(
    env: Any, database_url: str, finance: FinanceReceiver
) -> None:
    port = free_port()
    settings = settings_for(database_url, port, finance)
    finance.answer_next(503, 503, 503)
    charged = case_events.cancelled().model_copy(
        update={"charges": case_events.late_repair().charges}
    )
    record(settings, charged)
    async with relaying(env.client, settings):
        await until(lambda: all(row.attempts >= 2 for row in notices(database_url)))
        assert {row.status for row in notices(database_url)} == {"pending"}
        assert all(
            "ConnectionRefusedError" in (row.last_error or "") for row in notices(database_url)
        )
        await until(lambda: len(finance.accepted) == 1)
        with smtp_server(port) as inbox:
            await until(lambda: len(inbox.messages) == 3)
            await until(lambda: {row.status for row in notices(database_url)} == {"delivered"})
    assert set(message_ids(inbox).values()) == {1}
    assert [r.status for r in finance.received] == [503, 503, 503, 202]
    [entry] = ledger(database_url)
    assert (entry.delivery_status, entry.attempts, entry.last_error) == ("delivered", 4, None)


def test_backoff_doubles_up_to_the_longest_wait() -> None:
    settings = Settings(delivery_backoff=timedelta(seconds=5))
    assert [backoff(n, settings).total_seconds() for n in (1, 2, 3, 6, 7, 40)] == [
        5,
        10,
        20,
        160,
        300,
        300,
    ]


async def test_retry_after_is_honoured(env: Any, sqlite_url: str, inbox: Inbox) -> None:
    with FinanceReceiver(SECRET, first_answers=[429], retry_after=7) as finance:
        settings = settings_for(sqlite_url, inbox.port, finance)
        record(settings, case_events.late_repair())
        started = datetime.now(UTC)
        async with relaying(env.client, settings):
            await until(lambda: ledger(sqlite_url)[0].attempts == 1)
    [entry] = ledger(sqlite_url)
    assert entry.delivery_status == "pending" and "HTTP 429" in (entry.last_error or "")
    assert entry.claimed_until is None and len(finance.received) == 1
    assert entry.next_attempt_at is not None
    assert entry.next_attempt_at >= started + timedelta(seconds=7)


async def test_refused_for_good_is_marked_failed_and_warns_the_open_case(
    env: Any, database_url: str, inbox: Inbox, task_queue: str
) -> None:
    case_id = f"C-{uuid.uuid4().hex[:8]}"
    inbox.unknown.add("gone@example.com")
    with FinanceReceiver(SECRET, first_answers=[400]) as finance:
        settings = settings_for(database_url, inbox.port, finance)
        async with Worker(env.client, task_queue=task_queue, workflows=[DeliveryProbe]):
            probe = await env.client.start_workflow(
                DeliveryProbe.run, id=f"case-{case_id}", task_queue=task_queue
            )
            record(
                settings,
                case_events.late_repair(case_id),
                case_events.cancelled(email="gone@example.com"),  # its case is not open
            )
            async with relaying(env.client, settings):
                await until(lambda: settled(database_url) == sendable(database_url))
                await until(lambda: ledger(database_url)[0].delivery_status == "failed")

                async def warned() -> list[str]:
                    return await probe.query(DeliveryProbe.problems)

                for _ in range(250):
                    if len(await warned()) == 1:
                        break
                    await asyncio.sleep(0.02)
            problems = await warned()
            await probe.signal(DeliveryProbe.finish)
    assert len(finance.received) == 1 and len(inbox.messages) == sendable(database_url) - 2
    [entry] = ledger(database_url)
    assert (entry.attempts, entry.last_error) == (1, 'HTTP 400 {"status": 400}')
    assert problems == [
        f"finance event {entry.charge_id} (chargeable_repair) refused by finance: "
        'HTTP 400 {"status": 400}; kept as failed in the ledger'
    ]
    gone = [row for row in notices(database_url) if row.recipient == "gone@example.com"]
    assert {(row.status, row.attempts, row.next_attempt_at) for row in gone} == {
        ("failed", 1, None)
    }
    assert all("no such mailbox" in (row.last_error or "") and row.warned_at for row in gone)


class SlowInbox(Inbox):
    """Takes `seconds` over each message (over the first only, with `first_only`), so a test
    can act while the relay is sending; `receiving` is set when the first message arrives."""

    def __init__(self, port: int, seconds: float = 0.5, first_only: bool = False) -> None:
        super().__init__(port)
        self.seconds, self.first_only = seconds, first_only
        self.receiving = threading.Event()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        first = not self.receiving.is_set()
        self.receiving.set()
        if first or not self.first_only:
            await asyncio.sleep(self.seconds)
        return await super().handle_DATA(server, session, envelope)


@contextlib.contextmanager
def slow_smtp_server(seconds: float, first_only: bool = False) -> Iterator[SlowInbox]:
    inbox = SlowInbox(free_port(), seconds, first_only)
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


async def test_a_crash_between_send_and_mark_repeats_with_the_same_ids(
    env: Any, database_url: str, inbox: Inbox, finance: FinanceReceiver
) -> None:
    settings = settings_for(
        database_url, inbox.port, finance, delivery_lease=timedelta(seconds=0.3)
    )
    record(settings, case_events.late_repair())
    sessions = archive(database_url)

    now = datetime.now(UTC)
    [letter] = claim(sessions, NOTICES, now, settings.delivery_lease, 1)
    [charge] = claim(sessions, LEDGER, now, settings.delivery_lease, 1)
    smtp = SmtpServer.from_url(str(settings.smtp_url))
    assert mail.send(smtp, settings.mail_from, letter).outcome == "delivered"
    assert attempt(finance.url, SECRET, charge.event.encode()).outcome == "delivered"
    # the worker dies here, before marking either; a new relay takes over once the lease ends
    async with relaying(env.client, settings):
        await until(lambda: len(finance.accepted) == 2)
        await until(lambda: len(inbox.messages) == sendable(database_url) + 1)
        await until(lambda: sendable(database_url) == delivered(database_url))
    repeated = [mid for mid, n in message_ids(inbox).items() if n > 1]
    assert len(repeated) == 1 and set(message_ids(inbox).values()) <= {1, 2}
    assert {r.event["id"] for r in finance.accepted} == {charge.charge_id}
    assert finance.accepted[0].body == finance.accepted[1].body


@pytest.mark.parametrize("queue", [NOTICES, LEDGER], ids=["letters", "finance events"])
def test_a_dead_relays_claim_is_free_a_lease_after_its_last_renewal(
    database_url: str, finance: FinanceReceiver, queue: Queue
) -> None:
    """With the default settings a row a relay held when it died is claimed again well within
    the contract's 60 s; the renewals of a live relay keep it, and once another relay has it
    the first can neither renew nor record it."""
    defaults = Settings.from_env({})
    lease = defaults.delivery_lease
    assert lease + defaults.delivery_poll <= timedelta(seconds=50)
    settings = settings_for(database_url, free_port(), finance, delivery_lease=lease)
    record(settings, case_events.late_repair())
    sessions, claimed_at = archive(database_url), datetime.now(UTC)
    rows = claim(sessions, queue, claimed_at, lease, 100)  # every row of the queue
    held = {queue.key_of(row): row.claimed_until for row in rows}
    assert held and len(held) == len(rows)

    renewed_at = claimed_at + lease / 3
    held = renew(sessions, queue, held, renewed_at + lease)
    assert len(held) == len(rows)
    assert claim(sessions, queue, claimed_at + lease, lease, 100) == []  # renewed: still held
    # the relay dies here; another claims its rows once their lease ends
    taken = claim(sessions, queue, renewed_at + lease, lease, 100)
    assert {queue.key_of(row) for row in taken} == held.keys()
    assert renewed_at + lease + defaults.delivery_poll - claimed_at < timedelta(seconds=60)
    assert renew(sessions, queue, held, renewed_at + 2 * lease) == {}
    assert settle(sessions, queue, held, [(key, {"attempts": 9}) for key in held]) == []
    stored = (notices if queue is NOTICES else ledger)(database_url)
    assert {(row.attempts, row.claimed_until) for row in stored if queue.key_of(row) in held} == {
        (0, taken[0].claimed_until)
    }


async def test_a_worker_killed_mid_delivery_is_retried_by_another_within_seconds(
    dev_env: WorkflowEnvironment,
    database_url: str,
    finance: FinanceReceiver,
    task_queue: str,
    tmp_path: Path,
) -> None:
    """A real `python worker.py` SIGKILLed while the mail server holds its letter: another
    relay sends the letter a lease and a poll later, under the same Message-ID, once."""
    lease, poll = timedelta(seconds=3), timedelta(seconds=1)
    with slow_smtp_server(60, first_only=True) as inbox:
        settings = settings_for(
            database_url, inbox.port, finance, delivery_lease=lease, delivery_poll=poll
        )
        record(settings, case_events.cancelled())
        letters = sendable(database_url)
        env = {
            "TEMPORAL_ADDRESS": dev_env.client.service_client.config.target_host,
            "REPAIRDESK_DATABASE_URL": database_url,
            "REPAIRDESK_TASK_QUEUE": task_queue,
            "REPAIRDESK_SMTP_URL": str(settings.smtp_url),
            "REPAIRDESK_MAIL_FROM": settings.mail_from,
            "REPAIRDESK_DELIVERY_LEASE": "3s",
            "REPAIRDESK_DELIVERY_POLL": "1s",
        }
        with worker_process(env, tmp_path / "worker.log") as worker:
            await until(inbox.receiving.is_set, seconds=60)
            claimed = [r for r in notices(database_url) if r.claimed_until is not None]
            worker.kill()
            worker.wait()
            killed = time.monotonic()
        async with relaying(dev_env.client, settings):
            await until(lambda: delivered(database_url) == letters, seconds=30)
            retried_within = time.monotonic() - killed
    print(f"\nletters of the killed worker delivered {retried_within:.1f}s after the kill")
    assert claimed and retried_within < (lease + poll).total_seconds() + 2
    assert len(inbox.messages) == letters and set(message_ids(inbox).values()) == {1}
    assert all(row.attempts == 1 for row in notices(database_url) if row.recipient)


async def test_a_slow_attempt_keeps_its_claim_and_is_sent_once(
    env: Any, database_url: str, finance: FinanceReceiver
) -> None:
    """The mail server takes over two leases over the first letter: the relay renews its claims
    meanwhile, so no other relay could take that letter or the ones waiting behind it. (A lease
    of a few seconds: on a loaded machine a renewal due every third of a 1 s lease can be late.)"""
    lease = timedelta(seconds=3)
    with slow_smtp_server(7, first_only=True) as inbox:
        settings = settings_for(database_url, inbox.port, finance, delivery_lease=lease)
        record(settings, case_events.cancelled())
        letters, sessions = sendable(database_url), archive(database_url)
        async with relaying(env.client, settings):
            await until(inbox.receiving.is_set)
            stalled = time.monotonic()
            while time.monotonic() - stalled < 6.5:  # another relay looks, again and again
                assert claim(sessions, NOTICES, datetime.now(UTC), lease, BATCH) == []
                await asyncio.sleep(0.1)
            await until(lambda: delivered(database_url) == letters)
    assert len(inbox.messages) == letters and set(message_ids(inbox).values()) == {1}
    assert all(row.attempts == 1 for row in notices(database_url) if row.recipient)


async def test_two_relays_on_postgresql_never_send_a_row_twice(
    env: Any, database_url: str, inbox: Inbox, finance: FinanceReceiver
) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("one relay per SQLite archive: SQLite has no row locks to share work by")
    settings = settings_for(database_url, inbox.port, finance)
    doorbell = Doorbell()
    async with relaying(env.client, settings, doorbell), relaying(env.client, settings, doorbell):
        for n in range(6):
            record(settings, case_events.late_repair(f"C-20{n}"), doorbell=doorbell)
        await until(lambda: delivered(database_url) == sendable(database_url) == 48, seconds=30)
        await until(lambda: len(finance.accepted) == 6)
    assert len(inbox.messages) == 48 and set(message_ids(inbox).values()) == {1}
    assert len(finance.received) == 6
    assert {r.event["id"] for r in finance.received} == {e.charge_id for e in ledger(database_url)}


async def test_a_recorded_event_wakes_the_relay_at_once(
    env: Any, sqlite_url: str, inbox: Inbox, finance: FinanceReceiver
) -> None:
    settings = settings_for(sqlite_url, inbox.port, finance, delivery_poll=timedelta(minutes=10))
    doorbell = Doorbell()
    async with relaying(env.client, settings, doorbell):
        await asyncio.sleep(0.2)  # the relay has looked once and is waiting for the bell
        record(settings, case_events.cancelled(), doorbell=doorbell)
        await until(lambda: len(inbox.messages) == 3, seconds=5)


async def test_a_stopping_relay_finishes_the_send_in_flight(
    env: Any, sqlite_url: str, finance: FinanceReceiver
) -> None:
    with slow_smtp_server(0.5) as inbox:
        settings = settings_for(sqlite_url, inbox.port, finance)
        record(settings, case_events.cancelled())
        async with relaying(env.client, settings):
            await until(inbox.receiving.is_set)
    statuses = Counter(row.status for row in notices(sqlite_url))
    assert len(inbox.messages) == 1 and statuses == {"delivered": 1, "pending": 2}
    assert all(row.claimed_until is None for row in notices(sqlite_url))


async def test_without_smtp_or_webhook_nothing_is_attempted(env: Any, sqlite_url: str) -> None:
    settings = make_settings(sqlite_url, office_email=OFFICE, **QUICK)
    record(settings, case_events.late_repair())
    async with relaying(env.client, settings):
        await asyncio.sleep(0.3)
    assert {(row.status, row.attempts) for row in notices(sqlite_url)} == {("outbox", 0)}
    assert [(e.delivery_status, e.attempts) for e in ledger(sqlite_url)] == [("pending", 0)]


class HangUp:
    """A TCP server that accepts each connection and closes it at once, without a greeting: a
    mail server that cannot take anything. It counts the connections."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.connections = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        with contextlib.suppress(OSError):  # closed: the test is over
            while True:
                connection, _ = self.listener.accept()
                self.connections += 1
                connection.close()


async def test_a_mail_server_that_takes_nothing_costs_one_connection_a_pass(
    env: Any, sqlite_url: str, finance: FinanceReceiver
) -> None:
    """The rows a pass claimed after the connection failed each count the same failed
    attempt (and back off, and warn their case, as if tried), without a connection each."""
    server = HangUp()
    settings = settings_for(sqlite_url, server.port, finance, delivery_backoff=timedelta(hours=1))
    record(settings, case_events.late_repair())
    letters = sendable(sqlite_url)
    try:
        async with relaying(env.client, settings):
            await until(
                lambda: all(row.attempts == 1 for row in notices(sqlite_url) if row.recipient)
            )
    finally:
        server.listener.close()
    assert letters > BATCH and server.connections == math.ceil(letters / BATCH)
    rows = [row for row in notices(sqlite_url) if row.recipient]
    assert {row.status for row in rows} == {"pending"}
    assert all("SMTPServerDisconnected" in (row.last_error or "") for row in rows)
