"""Clause 7 in the archive: a warranty extension recorded once per key, and the warranty's end
with every extension the equipment has earned."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from activities.archive.once import insert_once
from activities.archive.schema import CaseRecord, Equipment, WarrantyExtensionRecord
from workflows import rules
from workflows.activity_io import WarrantyExtension
from workflows.messages import ENDED


def ends_on(equipment: Equipment) -> date:
    return rules.warranty_ends_on(
        equipment.warranty_start, equipment.warranty_months, equipment.extension_days
    )


def extend_once(session: Session, extension: WarrantyExtension) -> bool:
    """Record the extension and add its days, unless its key was recorded before; the insert
    and the addition share the caller's transaction, so neither can happen without the other."""
    values = {
        "key": extension.key,
        "serial": extension.equipment_serial,
        "case_id": extension.case_id,
        "days": extension.days,
        "created_at": datetime.now(UTC),
    }
    if not insert_once(session, WarrantyExtensionRecord, values):
        return False
    session.execute(
        update(Equipment)
        .where(Equipment.serial == extension.equipment_serial)
        .values(extension_days=Equipment.extension_days + extension.days)
    )
    return True


def open_cases_on(session: Session, serial: str, besides: str) -> list[str]:
    """The cases on `serial` other than `besides` that are still open, as the archive's rows
    have them: the ones a new extension of that equipment's warranty must reach."""
    cases = CaseRecord.__table__.c
    found = session.execute(
        select(cases.case_id)
        .where(cases.equipment_serial == serial)
        .where(cases.case_id != besides)
        .where(cases.status.not_in([status.value for status in ENDED]))
        .order_by(cases.case_id)
    )
    return list(found.scalars())
