"""Placing a case: whose equipment it is, whether it is in warranty on the day of the report (in
the configured zone), and the terms in force for its customer. "Not ours" is an answer, with the
reason. `open_case` (v1.3) and `lookup_equipment` (v1.1, v1.2) both place with this."""

from __future__ import annotations

from sqlalchemy.orm import Session

from activities.archive.contracts import terms_under
from activities.archive.schema import Contract, Customer, Equipment
from activities.archive.warranty import ends_on
from activities.logging import case_logger
from activities.settings import Settings
from workflows import rules
from workflows.activity_io import CaseFacts, LookupRequest


def place(session: Session, request: LookupRequest, settings: Settings) -> CaseFacts:
    log = case_logger(request.case_id, equipment_serial=request.equipment_serial)
    equipment = session.get(Equipment, request.equipment_serial)
    if equipment is None or equipment.customer_id != request.customer_id:
        reason = _rejection(request, equipment, session)
        log.info("equipment not placed", reason=reason)
        return CaseFacts(found=False, reason=reason)
    customer = session.get(Customer, equipment.customer_id)
    contract = session.get(Contract, equipment.customer_id)
    warranty_end = ends_on(equipment)
    reported_on = rules.reported_on(request.reported_at, settings.zone)
    facts = CaseFacts(
        found=True,
        customer_name=customer.name if customer else None,
        equipment_model=equipment.model,
        site=equipment.site,
        warranty_ends_on=warranty_end,
        coverage=rules.coverage_on(reported_on, warranty_end),
        terms=terms_under(contract, settings.terms),
        timezone=settings.timezone,
    )
    log.info("equipment placed", coverage=facts.coverage, warranty_ends_on=str(warranty_end))
    return facts


def _rejection(request: LookupRequest, equipment: Equipment | None, session: Session) -> str:
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
