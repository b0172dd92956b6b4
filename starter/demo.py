"""`repairdesk dev --demo`: the sample archive and a few cases, so the UI has something to show.

The cases cover the three ways a case opens: in warranty with an on-site request (1 h / 3 h /
24 h clocks), post-warranty emergency (remote support first, 4 h on site), and an unknown
serial that the archive look-up rejects at once.
"""

from __future__ import annotations

import asyncio
from importlib.resources import as_file, files
from importlib.resources.abc import Traversable
from typing import Any

from temporalio.client import Client

from activities.archive.db import archive
from activities.archive.importer import ImportSummary, import_equipment
from activities.settings import Settings
from client.cases import new_case_id, open_new_case
from workflows.messages import CaseRequest

# Installed with the package (package data), so a wheel install finds it too.
SAMPLE_ARCHIVE: Traversable = files("starter") / "data" / "sample-archive.csv"
FIRST_CASE = (
    "repairdesk open --customer CUST-7 --serial SN-42 "
    '--fault "Chiller trips on high pressure" --onsite --contact-name "Li Wei"'
)

DEMO_CASES: tuple[tuple[str, dict[str, Any]], ...] = (
    (
        "in warranty, on site requested",
        {
            "customer_id": "CUST-7",
            "equipment_serial": "SN-42",
            "fault": "Chiller trips on high pressure",
            "onsite_requested": True,
            "contact": {"name": "Li Wei", "phone": "+86 10 5555 0100", "language": "zh"},
        },
    ),
    (
        "post warranty, emergency",
        {
            "customer_id": "CUST-7",
            "equipment_serial": "SN-43",
            "fault": "Compressor seized; the production line is down",
            "emergency": True,
            "contact": {"name": "Zhang Min", "email": "zhangmin@example.com", "language": "en"},
        },
    ),
    (
        "unknown serial, rejected by the archive look-up",
        {
            "customer_id": "CUST-9",
            "equipment_serial": "SN-999",
            "fault": "Spindle vibrates at high speed",
            "contact": {"name": "Chen Jie", "language": "zh"},
        },
    ),
)


async def load_sample(settings: Settings) -> ImportSummary:
    with as_file(SAMPLE_ARCHIVE) as path:
        return await asyncio.to_thread(import_equipment, archive(settings.database_url), path)


async def open_demo_cases(client: Client, settings: Settings) -> list[tuple[str, str]]:
    """Open the demo cases; returns (case id, what it shows) for each."""
    opened = []
    for label, fields in DEMO_CASES:
        request = CaseRequest.model_validate({**fields, "case_id": new_case_id(settings.zone)})
        case_id = await open_new_case(client, settings.task_queue, request, settings.zone)
        opened.append((case_id, label))
    return opened
