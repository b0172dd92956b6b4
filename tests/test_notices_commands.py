"""`repairdesk notices` lists the outbox from the archive: all, one case's, or the pending."""

from __future__ import annotations

import argparse
import json
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, update

from activities.archive.db import archive
from activities.archive.schema import Notice
from activities.delivery.doorbell import Doorbell
from activities.notices.activities import NoticeActivities
from starter import notices_commands
from tests import notice_cases
from tests.conftest import make_settings
from workflows.messages import Language


def _run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="repairdesk")
    notices_commands.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["notices", *argv])
    code: int = args.handler(args)
    return code


@pytest.fixture
def outbox(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two cases' notices written with no SMTP server: all pending in the outbox."""
    monkeypatch.setenv("REPAIRDESK_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("REPAIRDESK_TIMEZONE", "Asia/Shanghai")
    settings = make_settings(sqlite_url, staff_language=Language.zh)
    notices = NoticeActivities(settings, archive(sqlite_url), Doorbell())
    for request in [
        *notice_cases.cancelled(Language.en),
        *notice_cases.unknown_equipment(Language.en),
    ]:
        notices.send_notice(request)


@pytest.mark.usefixtures("outbox")
def test_lists_one_cases_pending_notices_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run("--case", "C-1004", "--pending", "--json") == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(n["kind"], n["audience"]) for n in listed] == [
        ("acknowledgement", "customer"),
        ("new_case", "office"),
        ("cancelled", "customer"),
    ]
    assert all(n["case_id"] == "C-1004" and not n["delivered"] for n in listed)
    assert listed[0]["recipient"] == "liwei@example.com" and listed[0]["channel"] == "outbox"
    assert listed[0]["status"] == "outbox" and listed[0]["next_attempt_at"] is None
    assert listed[0]["created_at"].endswith("+00:00")


@pytest.mark.usefixtures("outbox")
def test_lists_the_whole_outbox_as_a_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run() == 0
    out = capsys.readouterr().out
    assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d Asia/Shanghai  C-100\d  ", out), out
    assert "C-1005  rejected" in out and "office (no address)" in out
    assert "kept in the outbox: no SMTP server or no address" in out


@pytest.mark.usefixtures("outbox")
def test_pending_shows_the_relays_retries_and_refusals(
    sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Rows as the relay leaves them: one due again after two failures, one refused for good."""
    retry_at = datetime(2026, 11, 24, 8, 30, tzinfo=UTC)
    with archive(sqlite_url).begin() as session:
        keys = list(session.scalars(select(Notice.key).where(Notice.case_id == "C-1004")))
        retrying, refused = keys[0], keys[1]
        session.execute(
            update(Notice)
            .where(Notice.key == retrying)
            .values(status="pending", attempts=2, next_attempt_at=retry_at, last_error="421 busy")
        )
        session.execute(
            update(Notice)
            .where(Notice.key == refused)
            .values(status="failed", attempts=1, last_error="550 no such mailbox")
        )
    assert _run("--pending", "--case", "C-1004") == 0
    out = capsys.readouterr().out
    assert "PENDING after 2 attempt(s), next 2026-11-24 16:30:00 Asia/Shanghai: 421 busy" in out
    assert "FAILED for good after 1 attempt(s): 550 no such mailbox" in out
    assert _run("--pending", "--json", "--case", "C-1004") == 0
    listed = {n["key"]: n for n in json.loads(capsys.readouterr().out)}
    assert listed[retrying]["status"] == "pending"
    assert listed[retrying]["next_attempt_at"] == "2026-11-24T08:30:00+00:00"
    assert listed[refused]["status"] == "failed"
