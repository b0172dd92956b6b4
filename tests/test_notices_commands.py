"""`repairdesk notices` lists the outbox from the archive: all, one case's, or the pending."""

from __future__ import annotations

import argparse
import json

import pytest

from activities.archive.db import archive
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
    assert out.startswith("Notices (times in Asia/Shanghai)")
    assert "C-1005  rejected" in out and "office (no address)" in out
    assert "kept in the outbox: no SMTP server or no address" in out
