"""Letters from the v1.0 `send_notice` activity to a real SMTP server on loopback, through the
outbox and the delivery relay, on a real SQLite archive: the right recipient in the right
language, sent once however often it is written, nothing lost while the server is down, and
the outbox alone when no server or no address is configured.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword

from activities.archive.db import archive
from activities.delivery.doorbell import Doorbell
from activities.notices.activities import NoticeActivities
from activities.notices.mailer import SmtpServer
from activities.settings import Settings, SettingsError
from tests import notice_cases
from tests.conftest import make_settings
from tests.notice_cases import the
from tests.relaying import notices, relaying, until
from tests.smtp_inbox import free_port, smtp_server
from workflows.messages import Language

OFFICE, MANAGER, EXECUTIVE = "office@vendor.test", "manager@vendor.test", "vp@vendor.test"
SENDER = "repairdesk@vendor.test"


@pytest.fixture
def port() -> int:
    return free_port()


def _settings(sqlite_url: str, smtp_url: str | None, staff: Language = Language.zh) -> Settings:
    return make_settings(
        sqlite_url,
        smtp_url=smtp_url,
        mail_from=SENDER,
        office_email=OFFICE,
        manager_email=MANAGER,
        executive_email=EXECUTIVE,
        staff_language=staff,
        delivery_poll=timedelta(milliseconds=100),
        delivery_backoff=timedelta(milliseconds=50),
    )


def _activities(settings: Settings) -> NoticeActivities:
    return NoticeActivities(settings, archive(settings.database_url), Doorbell())


def _delivered(sqlite_url: str) -> int:
    return sum(1 for row in notices(sqlite_url) if row.status == "delivered")


async def test_each_audience_gets_its_notice_in_its_language(
    env: Any, sqlite_url: str, port: int
) -> None:
    settings = _settings(sqlite_url, f"smtp://127.0.0.1:{port}", staff=Language.en)
    requests = notice_cases.late_repair(Language.zh)
    for audience, kind in [
        ("customer", "acknowledgement"),
        ("office", "new_case"),
        ("manager", "breach"),
        ("executive", "written_explanation"),
    ]:
        result = _activities(settings).send_notice(the(requests, kind, audience))
        assert (result.channel, result.delivered) == ("outbox", False)
    with smtp_server(port) as inbox:
        async with relaying(env.client, settings):
            await until(lambda: len(inbox.messages) == 4)
    to = {message["To"]: message for message in inbox.messages}
    assert set(to) == {"liwei@example.com", OFFICE, MANAGER, EXECUTIVE}
    assert to["liwei@example.com"]["Subject"] == "[C-1001] 您的报修已受理"
    assert "尊敬的Li Wei" in to["liwei@example.com"].get_content()
    assert to[OFFICE]["Subject"].startswith("[C-1001] New case")
    assert to[MANAGER]["Subject"] == "[C-1001] Deadline missed: 1-hour reply"
    assert "explanation" in to[EXECUTIVE]["Subject"]
    assert all(message["From"] == SENDER for message in inbox.messages)


async def test_a_notice_written_twice_is_sent_once(env: Any, sqlite_url: str, port: int) -> None:
    settings = _settings(sqlite_url, f"smtp://127.0.0.1:{port}")
    request = the(notice_cases.late_repair(Language.en), "repaired", "customer")
    first = _activities(settings).send_notice(request)
    second = _activities(settings).send_notice(request)
    assert first == second and first.recipient == "liwei@example.com"
    with smtp_server(port) as inbox:
        async with relaying(env.client, settings):
            await until(lambda: _delivered(sqlite_url) == 1)
        async with relaying(env.client, settings):
            _activities(settings).send_notice(request)
    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    assert message["Subject"] == "[C-1001] Your equipment is repaired"
    assert message["Message-ID"].endswith("@vendor.test>")
    [row] = notices(sqlite_url)
    assert row.key == request.key and row.attempts == 1 and row.delivered_at is not None
    assert row.language == "en" and row.channel == "smtp" and row.kind == "repaired"
    assert message.get_content().replace("\r\n", "\n") == row.body


async def test_nothing_is_lost_while_the_server_is_down(
    env: Any, sqlite_url: str, port: int
) -> None:
    settings = _settings(sqlite_url, f"smtp://127.0.0.1:{port}")
    request = the(notice_cases.late_repair(Language.zh), "written_explanation", "customer")
    _activities(settings).send_notice(request)
    async with relaying(env.client, settings):
        await until(lambda: notices(sqlite_url)[0].attempts >= 2)
        [row] = notices(sqlite_url)
        assert row.status == "pending" and row.delivered_at is None
        assert row.last_error and "ConnectionRefusedError" in row.last_error
        with smtp_server(port) as inbox:
            await until(lambda: _delivered(sqlite_url) == 1)
    assert len(inbox.messages) == 1
    assert "书面说明" in inbox.messages[0]["Subject"]


def test_without_smtp_the_outbox_is_the_record(sqlite_url: str) -> None:
    settings = _settings(sqlite_url, smtp_url=None)
    request = the(notice_cases.late_repair(Language.en), "new_case", "office")
    result = _activities(settings).send_notice(request)
    assert result.channel == "outbox" and not result.delivered and result.recipient == OFFICE
    [row] = notices(sqlite_url)
    assert (row.status, row.channel, row.delivered_at, row.attempts) == (
        "outbox",
        "outbox",
        None,
        0,
    )
    assert row.language == "zh" and row.subject.startswith("[C-1001] 新报修")


def test_a_customer_without_email_is_kept_in_the_outbox(sqlite_url: str, port: int) -> None:
    settings = _settings(sqlite_url, f"smtp://127.0.0.1:{port}")
    request = the(notice_cases.cancelled(Language.en, email=None), "cancelled", "customer")
    result = _activities(settings).send_notice(request)
    assert not result.delivered and result.recipient is None
    [row] = notices(sqlite_url)
    assert (row.status, row.channel, row.recipient, row.next_attempt_at) == (
        "outbox",
        "outbox",
        None,
        None,
    )


async def test_an_address_the_server_refuses_for_good_is_not_retried(
    env: Any, sqlite_url: str, port: int
) -> None:
    settings = _settings(sqlite_url, f"smtp://127.0.0.1:{port}")
    request = the(
        notice_cases.cancelled(Language.en, email="gone@example.com"), "cancelled", "customer"
    )
    _activities(settings).send_notice(request)
    with smtp_server(port) as inbox:
        inbox.unknown.add("gone@example.com")
        async with relaying(env.client, settings):
            await until(lambda: notices(sqlite_url)[0].status == "failed")
    assert inbox.messages == []
    [row] = notices(sqlite_url)
    assert row.delivered_at is None and row.next_attempt_at is None and row.attempts == 1
    assert "no such mailbox" in (row.last_error or "")


async def test_user_and_password_in_the_url_log_in(env: Any, sqlite_url: str, port: int) -> None:
    logins: list[tuple[bytes, bytes]] = []

    def authenticate(
        server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        assert isinstance(data, LoginPassword)
        logins.append((data.login, data.password))
        return AuthResult(success=True)

    settings = _settings(sqlite_url, f"smtp://desk:p%40ss@127.0.0.1:{port}")
    _activities(settings).send_notice(
        the(notice_cases.late_repair(Language.en), "arrived", "customer")
    )
    with smtp_server(port, authenticator=authenticate, auth_require_tls=False) as inbox:
        async with relaying(env.client, settings):
            await until(lambda: _delivered(sqlite_url) == 1)
    assert logins == [(b"desk", b"p@ss")] and len(inbox.messages) == 1


def test_smtp_urls_are_read_and_bad_ones_refused_without_the_password() -> None:
    server = SmtpServer.from_url("smtps://desk:s3cret@mail.vendor.test")
    assert (server.host, server.port, server.implicit_tls) == ("mail.vendor.test", 465, True)
    assert (server.user, server.password) == ("desk", "s3cret")
    assert SmtpServer.from_url("smtp://127.0.0.1:2525").port == 2525
    with pytest.raises(SettingsError) as refused:
        SmtpServer.from_url("http://desk:s3cret@mail.vendor.test")
    assert "s3cret" not in str(refused.value)


def test_the_staff_language_comes_from_the_environment() -> None:
    assert Settings.from_env({}).staff_language is Language.zh
    assert Settings.from_env({"REPAIRDESK_STAFF_LANGUAGE": "EN"}).staff_language is Language.en
    with pytest.raises(SettingsError, match="REPAIRDESK_STAFF_LANGUAGE='fr'"):
        Settings.from_env({"REPAIRDESK_STAFF_LANGUAGE": "fr"})


def test_the_relay_settings_come_from_the_environment() -> None:
    settings = Settings.from_env(
        {"REPAIRDESK_DELIVERY_POLL": "1s", "REPAIRDESK_DELIVERY_WARN_AFTER": "3"}
    )
    assert settings.delivery_poll == timedelta(seconds=1) and settings.delivery_warn_after == 3
    assert Settings.from_env({}).delivery_backoff_max == timedelta(minutes=5)
    with pytest.raises(SettingsError, match="REPAIRDESK_DELIVERY_WARN_AFTER='0'"):
        Settings.from_env({"REPAIRDESK_DELIVERY_WARN_AFTER": "0"})
    with pytest.raises(SettingsError, match="REPAIRDESK_DELIVERY_LEASE"):
        Settings.from_env({"REPAIRDESK_DELIVERY_LEASE": "soon"})


def test_a_claim_outlives_a_dead_relay_by_less_than_a_minute() -> None:
    """Contract v1.2: the lease a dead relay leaves, and the next poll, end within 50 s (10 s
    more for the claim and the connection)."""
    assert Settings.from_env({}).delivery_lease == timedelta(seconds=30)
    assert Settings.from_env({"REPAIRDESK_DELIVERY_LEASE": "45s"}).delivery_lease.seconds == 45
    with pytest.raises(SettingsError, match=r"LEASE \(300s\) and REPAIRDESK_DELIVERY_POLL \(2s\)"):
        Settings.from_env({"REPAIRDESK_DELIVERY_LEASE": "5m"})
    with pytest.raises(SettingsError, match="within 60s"):
        Settings.from_env({"REPAIRDESK_DELIVERY_LEASE": "30s", "REPAIRDESK_DELIVERY_POLL": "30s"})


def test_the_activity_slots_come_from_the_environment() -> None:
    assert Settings.from_env({}).activity_slots == 8
    assert Settings.from_env({"REPAIRDESK_ACTIVITY_SLOTS": "2"}).activity_slots == 2
    with pytest.raises(SettingsError, match="REPAIRDESK_ACTIVITY_SLOTS='none'"):
        Settings.from_env({"REPAIRDESK_ACTIVITY_SLOTS": "none"})
