"""Bookings of real priced charges, for the ledger and finance event tests."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from workflows import rules
from workflows.activity_io import ChargeBooking
from workflows.messages import Cause, Charge, Coverage, Part, Repaired, Terms, ThirdPartyRepair

BOOKED_AT = datetime(2026, 11, 24, 16, 30, tzinfo=UTC)
SWITCH = Part(part_no="P-100", description="pressure switch", qty=1, unit_price=Decimal("320.00"))


def booking(charge: Charge, case_id: str = "C-1001", customer_id: str = "CUST-7") -> ChargeBooking:
    return ChargeBooking(
        charge=charge,
        case_id=case_id,
        customer_id=customer_id,
        equipment_serial="SN-42",
        booked_at=BOOKED_AT,
    )


def post_warranty_repair(case_id: str = "C-1001", customer_id: str = "CUST-7") -> ChargeBooking:
    """963.00 CNY to the customer: 320.00 + 2.5 h x 300.00, 10 % off after the warranty."""
    repair = Repaired(
        technician_id="T-3",
        cause=Cause.wear_and_tear,
        parts=[SWITCH],
        labour_hours=Decimal("2.5"),
    )
    charge = rules.price_repair(str(uuid.uuid4()), Coverage.post_warranty, repair, Terms())
    return booking(charge, case_id, customer_id)


def third_party(case_id: str = "C-2002", customer_id: str = "CUST-9") -> ChargeBooking:
    claim = ThirdPartyRepair(
        vendor="CoolFix Ltd", invoice_ref="INV-9", amount=Decimal("1250"), currency="USD"
    )
    charge = rules.price_third_party(str(uuid.uuid4()), Coverage.in_warranty, claim)
    return booking(charge, case_id, customer_id)


def compensation(case_id: str = "C-1001") -> ChargeBooking:
    charge = rules.compensation_claim(
        str(uuid.uuid4()),
        Coverage.in_warranty,
        Cause.product_defect,
        timedelta(hours=26, minutes=30),
        "CNY",
    )
    return booking(charge, case_id)
