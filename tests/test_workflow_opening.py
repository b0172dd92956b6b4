"""Opening a case: validation of the request, the archive look-up, one workflow per open case."""

from __future__ import annotations

import pytest
from temporalio.client import WorkflowExecutionStatus
from temporalio.exceptions import WorkflowAlreadyStartedError

from tests.workflow_harness import OTHER_CUSTOMERS, desk, new_case_id, request


async def test_an_unknown_serial_is_refused_with_notices_and_no_charge(env, task_queue):
    async with desk(env, task_queue) as d:
        case_id, handle = await d.open(equipment_serial="SN-NOPE")
        result = await handle.result()
        assert result["status"] == "rejected"
        assert "SN-NOPE" in result["outcome"]["reason"]
        assert result["charges"] == []
        assert sorted(d.archive.notices_of(case_id)) == [
            ("rejected", "customer"),
            ("rejected", "office"),
        ]
        description = await handle.describe()
        assert description.status == WorkflowExecutionStatus.COMPLETED
        assert description.search_attributes["CaseStatus"] == ["rejected"]


async def test_a_serial_of_another_customer_is_refused(env, task_queue):
    async with desk(env, task_queue) as d:
        _, handle = await d.open(equipment_serial=OTHER_CUSTOMERS)
        result = await handle.result()
        assert result["status"] == "rejected"
        assert "another customer" in result["outcome"]["reason"]


DROP = object()


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        (
            {"case_id": DROP, "customer_id": DROP, "equipment_serial": DROP},
            {"case_id", "customer_id", "equipment_serial"},
        ),
        (
            {"customer_id": 7, "equipment_serial": ["SN"], "fault": ""},
            {"customer_id", "equipment_serial", "fault"},
        ),
        (
            {"onsite_requested": "sometimes", "contact": {"language": "fr"}},
            {"onsite_requested", "contact.language"},
        ),
        ({"fault": "x" * 1_000_000}, {"fault"}),
        ({"reported_at": "yesterday"}, {"reported_at"}),
        ({"reported_at": "2026-11-24T08:00:00"}, {"reported_at"}),
    ],
)
async def test_a_request_that_does_not_validate_ends_as_rejected_with_every_error(
    env, task_queue, changes, fields
):
    async with desk(env, task_queue) as d:
        case_id = new_case_id()
        merged = {**request(case_id), **changes}
        payload = {key: value for key, value in merged.items() if value is not DROP}
        handle = await env.client.start_workflow(
            "RepairCase", payload, id=f"case-{case_id}", task_queue=task_queue
        )
        result = await handle.result()
        assert result["status"] == "rejected"
        assert {e["field"] for e in result["outcome"]["errors"]} >= fields
        assert len(str(result)) < 20_000
        assert d.archive.notices_of(case_id) == []


async def test_a_long_fault_description_is_fine(env, task_queue):
    async with desk(env, task_queue) as d:
        _, handle = await d.open(fault="压缩机高压跳闸。" * 500)
        assert (await d.state(handle))["status"] == "awaiting_reply"


async def test_the_case_id_must_match_the_workflow_id(env, task_queue):
    async with desk(env, task_queue):
        handle = await env.client.start_workflow(
            "RepairCase", request("C-OTHER"), id=f"case-{new_case_id()}", task_queue=task_queue
        )
        result = await handle.result()
        assert result["status"] == "rejected"
        assert "does not match workflow id" in result["outcome"]["reason"]


async def test_no_input_at_all_is_rejected(env, task_queue):
    async with desk(env, task_queue):
        handle = await env.client.start_workflow(
            "RepairCase", id=f"case-{new_case_id()}", task_queue=task_queue
        )
        assert (await handle.result())["status"] == "rejected"


async def test_a_second_start_for_an_open_case_is_refused(env, task_queue):
    async with desk(env, task_queue) as d:
        case_id, handle = await d.open()
        await handle.execute_update("reply", {"by": "Zhang", "message": "ok"})
        with pytest.raises(WorkflowAlreadyStartedError):
            await env.client.start_workflow(
                "RepairCase",
                request(case_id, fault="again"),
                id=f"case-{case_id}",
                task_queue=task_queue,
            )
        state = await d.state(handle)
        assert (
            state["fault"] == "Chiller trips on high pressure"
            and state["status"] == "awaiting_technician"
        )


async def test_the_search_attributes_follow_the_case(env, task_queue):
    async with desk(env, task_queue) as d:
        _, handle = await d.open(emergency=True)
        await handle.execute_update("dispatch", {"technician_id": "T-3"})
        attributes = (await handle.describe()).search_attributes
        assert attributes["CaseStatus"] == ["technician_dispatched"]
        assert attributes["CustomerId"] == ["CUST-7"]
        assert attributes["EquipmentSerial"] == ["SN-42"]
        assert attributes["Coverage"] == ["in_warranty"]
        assert attributes["TechnicianId"] == ["T-3"]
        assert attributes["Emergency"] == [True]
        assert attributes["SlaBreached"] == [False]
