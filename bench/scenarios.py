"""The two workloads: a RepairCase and the bare baseline, each started with the same request and
taken through the same four updates (reply, dispatch, arrive, repaired). Both send plain JSON,
as the call centre does."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from temporalio.client import Client, WorkflowHandle

from bench.bare import BARE_WORKFLOW
from bench.load import Scenario, Starter
from bench.seed import customer_of, serial

ReportTime = Callable[[], datetime]

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


def case_request(
    case_id: str, serial_no: int, reported_at: datetime | None = None
) -> dict[str, Any]:
    """The start request; with `reported_at` (timezone-aware) the report is dated then, and
    the case's clocks run from then instead of from its start."""
    request: dict[str, Any] = {
        "case_id": case_id,
        "customer_id": customer_of(serial_no),
        "equipment_serial": serial(serial_no),
        "fault": "Chiller trips on high pressure",
        "onsite_requested": True,
        "contact": {"name": "Li Wei", "email": "liwei@example.com", "language": "zh"},
    }
    if reported_at is not None:
        request["reported_at"] = reported_at.isoformat()
    return request


def repair_case_starter(tag: str, reported_at: ReportTime | None = None) -> Starter:
    """Starts RepairCase n as `case-{tag}-{n}`; `reported_at`, when given, is asked for the
    report time at each start."""

    async def start(client: Client, queue: str, n: int) -> WorkflowHandle[Any, Any]:
        case_id = f"{tag}-{n}"
        request = case_request(case_id, n, reported_at() if reported_at else None)
        return await client.start_workflow(
            "RepairCase", request, id=f"case-{case_id}", task_queue=queue
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
