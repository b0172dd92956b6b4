"""`repairdesk ip`, driven as a person types it, against a real dev server and a real worker
on a SQLite archive: the letters and the indemnity land in the outbox and the ledger once."""

from __future__ import annotations

import asyncio
import json
import re
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import structlog
from sqlalchemy import select
from temporalio.testing import WorkflowEnvironment

from activities.archive.db import archive
from activities.archive.importer import import_equipment
from activities.archive.schema import LedgerEntry, Notice
from tests.conftest import make_settings
from tests.test_cli import Cli
from worker import build_worker
from workflows.ip_messages import DisputeState

SAMPLE = Path(__file__).parent.parent / "starter" / "data" / "sample-archive.csv"
OPEN = (
    "ip open --customer CUST-7 --claimant 'Acme GmbH' --right patent "
    "--description 'Claims the controller firmware infringes EP1234567' --language en"
)
SETTLE = (
    "--by 'Zhang Ming' --outcome 'Licence agreed' "
    "--cost '12000.00:licence fee' --cost '3450.50:legal counsel: two opinions'"
)


@pytest.fixture
async def cli(
    dev_env: WorkflowEnvironment,
    sqlite_url: str,
    task_queue: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> AsyncIterator[Cli]:
    structlog.configure(  # the worker logs to stderr, as `repairdesk worker` does
        logger_factory=structlog.PrintLoggerFactory(sys.__stderr__),
        cache_logger_on_first_use=False,
    )
    import_equipment(archive(sqlite_url), SAMPLE)
    monkeypatch.setenv("TEMPORAL_ADDRESS", dev_env.client.service_client.config.target_host)
    monkeypatch.setenv("REPAIRDESK_TASK_QUEUE", task_queue)
    monkeypatch.setenv("REPAIRDESK_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("REPAIRDESK_TIMEZONE", "Asia/Shanghai")
    async with build_worker(dev_env.client, make_settings(sqlite_url), task_queue):
        yield Cli(capsys)


def new_id() -> str:
    return f"IP-{uuid.uuid4().hex[:8]}"


async def listed(cli: Cli, dispute_id: str, status: str) -> str:
    """The `ip list` line of the dispute, once visibility has indexed its status."""
    for _ in range(50):
        ran = await cli(f"ip list --status {status}")
        assert ran.code == 0, ran.err
        if line := next((ln for ln in ran.out.splitlines() if ln.startswith(dispute_id)), None):
            return line
        await asyncio.sleep(0.2)
    raise AssertionError(f"{dispute_id} never listed as {status}")


async def test_open_note_settle_show_and_list(cli: Cli, sqlite_url: str) -> None:
    dispute_id = new_id()
    opened = await cli(f"{OPEN} --serial SN-42 --dispute-id {dispute_id}")
    assert (opened.code, opened.out) == (0, f"{dispute_id}\n"), opened.err

    noted = await cli(f"ip note ip-{dispute_id} --by Wang --text 'Counsel instructed'")
    assert (noted.code, noted.out) == (0, f"{dispute_id}: open\n"), noted.err
    settled = await cli(f"ip settle {dispute_id} {SETTLE}")
    assert settled.code == 0, settled.err
    assert "ip_indemnity paid by vendor: 15450.50 CNY" in settled.out

    shown = await cli(f"ip show {dispute_id}")
    assert f"IP dispute {dispute_id} · settled" in shown.out
    assert "SN-42 Chiller CW-400" in shown.out and "Timeline (times in Asia/Shanghai)" in shown.out
    assert "legal counsel: two opinions: 3450.50" in shown.out
    state = DisputeState.model_validate_json((await cli(f"ip show {dispute_id} --json")).out)
    assert state.status == "settled" and state.charges[0].amount == Decimal("15450.50")
    assert re.match(
        rf"{dispute_id}\s+settled\s+CUST-7\s+SN-42", await listed(cli, dispute_id, "settled")
    )

    sessions = archive(sqlite_url)
    with sessions() as session:
        [ledger] = session.scalars(select(LedgerEntry).where(LedgerEntry.case_id == dispute_id))
        letters = session.scalars(select(Notice).where(Notice.case_id == dispute_id)).all()
    assert (ledger.kind, ledger.payer, str(ledger.amount)) == ("ip_indemnity", "vendor", "15450.50")
    assert json.loads(ledger.event)["subject"] == dispute_id
    assert sorted(n.kind for n in letters) == [
        "ip_acknowledgement",
        "ip_opened",
        "ip_opened",
        "ip_settled",
        "ip_settled",
    ]

    late = await cli(f"ip withdraw {dispute_id} --by Li --reason 'too late'")
    assert late.code == 1
    assert re.search(rf"dispute {dispute_id} (has ended|is closed) \(settled\)", late.err)


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        ("--serial SN-50", "equipment serial SN-50 belongs to customer CUST-8"),
        ("--serial SN-404", "equipment serial SN-404 is not in the archive"),
    ],
)
async def test_open_fails_with_the_reason_of_a_rejection(cli: Cli, extra: str, reason: str) -> None:
    dispute_id = new_id()
    ran = await cli(f"{OPEN} {extra} --dispute-id {dispute_id}")
    assert (ran.code, ran.out) == (1, "")
    assert f"dispute {dispute_id} was rejected: {reason}" in ran.err


async def test_withdraw_and_refusals(cli: Cli) -> None:
    opened = await cli(OPEN)
    assert opened.code == 0, opened.err
    dispute_id = opened.out.strip()
    assert re.fullmatch(r"IP-\d{8}-[0-9A-F]{4}", dispute_id)
    again = await cli(f"{OPEN} --dispute-id {dispute_id}")
    assert again.code == 1 and f"dispute id {dispute_id} already names a dispute" in again.err
    withdrawn = await cli(f"ip withdraw {dispute_id} --by 'Li Wei' --reason 'Acme dropped it'")
    assert withdrawn.code == 0, withdrawn.err
    assert withdrawn.out.startswith(f"{dispute_id}: withdrawn")
    assert (await cli("ip show IP-NOPE")).err.strip() == "repairdesk: no dispute IP-NOPE"


async def test_a_bad_cost_is_named_before_anything_is_sent(cli: Cli) -> None:
    ran = await cli("ip settle IP-1 --by a --outcome b --cost 1.005:fee")
    assert (ran.code, ran.out) == (1, "")
    assert "--cost #1 amount" in ran.err


async def test_open_with_no_worker_on_the_task_queue_says_so(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REPAIRDESK_TASK_QUEUE", f"unserved-{uuid.uuid4().hex[:8]}")
    monkeypatch.setattr("client.answers.ANSWER_TIMEOUT", timedelta(seconds=2))
    dispute_id = new_id()
    ran = await cli(f"{OPEN} --dispute-id {dispute_id}")
    assert (ran.code, ran.out) == (1, "")
    assert ran.err.startswith(
        f"repairdesk: dispute {dispute_id}: no worker answered within 2 s; is `repairdesk worker`"
    ), ran.err
