"""The history of a finished case: how many events, and how many bytes its JSON form takes
(`WorkflowHistory.to_json()`, as `temporal workflow show --output json` writes it)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from temporalio.client import Client


@dataclass(frozen=True)
class HistorySize:
    events: int
    json_bytes: int


async def history_sizes(client: Client, workflow_ids: Sequence[str]) -> list[HistorySize]:
    sizes = []
    for workflow_id in workflow_ids:
        history = await client.get_workflow_handle(workflow_id).fetch_history()
        sizes.append(HistorySize(len(history.events), len(history.to_json().encode())))
    return sizes
