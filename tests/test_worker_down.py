"""The worker is down across a deadline and the technician's action arrives while it is down:
when the worker comes back it sees the timer and the action in one workflow task, and the
breach stays recorded (contract v1.1). On a real dev server, with a 2 s reply clock."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, datetime, timedelta

from temporalio.worker import Worker

from tests.fake_activities import FakeArchive, Machine
from tests.workflow_harness import IN_WARRANTY, Desk, request
from workflows.messages import Terms
from workflows.repair_case import RepairCase

REPLY_IN = timedelta(seconds=2)


def worker(d: Desk) -> Worker:
    """No sticky cache: the next worker takes the case's next task from the shared queue."""
    return Worker(
        d.env.client,
        task_queue=d.task_queue,
        workflows=[RepairCase],
        activities=d.archive.activities(),
        max_cached_workflows=0,
    )


async def test_a_reply_sent_while_the_worker_was_down_leaves_the_breach(dev_env, task_queue):
    archive = FakeArchive(
        machines={IN_WARRANTY: Machine("CUST-7", date(2099, 1, 1))}, terms=Terms(reply=REPLY_IN)
    )
    d = Desk(dev_env, task_queue, archive)
    case_id = f"C-DOWN-{uuid.uuid4().hex[:8]}"
    async with worker(d):
        handle = await dev_env.client.start_workflow(
            "RepairCase", request(case_id), id=f"case-{case_id}", task_queue=task_queue
        )
        opened = await d.placed(handle)
    due = datetime.fromisoformat(opened["deadlines"]["reply_due"])
    await asyncio.sleep((due - datetime.now(due.tzinfo)).total_seconds() + 0.5)
    await handle.signal("reply", {"by": "Zhang", "message": "sorry, we are late"})
    async with worker(d):
        state = await d.state(handle)
        for _ in range(200):
            if "reply" in state["met"]:
                break
            await asyncio.sleep(0.05)
            state = await d.state(handle)
    [breach] = state["breaches"]
    assert breach["sla"] == "reply" and datetime.fromisoformat(breach["due"]) == due
    assert datetime.fromisoformat(state["met"]["reply"]) > due
    assert ("breach", "manager") in archive.notices_of(case_id)
    assert state["status"] == "awaiting_technician"
    description = await handle.describe()
    assert description.search_attributes["SlaBreached"] == [True]
