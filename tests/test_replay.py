"""Recorded histories replay on today's workflow: a change that would break running cases
fails here first."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from temporalio import workflow
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer
from temporalio.workflow import NondeterminismError

from workflows.ip_dispute import IpDispute
from workflows.repair_case import RepairCase

HISTORIES = sorted((Path(__file__).parent / "histories").glob("*/*.json"))


def history(path: Path) -> WorkflowHistory:
    """Each file is named after its workflow id, `case-<case_id>` or `ip-<dispute_id>`."""
    return WorkflowHistory.from_json(path.stem, path.read_text())


def workflow_of(path: Path) -> type:
    return IpDispute if path.stem.startswith("ip-") else RepairCase


@pytest.mark.parametrize("path", HISTORIES, ids=lambda p: f"{p.parent.name}/{p.stem}")
async def test_a_recorded_case_replays(path: Path) -> None:
    replayer = Replayer(workflows=[workflow_of(path)], data_converter=pydantic_data_converter)
    await replayer.replay_workflow(history(path))


@workflow.defn(name="RepairCase", sandboxed=False)
class ReorderedRepairCase:
    """RepairCase as a careless change would leave it: a timer before the archive look-up."""

    @workflow.run
    async def run(self, request: Any = None) -> None:
        await workflow.sleep(timedelta(minutes=1))


async def test_a_changed_workflow_is_caught() -> None:
    replayer = Replayer(workflows=[ReorderedRepairCase], data_converter=pydantic_data_converter)
    with pytest.raises(NondeterminismError):
        await replayer.replay_workflow(history(HISTORIES[0]))


@workflow.defn(name="IpDispute", sandboxed=False)
class RecordFirstIpDispute:
    """IpDispute as a careless change would leave it: recording before the look-up."""

    @workflow.run
    async def run(self, request: Any = None) -> None:
        await workflow.execute_local_activity(
            "record_dispute_event", None, start_to_close_timeout=timedelta(seconds=5)
        )


async def test_a_changed_dispute_workflow_is_caught() -> None:
    [recorded] = [p for p in HISTORIES if p.stem == "ip-IP-SETTLED"]
    replayer = Replayer(workflows=[RecordFirstIpDispute], data_converter=pydantic_data_converter)
    with pytest.raises(NondeterminismError):
        await replayer.replay_workflow(history(recorded))


def test_there_are_histories_to_replay() -> None:
    assert {p.parent.name for p in HISTORIES} >= {
        "v1.0",
        "v1.1",
        "v1.1-ip",
        "v1.2",
        "v1.3",
        "v1.3-warranty",
    }
    assert any(p.stem.startswith("ip-") for p in HISTORIES)
