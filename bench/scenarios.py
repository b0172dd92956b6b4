"""The two workloads: a RepairCase and the bare baseline, each started with the same request and
taken through the same four updates (reply, dispatch, arrive, repaired). Both send plain JSON,
as the call centre does."""

from __future__ import annotations

from typing import Any

from temporalio.client import Client, WorkflowHandle

from bench.bare import BARE_WORKFLOW
from bench.load import Scenario
from bench.seed import customer_of, serial

TECHNICIAN = "T-3"
CASE_STEPS = (
    ("reply", {"by": "Zhang", "message": "We have your report and are on it."}),
    ("dispatch", {"technician_id": TECHNICIAN, "technician_name": "Wang"}),
    ("arrive", {"technician_id": TECHNICIAN}),
    (
        "repaired",
        {
            "technician_id": TECHNICIAN,
            "cause": "product_defect",
            "parts": [{"part_no": "P-100", "qty": 1, "unit_price": "320.00"}],
            "labour_hours": "2.5",
            "notes": "Replaced the high-pressure switch; tested for an hour.",
        },
    ),
)


def case_request(case_id: str, serial_no: int) -> dict[str, Any]:
    return {
        "case_id": case_id,
        "customer_id": customer_of(serial_no),
        "equipment_serial": serial(serial_no),
        "fault": "Chiller trips on high pressure",
        "onsite_requested": True,
        "contact": {"name": "Li Wei", "email": "liwei@example.com", "language": "zh"},
    }


def repair_case_starter(tag: str) -> Any:
    async def start(client: Client, queue: str, n: int) -> WorkflowHandle[Any, Any]:
        case_id = f"{tag}-{n}"
        return await client.start_workflow(
            "RepairCase", case_request(case_id, n), id=f"case-{case_id}", task_queue=queue
        )

    return start


def bare_starter(tag: str) -> Any:
    async def start(client: Client, queue: str, n: int) -> WorkflowHandle[Any, Any]:
        case_id = f"{tag}-{n}"
        return await client.start_workflow(
            BARE_WORKFLOW, case_request(case_id, n), id=f"bare-{case_id}", task_queue=queue
        )

    return start


def repair_case(tag: str) -> Scenario:
    return Scenario(
        start=repair_case_starter(tag),
        steps=CASE_STEPS,
        finished_well=lambda result: result.get("status") == "repaired",
    )


def bare(tag: str) -> Scenario:
    return Scenario(
        start=bare_starter(tag),
        steps=CASE_STEPS,
        finished_well=lambda result: result.get("status") == "repaired",
    )
