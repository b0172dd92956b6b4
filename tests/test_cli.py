"""`repairdesk` case commands, driven as a person types them, against a real worker.

Each command runs `starter.cli.main` in a thread (it calls `asyncio.run` itself) and reaches
the test's Temporal server through TEMPORAL_ADDRESS, like any terminal would.
"""

from __future__ import annotations

import asyncio
import re
import shlex
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
import structlog
from temporalio.testing import WorkflowEnvironment

from activities.archive.db import archive
from activities.archive.importer import import_equipment
from starter.cli import main
from tests.conftest import make_settings
from worker import build_worker
from workflows.messages import CaseState, Status

SAMPLE = Path(__file__).parent.parent / "starter" / "data" / "sample-archive.csv"
OPEN = "open --customer CUST-7 --serial SN-42 --fault 'Chiller trips' --onsite"


@dataclass
class Ran:
    code: int
    out: str
    err: str


@dataclass
class Cli:
    capsys: pytest.CaptureFixture[str]

    async def __call__(self, line: str) -> Ran:
        """Run one command line, as typed in a shell."""
        try:
            await asyncio.to_thread(main, shlex.split(line))
            code = 0
        except SystemExit as e:
            code = int(e.code or 0)
        captured = self.capsys.readouterr()
        return Ran(code, captured.out, captured.err)

    async def open(self, extra: str = "") -> str:
        case_id = f"C-{uuid.uuid4().hex[:8]}"
        ran = await self(f"{OPEN} --case-id {case_id} {extra}")
        assert (ran.code, ran.out) == (0, f"{case_id}\n"), ran.err
        return case_id

    async def state(self, case_id: str) -> CaseState:
        ran = await self(f"show {case_id} --json")
        assert ran.code == 0, ran.err
        return CaseState.model_validate_json(ran.out)


def worker_logs_to_stderr() -> None:
    """A worker in the test's process logs to stderr, as `repairdesk worker` does, so the
    captured stdout holds only the command's answers."""
    structlog.configure(
        logger_factory=structlog.PrintLoggerFactory(sys.__stderr__),
        cache_logger_on_first_use=False,
    )


