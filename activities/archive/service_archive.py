"""The customer's service archive (clause 1): the customer, each piece of equipment with its
warranty (clause 7 days included) and coverage today, and the customer's cases, IP disputes
(clause 10) and charges.

`repairdesk archive show CUSTOMER`, `GET /api/customers/{customer_id}` and the customer page
all give this.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from activities.archive.schema import (
    CaseRecord,
    Customer,
    DisputeRecord,
    Equipment,
    LedgerEntry,
)
from workflows import rules
from workflows.messages import Coverage


class EquipmentRecord(BaseModel):
    serial: str
    model: str | None
    site: str | None
    warranty_start: date
    warranty_months: int
    extension_days: int
    warranty_ends_on: date
    coverage_today: Coverage


class CaseSummary(BaseModel):
    case_id: str
    status: str
    equipment_serial: str | None
    coverage: str | None
    technician_id: str | None
    reported_at: datetime | None
    breached: bool
    outcome: str | None


class DisputeSummary(BaseModel):
    dispute_id: str
    status: str
    equipment_serial: str | None
    claimant: str | None
    right: str | None
    reported_at: datetime | None
    outcome: str | None


class ChargeRecord(BaseModel):
    charge_id: str
    case_id: str
    equipment_serial: str | None
    kind: str
    payer: str
    amount: Decimal
    currency: str
    booked_at: datetime
    delivery_status: str
    lines: list[dict[str, Any]]


class ServiceArchive(BaseModel):
    customer_id: str
    name: str
    equipment: list[EquipmentRecord]
    cases: list[CaseSummary]
    disputes: list[DisputeSummary]
    charges: list[ChargeRecord]


def _equipment(row: Equipment, today: date) -> EquipmentRecord:
    ends_on = rules.warranty_ends_on(row.warranty_start, row.warranty_months, row.extension_days)
    return EquipmentRecord(
        serial=row.serial,
        model=row.model,
        site=row.site,
        warranty_start=row.warranty_start,
        warranty_months=row.warranty_months,
        extension_days=row.extension_days,
        warranty_ends_on=ends_on,
        coverage_today=rules.coverage_on(today, ends_on),
    )


def _case(row: CaseRecord) -> CaseSummary:
    return CaseSummary(
        case_id=row.case_id,
        status=row.status,
        equipment_serial=row.equipment_serial,
        coverage=row.coverage,
        technician_id=row.technician_id,
        reported_at=row.reported_at,
        breached=row.breached,
        outcome=row.outcome,
    )


def _dispute(row: DisputeRecord) -> DisputeSummary:
    return DisputeSummary(
        dispute_id=row.dispute_id,
        status=row.status,
        equipment_serial=row.equipment_serial,
        claimant=row.claimant,
        right=row.right,
        reported_at=row.reported_at,
        outcome=row.outcome,
    )


def _charge(row: LedgerEntry) -> ChargeRecord:
    return ChargeRecord(
        charge_id=row.charge_id,
        case_id=row.case_id,
        equipment_serial=row.equipment_serial,
        kind=row.kind,
        payer=row.payer,
        amount=row.amount,
        currency=row.currency,
        booked_at=row.booked_at,
        delivery_status=row.delivery_status,
        lines=row.lines,
    )


def service_archive(
    sessions: sessionmaker[Session], customer_id: str, today: date
) -> ServiceArchive | None:
    """The archive of `customer_id` as of `today` (a date in REPAIRDESK_TIMEZONE); None when
    the customer is unknown. Cases, disputes and charges newest first."""
    with sessions() as session:
        customer = session.get(Customer, customer_id)
        if customer is None:
            return None
        equipment = session.scalars(
            select(Equipment).where(Equipment.customer_id == customer_id).order_by(Equipment.serial)
        )
        cases = session.scalars(
            select(CaseRecord)
            .where(CaseRecord.customer_id == customer_id)
            .order_by(CaseRecord.reported_at.desc())
        )
        disputes = session.scalars(
            select(DisputeRecord)
            .where(DisputeRecord.customer_id == customer_id)
            .order_by(DisputeRecord.reported_at.desc())
        )
        charges = session.scalars(
            select(LedgerEntry)
            .where(LedgerEntry.customer_id == customer_id)
            .order_by(LedgerEntry.booked_at.desc())
        )
        return ServiceArchive(
            customer_id=customer.customer_id,
            name=customer.name,
            equipment=[_equipment(row, today) for row in equipment],
            cases=[_case(row) for row in cases],
            disputes=[_dispute(row) for row in disputes],
            charges=[_charge(row) for row in charges],
        )


def customers(sessions: sessionmaker[Session]) -> list[tuple[str, str]]:
    """Every customer id and name, for picking one on the desk page."""
    with sessions() as session:
        rows = session.execute(select(Customer.customer_id, Customer.name).order_by(Customer.name))
        return [(row.customer_id, row.name) for row in rows]
