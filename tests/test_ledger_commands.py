"""`repairdesk ledger`: listing, totals, --undelivered and --redeliver against a real receiver."""

from __future__ import annotations

import argparse
import json
from typing import Any

import pytest

from activities.archive.db import archive
from activities.delivery.doorbell import Doorbell
from activities.finance.activities import FinanceActivities
from activities.finance.delivery import deliver
from activities.settings import Settings
from starter import ledger_commands
from tests.charges import compensation, post_warranty_repair, third_party
from tests.finance_receiver import FinanceReceiver
from workflows.activity_io import ChargeBooking

SECRET = "finance-shared-secret"


def ledger(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    parser = argparse.ArgumentParser(prog="repairdesk")
    ledger_commands.register(parser.add_subparsers(dest="command", required=True))
    parsed = parser.parse_args(["ledger", *args])
    capsys.readouterr()  # drop the activities' log lines: only the command's output is checked
    code = parsed.handler(parsed)
    return code, capsys.readouterr().out


def ledger_json(capsys: pytest.CaptureFixture[str], *args: str) -> Any:
    code, out = ledger(capsys, "--json", *args)
    assert code == 0
    return json.loads(out)


@pytest.fixture
def receiver(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    with FinanceReceiver(SECRET) as running:
        monkeypatch.setenv("REPAIRDESK_DATABASE_URL", sqlite_url)
        monkeypatch.setenv("REPAIRDESK_FINANCE_WEBHOOK_URL", running.url)
        monkeypatch.setenv("REPAIRDESK_FINANCE_WEBHOOK_SECRET", SECRET)
        monkeypatch.setenv("REPAIRDESK_TIMEZONE", "Asia/Shanghai")
        yield running


def book_and_deliver(receiver: FinanceReceiver) -> dict[str, ChargeBooking]:
    """A repair finance refuses (400), a reimbursement it accepts, a claim never sent."""
    settings = Settings.from_env()
    sessions = archive(settings.database_url)
    activities = FinanceActivities(settings, sessions, Doorbell())
    charges = {
        "repair": post_warranty_repair(),
        "third_party": third_party(),
        "claim": compensation(),
    }
    for booking in charges.values():
        activities.book_charge(booking)
    receiver.answer_next(400)
    for name in ("repair", "third_party"):
        deliver(sessions, settings, charges[name].charge.id)
    return charges


def test_the_ledger_lists_every_charge_with_totals_per_currency_and_payer(
    receiver: FinanceReceiver, capsys: pytest.CaptureFixture[str]
) -> None:
    charges = book_and_deliver(receiver)
    listing = ledger_json(capsys)
    assert {c["charge_id"]: c["delivery_status"] for c in listing["charges"]} == {
        charges["repair"].charge.id: "failed",
        charges["third_party"].charge.id: "delivered",
        charges["claim"].charge.id: "pending",
    }
    assert listing["totals"] == [
        {"currency": "CNY", "payer": "customer", "amount": "963.00", "charges": 1},
        {"currency": "CNY", "payer": "vendor", "amount": "0.00", "charges": 1},
        {"currency": "USD", "payer": "vendor", "amount": "1250.00", "charges": 1},
    ]
    assert [c["case_id"] for c in ledger_json(capsys, "--case", "C-2002")["charges"]] == ["C-2002"]
    assert len(ledger_json(capsys, "--customer", "CUST-7")["charges"]) == 2
    code, table = ledger(capsys)
    assert (
        code == 0
        and "963.00" in table
        and "2026-11-25 00:30 Asia/Shanghai" in table
        and "CST" not in table
    )
    assert "  USD vendor          1250.00  (1 charge)" in table


def test_undelivered_shows_the_failed_and_the_pending(
    receiver: FinanceReceiver, capsys: pytest.CaptureFixture[str]
) -> None:
    charges = book_and_deliver(receiver)
    undelivered = ledger_json(capsys, "--undelivered")["charges"]
    assert {c["charge_id"] for c in undelivered} == {
        charges["repair"].charge.id,
        charges["claim"].charge.id,
    }
    code, table = ledger(capsys, "--undelivered")
    assert code == 0 and "failed" in table and 'last error: HTTP 400 {"status": 400}' in table


def test_redeliver_sends_the_same_bodies_again_and_prints_each_result(
    receiver: FinanceReceiver, capsys: pytest.CaptureFixture[str]
) -> None:
    charges = book_and_deliver(receiver)
    refused_body = receiver.received[0].body
    code, out = ledger(capsys, "--redeliver")
    assert code == 0
    assert f"{charges['repair'].charge.id} (case C-1001): delivered · HTTP 202" in out
    assert f"{charges['claim'].charge.id} (case C-1001): delivered · HTTP 202" in out
    resent = [r for r in receiver.accepted if r.event["id"] == charges["repair"].charge.id]
    assert [r.body for r in resent] == [refused_body]
    assert all(r.signed for r in receiver.received)
    assert len(receiver.accepted) == 3
    assert ledger(capsys, "--undelivered") == (0, "no charges match\n")
    assert ledger(capsys, "--redeliver") == (0, "nothing to redeliver\n")


def test_redeliver_exits_1_while_finance_still_refuses(
    receiver: FinanceReceiver, capsys: pytest.CaptureFixture[str]
) -> None:
    charges = book_and_deliver(receiver)
    receiver.answer_next(400, 503)
    code, out = ledger(capsys, "--redeliver", "--json")
    assert code == 1
    results = json.loads(out)
    assert {r["charge_id"] for r in results} == {
        charges["repair"].charge.id,
        charges["claim"].charge.id,
    }
    assert sorted(r["outcome"] for r in results) == ["refused", "retry"]
    assert not any(r["delivered"] for r in results)
