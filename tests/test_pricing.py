"""Who pays and how much, to the cent, against the contract's table "Which SLAs run, and who pays".

The expected amounts are written out by hand rather than recomputed with the rules under test,
so a change to the pricing shows up here as a changed number.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from temporalio.exceptions import ApplicationError

from activities.settings import terms_from_env
from workflows import rules
from workflows.activity_io import CaseFacts
from workflows.case_engine import parse_action
from workflows.case_file import CaseFile
from workflows.messages import (
    Arrive,
    CaseRequest,
    Cause,
    Charge,
    Coverage,
    Dispatch,
    Part,
    Repaired,
    Terms,
    ThirdPartyRepair,
)

REPORTED = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
IN, POST = Coverage.in_warranty, Coverage.post_warranty
# One pressure switch at 320.00 and 2.5 h of labour at the default 300.00: 1070.00 at list,
# 963.00 at the post-warranty price (10 % off).
SWITCH = Part(part_no="P-100", description="pressure switch", qty=1, unit_price=Decimal("320.00"))

WHO_PAYS: list[tuple[Coverage, Cause, str, str, str]] = [
    (IN, Cause.product_defect, "vendor", "warranty_cost", "1070.00"),
    (IN, Cause.spec_nonconformance, "vendor", "warranty_cost", "1070.00"),
    (IN, Cause.guidance_error, "vendor", "warranty_cost", "1070.00"),
    (IN, Cause.wear_and_tear, "vendor", "warranty_cost", "1070.00"),
    (IN, Cause.unknown, "vendor", "warranty_cost", "1070.00"),
    (IN, Cause.customer_modification, "customer", "chargeable_repair", "1070.00"),
    (IN, Cause.improper_maintenance, "customer", "chargeable_repair", "1070.00"),
    (POST, Cause.spec_nonconformance, "vendor", "warranty_cost", "1070.00"),
    (POST, Cause.guidance_error, "vendor", "warranty_cost", "1070.00"),
    (POST, Cause.product_defect, "customer", "chargeable_repair", "963.00"),
    (POST, Cause.wear_and_tear, "customer", "chargeable_repair", "963.00"),
    (POST, Cause.unknown, "customer", "chargeable_repair", "963.00"),
    (POST, Cause.customer_modification, "customer", "chargeable_repair", "963.00"),
    (POST, Cause.improper_maintenance, "customer", "chargeable_repair", "963.00"),
]


def test_the_table_covers_every_cause_in_and_out_of_warranty() -> None:
    assert {(coverage, cause) for coverage, cause, *_ in WHO_PAYS} == {
        (coverage, cause) for coverage in Coverage for cause in Cause
    }


def charge_for_case(coverage: Coverage, cause: Cause, emergency: bool) -> Charge:
    """Run a whole case through the case file, so the emergency flag is really in play."""
    request = CaseRequest(
        case_id="C-1001",
        customer_id="CUST-7",
        equipment_serial="SN-42",
        fault="Chiller trips on high pressure",
        onsite_requested=True,
        emergency=emergency,
    )
    case = CaseFile.from_request(request, REPORTED, run_id="run-1")
    ends_on = date(2027, 1, 1) if coverage is IN else date(2026, 1, 1)
    case.open(CaseFacts(found=True, coverage=coverage, warranty_ends_on=ends_on), REPORTED)
    at = REPORTED + timedelta(minutes=30)
    case.take("dispatch", Dispatch(technician_id="T-3"), at)
    case.take("arrive", Arrive(technician_id="T-3"), at)
    repair = Repaired(technician_id="T-3", cause=cause, parts=[SWITCH], labour_hours=Decimal("2.5"))
    case.take("repaired", repair, at)
    [charge] = case.state.charges
    return charge


@pytest.mark.parametrize("emergency", [False, True], ids=["routine", "emergency"])
@pytest.mark.parametrize(
    ("coverage", "cause", "payer", "kind", "amount"),
    WHO_PAYS,
    ids=[f"{coverage.value}-{cause.value}" for coverage, cause, *_ in WHO_PAYS],
)
def test_who_pays_and_how_much(
    coverage: Coverage, cause: Cause, payer: str, kind: str, amount: str, emergency: bool
) -> None:
    charge = charge_for_case(coverage, cause, emergency)
    assert (charge.payer, charge.kind, charge.amount) == (payer, kind, Decimal(amount))
    assert str(charge.amount) == amount
    assert (charge.coverage, charge.cause, charge.currency) == (coverage, cause, "CNY")
    assert sum(line.amount for line in charge.lines) == charge.amount


def price(parts: list[Part], hours: str, terms: Terms, coverage: Coverage = POST) -> Charge:
    repair = Repaired(
        technician_id="T-3", cause=Cause.wear_and_tear, parts=parts, labour_hours=Decimal(hours)
    )
    return rules.price_repair("charge-1", coverage, repair, terms)


def part(unit_price: str, qty: int = 1) -> Part:
    return Part(part_no="P-1", qty=qty, unit_price=Decimal(unit_price))


@pytest.mark.parametrize(
    ("env", "amount"),
    [
        ({}, "963.00"),
        ({"REPAIRDESK_POST_WARRANTY_DISCOUNT": "0.15"}, "909.50"),
        ({"REPAIRDESK_POST_WARRANTY_DISCOUNT": "0"}, "1070.00"),
        ({"REPAIRDESK_LABOUR_RATE": "280.00"}, "918.00"),
    ],
    ids=["default-10%", "15%", "no-discount", "labour-rate"],
)
def test_post_warranty_price_follows_the_environment(env: dict[str, str], amount: str) -> None:
    charge = price([SWITCH], "2.5", terms_from_env(env))
    assert str(charge.amount) == amount


def test_post_warranty_discount_is_its_own_line() -> None:
    charge = price([SWITCH], "2.5", Terms())
    assert [str(line.amount) for line in charge.lines] == ["320.00", "750.00", "-107.00"]
    assert charge.lines[1].qty == Decimal("2.5")
    assert charge.lines[1].unit_price == Decimal("300.00")


def test_parts_are_quantity_times_unit_price() -> None:
    charge = price([part("45.55", qty=3), SWITCH], "0", Terms(), coverage=IN)
    assert [str(line.amount) for line in charge.lines] == ["136.65", "320.00"]
    assert str(charge.amount) == "456.65"


@pytest.mark.parametrize(
    ("parts", "hours", "terms", "coverage", "amount"),
    [
        # 0.25 h x 300.10 = 75.025: half-up gives .03 where banker's rounding would give .02
        ([], "0.25", Terms(labour_rate=Decimal("300.10")), IN, "75.03"),
        # 0.05 x 0.90 = 0.045 -> 0.05
        ([part("0.05")], "0", Terms(), POST, "0.05"),
        # 0.25 x 0.90 = 0.225 -> 0.23 (banker's rounding would give 0.22)
        ([part("0.25")], "0", Terms(), POST, "0.23"),
        # 0.01 x 0.90 = 0.009 -> 0.01
        ([part("0.01")], "0", Terms(), POST, "0.01"),
        # 0.03 x 0.85 = 0.0255 -> 0.03
        ([part("0.03")], "0", Terms(discount=Decimal("0.15")), POST, "0.03"),
        # 999 999.99 x 0.90 = 899 999.991 -> 899 999.99
        ([part("999999.99")], "0", Terms(), POST, "899999.99"),
        # nothing used, nothing charged
        ([], "0", Terms(), POST, "0.00"),
    ],
    ids=[
        "labour-half",
        "discount-half",
        "discount-even-half",
        "discount-tiny",
        "15%-half",
        "big",
        "zero",
    ],
)
def test_rounding_is_half_up_to_the_cent(
    parts: list[Part], hours: str, terms: Terms, coverage: Coverage, amount: str
) -> None:
    assert str(price(parts, hours, terms, coverage).amount) == amount


def test_third_party_repair_is_reimbursed_in_full_by_the_vendor() -> None:
    claim = ThirdPartyRepair(
        vendor="CoolFix Ltd", invoice_ref="INV-9", amount=Decimal("1250.5"), currency="usd"
    )
    charge = rules.price_third_party("charge-3", POST, claim)
    assert (charge.kind, charge.payer, str(charge.amount), charge.currency) == (
        "third_party_reimbursement",
        "vendor",
        "1250.50",
        "USD",
    )
    [line] = charge.lines
    assert "CoolFix Ltd" in line.description and "INV-9" in line.description
    assert str(line.amount) == "1250.50"


@pytest.mark.parametrize(
    ("stopped_for", "hours", "days"),
    [
        (timedelta(seconds=1), "0.00", 1),
        (timedelta(hours=5), "5.00", 1),
        (timedelta(hours=24), "24.00", 1),
        (timedelta(hours=24, seconds=1), "24.00", 2),
        (timedelta(hours=26, minutes=30), "26.50", 2),
        (timedelta(days=3, minutes=20), "72.33", 4),
    ],
)
def test_compensation_claim_rounds_downtime_up_to_whole_days(
    stopped_for: timedelta, hours: str, days: int
) -> None:
    claim = rules.compensation_claim("charge-4", IN, Cause.product_defect, stopped_for, "CNY")
    assert (claim.kind, claim.payer, str(claim.amount)) == ("compensation_claim", "vendor", "0.00")
    assert (str(claim.downtime_hours), claim.warranty_extension_days) == (hours, days)
    assert rules.extension_days(stopped_for) == days


def test_downtime_comes_from_the_repair_report() -> None:
    repair = Repaired(
        technician_id="T-3",
        cause=Cause.product_defect,
        equipment_stopped_at=REPORTED,
        equipment_restored_at=REPORTED + timedelta(hours=30),
    )
    assert rules.downtime(repair) == timedelta(hours=30)
    assert rules.downtime(repair.model_copy(update={"equipment_restored_at": None})) is None


REPAIR = {"technician_id": "T-3", "cause": "wear_and_tear"}
SWITCH_JSON = {"part_no": "P-100", "qty": 1, "unit_price": "320.00"}


@pytest.mark.parametrize(
    ("name", "payload", "message"),
    [
        (
            "repaired",
            {**REPAIR, "parts": [{**SWITCH_JSON, "qty": -1}]},
            "parts.0.qty: Input should be greater than 0",
        ),
        (
            "repaired",
            {**REPAIR, "parts": [{**SWITCH_JSON, "unit_price": "-320.00"}]},
            "parts.0.unit_price: must not be negative",
        ),
        (
            "repaired",
            {**REPAIR, "parts": [{**SWITCH_JSON, "unit_price": "320.001"}]},
            "parts.0.unit_price: '320.001' has more than 2 decimals",
        ),
        (
            "repaired",
            {**REPAIR, "labour_hours": "-1"},
            "labour_hours: must not be negative",
        ),
        ("repaired", {**REPAIR, "cause": "act_of_god"}, "cause: Input should be 'product_defect'"),
        (
            "third_party_repair",
            {"vendor": "CoolFix", "invoice_ref": "INV-9", "amount": "10.005"},
            "amount: '10.005' has more than 2 decimals",
        ),
        (
            "third_party_repair",
            {"vendor": "CoolFix", "invoice_ref": "INV-9", "amount": "10", "currency": "XXX"},
            "currency: unknown ISO 4217 currency 'XXX'",
        ),
    ],
    ids=[
        "negative-qty",
        "negative-price",
        "three-decimals",
        "negative-hours",
        "unknown-cause",
        "third-party-decimals",
        "unknown-currency",
    ],
)
def test_bad_money_is_refused_with_a_message_naming_the_field(
    name: str, payload: dict[str, Any], message: str
) -> None:
    with pytest.raises(ApplicationError) as refused:
        parse_action(name, payload)
    assert refused.value.non_retryable
    assert f"{name} rejected: the payload does not validate" in refused.value.message
    assert message in refused.value.message
