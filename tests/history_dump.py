"""Keep the evidence of a failed end-to-end run: every workflow's history as JSON, which
`temporalio.worker.Replayer` replays offline to find where a nondeterminism comes from."""

from __future__ import annotations

from pathlib import Path

from temporalio.client import Client


async def save_histories(client: Client, query: str, folder: Path) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    saved = 0
    async for execution in client.list_workflows(query):
        history = await client.get_workflow_handle(
            execution.id, run_id=execution.run_id
        ).fetch_history()
        (folder / f"{execution.id}.json").write_text(history.to_json())
        saved += 1
    return saved
