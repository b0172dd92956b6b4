"""Clause 7 across cases, through the real worker and a real SQLite archive: one case's repair
extends the equipment's warranty past another open case's report, and that case comes under the
warranty at once, so its repair is free (clause 1)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert

from activities.archive.db import archive
from activities.archive.importer import import_equipment
from activities.archive.schema import CaseRecord
from tests.conftest import make_settings
from worker import build_worker
from workflows import search_attributes as keys

SERIAL = "SN-77"
WALK = [
    ("reply", {"by": "Zhang", "message": "We are on it"}),
    ("dispatch", {"technician_id": "T-3", "technician_name": "Zhao Lei"}),
    ("arrive", {"technician_id": "T-3"}),
]
PARTS = [{"part_no": "P-100", "description": "pressure switch", "qty": 1, "unit_price": "320.00"}]


def equipment_whose_warranty_ended(folder: Path, ended_on: date) -> Path:
    """SN-77, 12 months of warranty to `ended_on` (a day of the month up to the 28th)."""
    csv = folder / "archive.csv"
    start = ended_on.replace(year=ended_on.year - 1)
    csv.write_text(
        "customer_id,customer_name,serial,model,site,warranty_start,warranty_months\n"
        f"CUST-7,Huaxin Refrigeration,{SERIAL},Chiller CW-400,Plant room 3,{start},12\n"
    )
    return csv


async def open_case(env: Any, task_queue: str, reported_at: datetime) -> Any:
    case_id = f"C-{uuid.uuid4().hex[:8]}"
    body = {
        "case_id": case_id,
        "customer_id": "CUST-7",
        "equipment_serial": SERIAL,
        "fault": "Chiller trips on high pressure",
        "reported_at": reported_at.isoformat(),
        "onsite_requested": True,
    }
    return await env.client.start_workflow(
        "RepairCase", body, id=f"case-{case_id}", task_queue=task_queue
    )


async def placed(handle: Any) -> dict[str, Any]:
    for _ in range(200):
        state: dict[str, Any] = await handle.query("state")
        if state["coverage"] is not None:
            return state
        await asyncio.sleep(0.05)
    raise AssertionError(f"{handle.id} was never placed")


async def covered(handle: Any) -> dict[str, Any]:
    """The case once it has come under the warranty (in real time: the signal's round trip)."""
    for _ in range(200):
        state: dict[str, Any] = await handle.query("state")
        if state["coverage"] == "in_warranty":
            return state
        await asyncio.sleep(0.05)
    raise AssertionError(f"{handle.id} never came under the warranty")


def a_case_row_without_a_workflow(database_url: str) -> None:
    """An open case on SN-77 the archive holds but Temporal does not (kept from an earlier
    namespace): telling it must not stop the case that extended the warranty."""
    now = datetime.now(UTC)
    with archive(database_url).begin() as session:
        session.execute(
            insert(CaseRecord).values(
                case_id="C-GHOST",
                run_id="gone",
                version=1,
                status="awaiting_reply",
                customer_id="CUST-7",
                equipment_serial=SERIAL,
                state={"case_id": "C-GHOST", "status": "awaiting_reply", "timeline": []},
                updated_at=now,
            )
        )


async def test_an_extension_brings_a_later_open_case_under_the_warranty(
    env, task_queue, sqlite_url, tmp_path
):
    settings = make_settings(sqlite_url)
    zone = ZoneInfo(settings.timezone)
    now = await env.get_current_time()
    today = now.astimezone(zone).date()
    ended_on = today - timedelta(days=2)
    ended_on = ended_on.replace(day=min(ended_on.day, 28))
    import_equipment(archive(sqlite_url), equipment_whose_warranty_ended(tmp_path, ended_on))
    a_case_row_without_a_workflow(sqlite_url)

    async with build_worker(env.client, settings, task_queue):
        first = await open_case(env, task_queue, now - timedelta(days=3))
        later = await open_case(env, task_queue, now)
        assert (await placed(first))["coverage"] == "in_warranty"
        assert (await placed(later))["coverage"] == "post_warranty"

        for name, payload in WALK:
            await first.execute_update(name, payload)
        stopped_for_three_days = {
            "technician_id": "T-3",
            "cause": "product_defect",
            "parts": PARTS,
            "equipment_stopped_at": (now - timedelta(days=3)).isoformat(),
            "equipment_restored_at": now.isoformat(),
        }
        extended = await first.execute_update("repaired", stopped_for_three_days)
        new_end = date.fromisoformat(extended["warranty_ends_on"])
        assert new_end == ended_on + timedelta(days=3) and new_end >= today
        await first.result()  # after telling the other open cases, the ghost included

        state = await covered(later)
        assert state["warranty_ends_on"] == new_end.isoformat()
        [entry] = [e for e in state["timeline"] if e["kind"] == "warranty_extended"]
        # read from the archive, told by the signal: the signal's words are not believed
        assert entry["detail"].endswith("(clause 7): this case is now in warranty")
        assert state["deadlines"]["onsite_due"] is None  # clocks as set when it opened
        searched = (await later.describe()).typed_search_attributes
        assert searched.get(keys.COVERAGE) == "in_warranty"  # what managers search the UI by

        for name, payload in WALK:
            await later.execute_update(name, payload)
        repaired = await later.execute_update(
            "repaired", {"technician_id": "T-3", "cause": "product_defect", "parts": PARTS}
        )
        [charge] = repaired["charges"]
        assert (charge["kind"], charge["payer"], charge["coverage"]) == (
            "warranty_cost",
            "vendor",
            "in_warranty",
        )
        await later.result()

    with archive(sqlite_url)() as session:
        row = session.get(CaseRecord, later.id.removeprefix("case-"))
        assert row is not None and row.coverage == "in_warranty"
