"""Driving cases for the fault-injection tests: a raw Temporal client (plain JSON, no
pydantic), each action an update with an id of its own, sent again with the same id when the
call fails on the way (Temporal applies it once and answers the first result)."""

from __future__ import annotations

import asyncio
import csv
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from temporalio.client import (
    Client,
    RPCTimeoutOrCancelledError,
    WorkflowHandle,
    WorkflowQueryFailedError,
)
from temporalio.service import RPCError

from activities.archive.contracts import COLUMNS as CONTRACT_COLUMNS
from activities.archive.importer import COLUMNS as EQUIPMENT_COLUMNS
from client.state_query import query_state, rebuilding
from tests.fault_paths import CUSTOMER_EMAIL, TERMS, CasePath

PATIENCE = 0.3  # between two tries at a call a dead worker could not answer


def serial(n: int) -> str:
    return f"F-SN-{n}"


def write_archive_files(folder: Path, cases: list[tuple[int, CasePath]]) -> tuple[Path, Path]:
    """The equipment (one machine per case) and the contracts, as the office loads them."""
    equipment, contracts = folder / "equipment.csv", folder / "contracts.csv"
    recent, old = date.today() - timedelta(days=30), date.today() - timedelta(days=3 * 365)
    with equipment.open("w", newline="") as out:
        rows = csv.writer(out)
        rows.writerow(EQUIPMENT_COLUMNS)
        for n, path in cases:
            start, months = (old, 12) if path.post_warranty else (recent, 24)
            rows.writerow(
                [path.customer, path.customer, serial(n), "CW-400", "Plant 1", start, months]
            )
    with contracts.open("w", newline="") as out:
        rows = csv.writer(out)
        rows.writerow(CONTRACT_COLUMNS)
        for customer in sorted({path.customer for _, path in cases}):
            terms = TERMS[customer]
            rows.writerow([customer, *(terms.get(c, "") for c in CONTRACT_COLUMNS[1:])])
    return equipment, contracts


def case_request(n: int, path: CasePath) -> dict[str, Any]:
    request = {
        "case_id": f"F-{n:04d}",
        "customer_id": path.customer,
        "equipment_serial": serial(n),
        "fault": "Chiller trips on high pressure",
        "onsite_requested": True,
        "contact": {"name": "Li Wei", "email": CUSTOMER_EMAIL, "language": ("zh", "en")[n % 2]},
    }
    return request | path.request


async def update(handle: WorkflowHandle[Any, Any], name: str, payload: Any, update_id: str) -> Any:
    while True:
        try:
            return await handle.execute_update(name, payload, id=update_id)
        except (RPCError, RPCTimeoutOrCancelledError):
            await patiently()


async def state(handle: WorkflowHandle[Any, Any]) -> dict[str, Any]:
    while True:
        try:
            found: dict[str, Any] = await query_state(handle)
            return found
        except (RPCError, RPCTimeoutOrCancelledError):
            await patiently()
        except WorkflowQueryFailedError as e:
            if not rebuilding(e):
                raise
            await patiently()


async def patiently() -> None:
    """Wait before sending again, unless the driver itself is being cancelled (the SDK reports
    a cancelled call as `RPCTimeoutOrCancelledError`, which must not be retried)."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError
    await asyncio.sleep(PATIENCE)


async def until_breach(handle: WorkflowHandle[Any, Any], sla: str) -> None:
    """Poll the case until it reports the breach (its clock is a few seconds long)."""
    while sla not in {b["sla"] for b in (await state(handle))["breaches"]}:
        await asyncio.sleep(PATIENCE)


async def drive(client: Client, queue: str, n: int, path: CasePath) -> dict[str, Any]:
    """Open the case, take it along its path, and return its result."""
    request = case_request(n, path)
    case_id = request["case_id"]
    handle = await client.start_workflow(
        "RepairCase", request, id=f"case-{case_id}", task_queue=queue
    )
    for step, (name, payload) in enumerate(path.steps):
        if name == "breach":
            await until_breach(handle, payload)
        else:
            await update(handle, name, payload, f"{case_id}-{step}-{name}")
    result: dict[str, Any] = await handle.result()
    return result
