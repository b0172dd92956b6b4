"""One benchmark worker in a process of its own, so that its RSS is its alone.

`python -m bench.worker_process repairdesk|bare ADDRESS TASK_QUEUE`: `repairdesk` is the real
worker (`build_worker`, settings from the environment as `repairdesk worker` reads them),
`bare` runs the baseline workflow with the SDK's defaults. It prints one JSON line once the
worker is built, then polls until it is terminated or its parent process goes away.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Worker

from activities.logging import configure_logging
from activities.settings import Settings
from bench.bare import BareCase
from worker import build_worker

PARENT_CHECK_SECONDS = 1.0


def make_worker(kind: str, client: Client, task_queue: str) -> Worker:
    if kind == "repairdesk":
        settings = Settings.from_env()
        configure_logging(settings.log_format)
        return build_worker(client, settings, task_queue)
    return Worker(client, task_queue=task_queue, workflows=[BareCase])


async def orphan_watch(parent: int) -> None:
    """Return once the benchmark that started this worker is gone (killed without cleanup)."""
    while os.getppid() == parent:
        await asyncio.sleep(PARENT_CHECK_SECONDS)


async def serve(kind: str, address: str, task_queue: str) -> None:
    parent = os.getppid()
    client = await Client.connect(address, data_converter=pydantic_data_converter)
    worker = make_worker(kind, client, task_queue)
    ready = {"kind": kind, "max_cached_workflows": worker.config().get("max_cached_workflows")}
    print(json.dumps(ready), flush=True)
    async with worker:
        await orphan_watch(parent)


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] not in ("repairdesk", "bare"):
        sys.exit("usage: python -m bench.worker_process repairdesk|bare ADDRESS TASK_QUEUE")
    asyncio.run(serve(*sys.argv[1:]))
