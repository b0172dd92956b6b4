"""Record the histories that tests/test_replay.py replays: `python -m tests.record_histories`.

Run it again only for a deliberate change of the workflow's commands (with a new version
of the workflow for the cases already running), never to make a failing replay pass.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

from temporalio.client import WorkflowHandle
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from tests.conftest import venv_binary
from tests.workflow_harness import POST_WARRANTY, REPAIR, desk

HISTORIES = Path(__file__).parent / "histories"
REPLY = {"by": "Zhang", "message": "We are on it"}


async def record(handle: WorkflowHandle[Any, Any]) -> None:
    """Saved under the workflow id, which the replay needs: the case id must match it."""
    history = await handle.fetch_history()
    (HISTORIES / f"{handle.id}.json").write_text(history.to_json())


async def main() -> None:
    async with await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=venv_binary("temporal-test-server"),
        data_converter=pydantic_data_converter,
    ) as env:
        from starter.connection import ensure_search_attributes

        await ensure_search_attributes(env.client, "default")
        async with desk(env, "histories") as d:
            _, handle = await d.open(case_id="C-REPAIRED", onsite_requested=True)
            await handle.execute_update("reply", REPLY)
            await handle.signal("arrive", {"technician_id": "T-3"})
            await handle.execute_update("dispatch", {"technician_id": "T-3"})
            await handle.execute_update("arrive", {"technician_id": "T-3"})
            await env.sleep(timedelta(hours=20))
            await handle.execute_update("repaired", {**REPAIR, "cause": "product_defect"})
            await handle.result()
            await record(handle)

            _, handle = await d.open(
                case_id="C-THIRD-PARTY", equipment_serial=POST_WARRANTY, emergency=True
            )
            await env.sleep(timedelta(hours=25))
            claim = {"vendor": "Acme", "invoice_ref": "I-1", "amount": "800.00"}
            await handle.execute_update("third_party_repair", claim)
            await handle.result()
            await record(handle)

            _, handle = await d.open(case_id="C-UNKNOWN-SERIAL", equipment_serial="SN-UNKNOWN")
            await handle.result()
            await record(handle)


if __name__ == "__main__":
    asyncio.run(main())
