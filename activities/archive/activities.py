"""The archive activities of the cases opened before v1.3: look up the equipment (v1.1, v1.2),
keep the case row current and extend a warranty (clause 7) (v1.0).

They are sync methods: the worker runs them in its thread pool, so a slow database never blocks
the event loop. Each one is idempotent, since Temporal runs an activity at least once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.archive.case_rows import case_row, upsert_case
from activities.archive.db import archive
from activities.archive.placement import place
from activities.archive.schema import Equipment
from activities.archive.warranty import ends_on, extend_once
from activities.failures import fails_for_good_on_bad_data
from activities.logging import case_logger
from activities.settings import Settings
from workflows.activity_io import (
    ARCHIVE_CASE,
    EXTEND_WARRANTY,
    LOOKUP_EQUIPMENT,
    ArchiveCase,
    CaseFacts,
    ExtensionResult,
    LookupRequest,
    WarrantyExtension,
)

UNKNOWN_EQUIPMENT = "UnknownEquipment"


class ArchiveActivities:
    """Activities backed by the archive at `settings.database_url`, migrated on creation."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.sessions = archive(settings.database_url)

    def all(self) -> list[Callable[..., Any]]:
        return [self.lookup_equipment, self.archive_case, self.extend_warranty]

    @activity.defn(name=LOOKUP_EQUIPMENT)
    @fails_for_good_on_bad_data
    def lookup_equipment(self, request: LookupRequest) -> CaseFacts:
        """Place the case (a case opened under v1.1 or v1.2; `open_case` since v1.3)."""
        with self.sessions() as session:
            return place(session, request, self.settings)

    @activity.defn(name=ARCHIVE_CASE)
    @fails_for_good_on_bad_data
    def archive_case(self, snapshot: ArchiveCase) -> None:
        """Keep the case row current; an older snapshot of the same run changes nothing."""
        state = snapshot.state
        with self.sessions.begin() as session:
            row = case_row(state, snapshot.run_id, datetime.now(UTC))
            upsert_case(session, row)
        case_logger(state.case_id).debug(
            "case archived", version=state.version, status=state.status.value
        )

    @activity.defn(name=EXTEND_WARRANTY)
    @fails_for_good_on_bad_data
    def extend_warranty(self, extension: WarrantyExtension) -> ExtensionResult:
        """Clause 7: add the downtime days to the warranty once per `key`, whatever is retried."""
        log = case_logger(extension.case_id, equipment_serial=extension.equipment_serial)
        with self.sessions.begin() as session:
            equipment = session.get(Equipment, extension.equipment_serial)
            if equipment is None:
                raise ApplicationError(
                    f"equipment serial {extension.equipment_serial} is not in the archive",
                    type=UNKNOWN_EQUIPMENT,
                    non_retryable=True,
                )
            added = extend_once(session, extension)
            session.refresh(equipment)
            warranty_end = ends_on(equipment)
        log.info(
            "warranty extended" if added else "warranty extension already recorded",
            days=extension.days,
            key=extension.key,
            warranty_ends_on=str(warranty_end),
        )
        return ExtensionResult(equipment_serial=equipment.serial, warranty_ends_on=warranty_end)
