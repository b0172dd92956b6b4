"""Case events as the workflow records them, for the record_case_event and relay tests: the
letters, charges and state of realistic cases (tests/notice_cases.py), in one CaseEvent."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from activities.archive.db import archive
from activities.archive.importer import import_equipment
from tests import notice_cases
from workflows.activity_io import CaseEvent, NoticeOrder, NoticeRequest, WarrantyExtension
from workflows.messages import Language

SAMPLE = Path(__file__).parent.parent / "starter" / "data" / "sample-archive.csv"
RUN_ID = notice_cases.RUN_ID


def sample_archive(database_url: str) -> None:
    import_equipment(archive(database_url), SAMPLE)


def event_of(requests: list[NoticeRequest], extension_days: int | None = None) -> CaseEvent:
    """One event carrying every letter of `requests`, the charges and the state of the last."""
    state = requests[-1].case
    extension = None
    if extension_days and state.equipment_serial:
        extension = WarrantyExtension(
            key=f"{state.case_id}/{RUN_ID}/repaired",
            case_id=state.case_id,
            equipment_serial=state.equipment_serial,
            days=extension_days,
        )
    return CaseEvent(
        run_id=RUN_ID,
        at=notice_cases.REPORTED_AT + timedelta(hours=26),
        case_id=state.case_id,
        version=state.version,
        state=state,
        notices=[
            NoticeOrder(key=r.key, kind=r.kind, audience=r.audience, sla=r.sla) for r in requests
        ],
        charges=state.charges,
        extension=extension,
    )


def late_repair(case_id: str = "C-1001", language: Language = Language.en) -> CaseEvent:
    """Eleven letters (customer and staff) and a 1,070.00 CNY chargeable repair."""
    return event_of(notice_cases.late_repair(language, case_id))


def cancelled(case_id: str = "C-1004", email: str | None = "liwei@example.com") -> CaseEvent:
    """Three letters: acknowledgement and cancellation to the customer, new case to the office."""
    return event_of(notice_cases.cancelled(Language.en, case_id, email=email))
