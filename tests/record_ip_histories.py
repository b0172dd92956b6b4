"""Record the IpDispute histories that tests/test_replay.py replays:
`python -m tests.record_ip_histories v1.1-ip`.

Files are named after the workflow id, `ip-<dispute_id>.json`, which tells the replay test to
replay them with IpDispute. Like the cases' histories, a release's set is never overwritten.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from client.connection import ensure_search_attributes
from tests.conftest import venv_binary
from tests.ip_fakes import SETTLE, ip_desk
from tests.record_histories import HISTORIES, record

NOTE = {"by": "Wang", "text": "Counsel instructed"}


async def main(release: str) -> None:
    folder = HISTORIES / release
    if folder.exists():
        sys.exit(f"{folder} exists: a release's histories are never overwritten")
    folder.mkdir(parents=True)
    async with await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=venv_binary("temporal-test-server"),
        data_converter=pydantic_data_converter,
    ) as env:
        await ensure_search_attributes(env.client, "default")
        async with ip_desk(env, "histories") as d:
            settled = await d.open(dispute_id="IP-SETTLED")
            await settled.execute_update("note", NOTE)
            await settled.signal("note", {"by": "Wang"})
            await settled.execute_update("settle", SETTLE)
            await settled.result()
            await record(settled, folder)

            still_open = await d.open(dispute_id="IP-OPEN", equipment_serial=None)
            await still_open.execute_update("note", NOTE)
            await record(still_open, folder)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
    print(f"recorded under {Path(HISTORIES / sys.argv[1])}")
