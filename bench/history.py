"""The history of a finished case: how many events, how many bytes its JSON form takes
(`WorkflowHistory.to_json()`, as `temporal workflow show --output json` writes it), and how many
the server counts (`history_size_bytes`: the protobuf events it stores, payloads as raw bytes, the
size Temporal's history limits are set in)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from temporalio.client import Client


@dataclass(frozen=True)
class HistorySize:
    events: int
    json_bytes: int
    server_bytes: int


async def history_sizes(client: Client, workflow_ids: Sequence[str]) -> list[HistorySize]:
    sizes = []
    for workflow_id in workflow_ids:
        handle = client.get_workflow_handle(workflow_id)
        history = await handle.fetch_history()
        stored = (await handle.describe()).raw_description.workflow_execution_info
        sizes.append(
            HistorySize(
                len(history.events), len(history.to_json().encode()), stored.history_size_bytes
            )
        )
    return sizes
