"""How a v1.3 case opens: one marker, one `open_case` at the highest priority that places the
case and records its opening; a second record of the opening only when the activity's case is
not the workflow's (a worker of another release ran it); a case failed as a workflow when its
opening is refused for good."""

from __future__ import annotations

import json
from typing import Any

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowFailureError, WorkflowHandle

from tests.workflow_harness import desk, request
from workflows.activity_io import OPEN_CASE, RECORD_CASE_EVENT

REPLY = {"by": "Zhang", "message": "We are on it"}
CANCEL = {"by": "Li Wei", "reason": "fixed it ourselves"}


async def markers_and_activities(
    handle: WorkflowHandle[Any, Any],
) -> tuple[list[str], list[tuple[str, int, bool]]]:
    """The patch ids the case recorded, and each activity it scheduled: its name, its priority
    and whether its input carries the whole case."""
    history = await handle.fetch_history()
    markers, activities = [], []
    for event in history.events:
        if event.event_type == EventType.EVENT_TYPE_MARKER_RECORDED:
            patch = event.marker_recorded_event_attributes.details["patch-data"]
            markers.append(json.loads(patch.payloads[0].data)["id"])
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            scheduled = event.activity_task_scheduled_event_attributes
            argument = json.loads(scheduled.input.payloads[0].data)
            whole = argument.get("state") is not None
            activities.append(
                (scheduled.activity_type.name, scheduled.priority.priority_key, whole)
            )
    return markers, activities


async def test_a_new_case_opens_with_one_activity_that_records_its_opening(env, task_queue):
    async with desk(env, task_queue) as d:
        case_id, handle = await d.open(onsite_requested=True)
        await handle.execute_update("reply", REPLY)
        await handle.execute_update("cancel", CANCEL)
        state = await handle.result()
        markers, activities = await markers_and_activities(handle)
        notices = d.archive.notices_of(case_id)
        archived = d.archive.archived[case_id].state
    assert markers == ["repairdesk-1.4"]
    assert activities[0] == (OPEN_CASE, 1, False)
    assert {(name, whole) for name, _, whole in activities[1:]} == {(RECORD_CASE_EVENT, False)}
    assert notices[:2] == [("acknowledgement", "customer"), ("new_case", "office")]
    assert len(notices) == len(set(notices))
    assert archived.model_dump(mode="json") == state


async def test_an_opening_that_differs_from_the_workflows_is_recorded_again(env, task_queue):
    async with desk(env, task_queue) as d:
        d.archive.opens_another_case = True
        case_id, handle = await d.open()
        await handle.execute_update("cancel", CANCEL)
        state = await handle.result()
        _, activities = await markers_and_activities(handle)
        notices = d.archive.notices_of(case_id)
        archived = d.archive.archived[case_id].state
    assert [(name, whole) for name, _, whole in activities] == [
        (OPEN_CASE, False),
        (RECORD_CASE_EVENT, True),
        (RECORD_CASE_EVENT, False),
    ]
    assert notices.count(("acknowledgement", "customer")) == 1
    assert archived.model_dump(mode="json") == state


async def test_an_opening_refused_for_good_fails_the_case_as_a_workflow(env, task_queue):
    async with desk(env, task_queue) as d:
        d.archive.opening_refused = True
        handle = await env.client.start_workflow(
            "RepairCase", request("C-BAD-DATA"), id="case-C-BAD-DATA", task_queue=task_queue
        )
        with pytest.raises(WorkflowFailureError) as failed:
            await handle.result()
    assert "cannot be recorded" in str(failed.value.cause.cause)
