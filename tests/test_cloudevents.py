"""The finance event's shape: CloudEvents 1.0 structured mode, as the public contract names it."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from activities.finance.cloudevents import charge_recorded, decimal_string
from activities.finance.webhook import signature
from tests.charges import compensation, post_warranty_repair, third_party


def test_a_repair_charge_is_a_charge_recorded_event() -> None:
    booking = post_warranty_repair()
    event = json.loads(charge_recorded(booking))
    assert {k: v for k, v in event.items() if k != "data"} == {
        "specversion": "1.0",
        "type": "repairdesk.charge.recorded",
        "source": "repairdesk",
        "id": booking.charge.id,
        "time": "2026-11-24T16:30:00Z",
        "subject": "C-1001",
        "datacontenttype": "application/json",
    }
    data = event["data"]
    assert data["amount"] == "963.00"
    assert (data["kind"], data["payer"]) == ("chargeable_repair", "customer")
    assert data["currency"] == "CNY"
    assert (data["case_id"], data["customer_id"], data["equipment_serial"]) == (
        "C-1001",
        "CUST-7",
        "SN-42",
    )
    assert (data["coverage"], data["cause"]) == ("post_warranty", "wear_and_tear")
    assert data["lines"][0] == {
        "description": "pressure switch",
        "part_no": "P-100",
        "qty": "1",
        "unit_price": "320.00",
        "amount": "320.00",
    }
    assert [line["amount"] for line in data["lines"]] == ["320.00", "750.00", "-107.00"]
    assert "downtime_hours" not in data


def test_time_is_utc_whatever_zone_the_booking_came_in() -> None:
    booking = post_warranty_repair()
    shanghai = timezone(timedelta(hours=8))
    local = booking.model_copy(update={"booked_at": datetime(2026, 11, 25, 0, 30, tzinfo=shanghai)})
    assert json.loads(charge_recorded(local))["time"] == "2026-11-24T16:30:00Z"


def test_a_compensation_claim_carries_the_downtime_and_the_extension() -> None:
    data = json.loads(charge_recorded(compensation()))["data"]
    assert (data["kind"], data["payer"], data["amount"]) == ("compensation_claim", "vendor", "0.00")
    assert (data["downtime_hours"], data["warranty_extension_days"]) == ("26.50", 2)


def test_a_third_party_reimbursement_keeps_its_currency() -> None:
    data = json.loads(charge_recorded(third_party()))["data"]
    assert (data["kind"], data["payer"], data["amount"], data["currency"]) == (
        "third_party_reimbursement",
        "vendor",
        "1250.00",
        "USD",
    )
    assert data["cause"] is None


def test_the_body_is_the_same_bytes_every_time_it_is_built() -> None:
    booking = post_warranty_repair()
    assert charge_recorded(booking) == charge_recorded(booking.model_copy(deep=True))


def test_money_has_two_places_and_is_never_rounded() -> None:
    assert [decimal_string(Decimal(v)) for v in ("963", "0.5", "-107.00", "300.125")] == [
        "963.00",
        "0.50",
        "-107.00",
        "300.125",
    ]


def test_the_signature_is_hmac_sha256_of_the_body() -> None:
    # RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?"
    assert signature("Jefe", b"what do ya want for nothing?") == (
        "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    )