@pytest.fixture
async def cli(
    env: WorkflowEnvironment,
    sqlite_url: str,
    task_queue: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> AsyncIterator[Cli]:
    """The CLI pointed at the test server, with a worker on a sample archive behind it.

    The worker logs to the process's own stderr, as `repairdesk worker` does, so the captured
    stdout holds only the command's answers.
    """
    worker_logs_to_stderr()
    import_equipment(archive(sqlite_url), SAMPLE)
    monkeypatch.setenv("TEMPORAL_ADDRESS", env.client.service_client.config.target_host)
    monkeypatch.setenv("REPAIRDESK_TASK_QUEUE", task_queue)
    monkeypatch.setenv("REPAIRDESK_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("REPAIRDESK_TIMEZONE", "Asia/Shanghai")
    async with build_worker(env.client, make_settings(sqlite_url), task_queue):
        yield Cli(capsys)


async def test_open_prints_only_the_case_id(cli: Cli) -> None:
    await cli.open()
    ran = await cli(OPEN)
    assert ran.code == 0, ran.err
    assert re.fullmatch(r"C-\d{8}-[0-9A-F]{4}\n", ran.out)
    assert (await cli.state(ran.out.strip())).status is Status.awaiting_reply


async def test_open_of_a_case_the_archive_rejects_fails_with_the_reason(cli: Cli) -> None:
    case_id = f"C-{uuid.uuid4().hex[:8]}"
    ran = await cli(f"open --customer CUST-9 --serial SN-999 --fault x --case-id {case_id}")
    assert (ran.code, ran.out) == (1, "")
    assert f"repairdesk: case {case_id} was rejected: " in ran.err
    assert "SN-999 is not in the archive" in ran.err
    assert (await cli.state(case_id)).status is Status.rejected


async def test_a_second_open_of_an_open_case_is_refused_and_leaves_it_alone(cli: Cli) -> None:
    case_id = await cli.open()
    ran = await cli(f"open --customer CUST-7 --serial SN-43 --fault other --case-id case-{case_id}")
    assert ran.code == 1
    assert f"case id {case_id} already names a case (awaiting_reply" in ran.err
    state = await cli.state(case_id)
    assert (state.equipment_serial, state.fault) == ("SN-42", "Chiller trips")


async def test_an_ended_case_id_is_refused_before_anything_starts(cli: Cli) -> None:
    case_id = await cli.open()
    assert (await cli(f"cancel {case_id} --by 'Li Wei' --reason fixed")).code == 0
    for _ in range(100):
        if (await cli.state(case_id)).status is Status.cancelled:
            break
        await asyncio.sleep(0.05)
    ran = await cli(f"{OPEN} --case-id {case_id}")
    assert (ran.code, ran.out) == (1, "")
    assert f"case id {case_id} already names a case (cancelled" in ran.err
    assert (await cli.state(case_id)).status is Status.cancelled


async def test_an_action_is_accepted_and_a_misfit_is_refused_with_its_reason(cli: Cli) -> None:
    case_id = await cli.open()
    replied = await cli(f"reply {case_id} --by Wang --message 'A technician is coming'")
    assert replied.code == 0, replied.err
    assert replied.out.startswith(f"{case_id}: awaiting_technician")
    assert re.search(r"reply\s+due .* met ", replied.out)

    early = await cli(f"arrive {case_id} --technician T-3")
    assert early.code == 1
    assert "arrive rejected" in early.err and "dispatch" in early.err
    assert (await cli.state(case_id)).status is Status.awaiting_technician


async def test_a_repair_report_with_parts_is_charged_and_shown(cli: Cli) -> None:
    case_id = await cli.open()
    for line in (
        f"dispatch {case_id} --technician T-3 --name 'Zhao Lei'",
        f"arrive case-{case_id} --technician T-3",
        f"repaired {case_id} --technician T-3 --cause customer_modification "
        "--part 'P-100:1:320.00:pressure switch' --labour-hours 2.5",
    ):
        ran = await cli(line)
        assert ran.code == 0, ran.err

    shown = await cli(f"show {case_id}")
    assert shown.code == 0, shown.err
    assert f"Case {case_id} · repaired" in shown.out
    assert "T-3 Zhao Lei" in shown.out
    assert re.search(r"reported +\d{4}-\d\d-\d\d \d\d:\d\d Asia/Shanghai\n", shown.out)
    ours = shown.out.split("\nTimeline")[0]  # timeline details are the workflow's own words
    assert " CST" not in ours and " UTC" not in ours
    assert re.search(r"chargeable_repair\s+customer\s+1070\.00 CNY", shown.out)
    assert "pressure switch P-100: 1 × 320.00 = 320.00" in shown.out

    after = await cli(f"cancel {case_id} --by 'Li Wei' --reason 'too late'")
    assert after.code == 1
    # Refused by the workflow while it finishes its last letters, or by Temporal once it has.
    assert re.search(rf"case {case_id} (has ended|is closed) \(repaired\)", after.err)


async def test_show_json_is_the_case_state(cli: Cli) -> None:
    case_id = await cli.open("--emergency --contact-name 'Li Wei' --language en")
    state = await cli.state(case_id)
    for _ in range(100):  # the archive look-up places the case a moment after the start
        if state.coverage:
            break
        await asyncio.sleep(0.05)
        state = await cli.state(case_id)
    assert state.case_id == case_id
    assert state.emergency and state.onsite_requested
    assert state.contact.name == "Li Wei" and state.contact.language == "en"
    assert state.deadlines.reply_due is not None


async def test_an_unknown_case_is_named(cli: Cli) -> None:
    for line in ("show C-NOPE", "reply case-C-NOPE --by Wang --message hi"):
        ran = await cli(line)
        assert (ran.code, ran.out) == (1, "")
        assert "no case C-NOPE" in ran.err


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("open --customer 'CUST 7' --serial SN-42 --fault x", "--customer: must be 1-64"),
        (f"{OPEN} --contact-email nobody", "--contact-email:"),
        (f"{OPEN} --reported-at yesterday", "--reported-at 'yesterday' is not a time"),
        ("repaired C-1 --technician T-3 --cause unknown --part P-1", "--part 'P-1' must be"),
        ("repaired C-1 --technician T-3 --cause unknown --part P-1:1:3.333", "--part #1 unit"),
        ("repaired C-1 --technician T-3 --cause unknown --labour-hours -1", "--labour-hours:"),
        ("third-party C-1 --vendor V --invoice I --amount 12.5x", "--amount:"),
        (
            "repaired C-1 --technician T-3 --cause unknown --labour-hours abc",
            "repairdesk: --labour-hours: 'abc' is not a plain decimal number like 300.00\n",
        ),
        ("dispatch 'C 1' --technician T-3", "case id 'C 1' must"),
        ('list --customer "x\' OR true"', '--customer "x\' OR true" must'),
    ],
)
async def test_a_bad_argument_is_named_before_anything_is_sent(
    line: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    ran = await Cli(capsys)(line)
    assert (ran.code, ran.out) == (1, "")
    assert message in ran.err


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("2027-03-28T02:30", "2027-03-28 02:30 does not exist in Europe/Berlin"),
        ("2026-10-25T02:15", "happens twice in Europe/Berlin (the clocks go back then): write"),
    ],
)
async def test_a_local_time_that_names_no_single_moment_is_refused(
    typed: str, message: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REPAIRDESK_TIMEZONE", "Europe/Berlin")
    ran = await Cli(capsys)(f"arrive C-1 --technician T-3 --at {typed}")
    assert (ran.code, ran.out) == (1, "")
    assert message in ran.err


async def test_open_with_no_worker_on_the_task_queue_says_so(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REPAIRDESK_TASK_QUEUE", f"unserved-{uuid.uuid4().hex[:8]}")
    monkeypatch.setattr("client.answers.ANSWER_TIMEOUT", timedelta(seconds=2))
    ran = await cli(f"{OPEN} --case-id C-UNSERVED")
    assert (ran.code, ran.out) == (1, "")
    assert ran.err.startswith(
        "repairdesk: case C-UNSERVED: no worker answered within 2 s; is `repairdesk worker`"
    ), ran.err
