"""The stale-clock guard (workflows/stale_clock.py), on a history recorded by the fault
injection: a case whose worker was SIGKILLed after its workflow task at 22:17:47.18 (a local
activity in it ended at 47.29), whose reply timer for 47.56 fired at 48.35, and whose next task
had not started. Rebuilt from those events, the SDK applies the firing with the clock of the last
task, as a worker answering a query for the case does; the case must refuse to judge its clocks
then (before the guard it started a new timer instead of recording the breach, and its next
task wrote commands no replay could repeat)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from activities.logging import configure_logging
from workflows.repair_case import RepairCase
from workflows.stale_clock import ClockBehindTimer

HISTORY = Path(__file__).parent / "stale_clock" / "case-F-0003.json"


async def test_a_timer_applied_with_the_last_tasks_clock_is_refused(
    caplog: pytest.LogCaptureFixture,
) -> None:
    [refused] = await refusals(caplog)
    assert "a timer for 2026-11-25T22:17:47.564610+00:00 fired with the workflow clock at " in (
        _text(refused)
    )


async def test_the_worker_logs_a_refusal_in_one_line(caplog: pytest.LogCaptureFixture) -> None:
    configure_logging("json")
    [refused] = await refusals(caplog)
    assert refused.exc_info is None, "the SDK's traceback was logged"
    assert "expected after a worker died" in refused.getMessage()


async def refusals(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """The log records of the stale-clock refusal while replaying the recorded history."""
    history = WorkflowHistory.from_json("case-F-0003", HISTORY.read_text())
    replayer = Replayer(workflows=[RepairCase], data_converter=pydantic_data_converter)
    with caplog.at_level(logging.WARNING):
        await replayer.replay_workflow(history)
    return [r for r in caplog.records if ClockBehindTimer.SAYS in _text(r)]


def _text(record: logging.LogRecord) -> str:
    """The message, with the exception when the SDK's traceback is kept."""
    error = record.exc_info[1] if record.exc_info else None
    return f"{record.getMessage()} {error or ''}"
