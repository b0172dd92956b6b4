"""The archive activities RepairCase calls: look up the equipment, keep the case row current,
extend a warranty (clause 7).

They are sync methods: the worker runs them in its thread pool, so a slow database never blocks
the event loop. Each one is idempotent, since Temporal runs an activity at least once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.archive.case_rows import case_row, upsert_case
from activities.archive.contracts import terms_under
from activities.archive.db import archive
from activities.archive.schema import Contract, Customer, Equipment
from activities.archive.warranty import ends_on, extend_once
from activities.failures import fails_for_good_on_bad_data
from activities.logging import case_logger
from activities.settings import Settings
from workflows import rules
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
        """Place the case: whose equipment it is, whether it is in warranty on the day of the
        report (in the configured zone), and the terms in force. "Not ours" is an answer."""
        log = case_logger(request.case_id, equipment_serial=request.equipment_serial)
        with self.sessions() as session:
            equipment = session.get(Equipment, request.equipment_serial)
            if equipment is None or equipment.customer_id != request.customer_id:
                reason = self._refusal(request, equipment, session)
                log.info("equipment not placed", reason=reason)
                return CaseFacts(found=False, reason=reason)
            customer = session.get(Customer, equipment.customer_id)
            contract = session.get(Contract, equipment.customer_id)
            warranty_end = ends_on(equipment)
            reported_on = request.reported_at.astimezone(self.settings.zone).date()
            facts = CaseFacts(
                found=True,
                customer_name=customer.name if customer else None,
                equipment_model=equipment.model,
                site=equipment.site,
                warranty_ends_on=warranty_end,
                coverage=rules.coverage_on(reported_on, warranty_end),
                terms=terms_under(contract, self.settings.terms),
                timezone=self.settings.timezone,
            )
        log.info("equipment placed", coverage=facts.coverage, warranty_ends_on=str(warranty_end))
        return facts

    @staticmethod
    def _refusal(request: LookupRequest, equipment: Equipment | None, session: Session) -> str:
        serial = request.equipment_serial
        if equipment is None:
            return f"equipment serial {serial} is not in the archive"
        owner = session.get(Customer, equipment.customer_id)
        caller = session.get(Customer, request.customer_id)
        return (
            f"equipment serial {serial} belongs to customer {equipment.customer_id}"
            f"{f' ({owner.name})' if owner else ''}, not to customer {request.customer_id}"
            f"{f' ({caller.name})' if caller else ''}"
        )

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
