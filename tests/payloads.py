"""Every payload of the contract as a shape of fields, and strategies that draw it valid or
broken in one place (see tests/strategies.py for the fields)."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import strategies as st

from tests.strategies import (
    BAD_QTY,
    HUGE,
    Field,
    Shape,
    amount,
    any_time,
    bad_ids,
    choice,
    field,
    flag,
    ident,
    identifiers,
    invalid,
    listing,
    name,
    past_time,
    text,
    texts,
    valid,
)

# Where the tests' live case stands: reported this long ago, so the reply and on-site clocks are
# missed (a third-party repair fits) and the 24 h clock is far off.
REPORTED_AGO = timedelta(hours=4)
SERIALS = ["SN-42", "SN-43", "SN-50", "SN-UNKNOWN"]
CAUSES = [
    "product_defect", "spec_nonconformance", "guidance_error", "customer_modification",
    "improper_maintenance", "wear_and_tear", "unknown",
]  # fmt: skip


def contact() -> Field:
    valid = st.fixed_dictionaries(
        {},
        optional={
            "name": texts(200),
            "phone": st.from_regex(r"\+?[0-9 ]{3,30}", fullmatch=True),
            "email": st.sampled_from(["liwei@example.com", "李@例子.中国", "a.b+c@d.cn"]),
            "language": st.sampled_from(["zh", "en"]),
        },
    )
    bad = [
        "Li Wei", 7, None, {"email": "not-an-email"}, {"email": "a@b"}, {"language": "fr"},
        {"language": None}, {"name": HUGE}, {"name": ""}, {"phone": "1" * 51}, {"email": 5},
        {"phone": "1\x002"},
    ]  # fmt: skip
    return Field(valid, lambda: st.sampled_from(bad), required=False)


def _currency() -> Field:
    """Currencies with a minor unit (yen with decimals are refused: tests/test_rules_v1_2)."""
    valid = st.sampled_from(["CNY", "USD", "EUR", "cny"])
    return field(valid, ["XXX", "", "CN", "CNYY", "RMB", 156, True, HUGE], required=False)


PART: Shape = {
    "part_no": ident(),
    "description": name(required=False),
    "qty": field(st.integers(1, 100_000), BAD_QTY),
    "unit_price": amount(9_999_999_999),
}
# A settlement pays something (contract v1.2): every cost valid here is at least 1.00; and its
# costs add up to what the ledger holds: 100 costs of at most 9 999 999 999.99 stay below
# MAX_SETTLEMENT (tests/test_ip_rules.py has the sum over it).
COST: Shape = {"description": name(), "amount": amount(999_999_999_999, low_cents=100)}

CASE_REQUEST: Shape = {
    "case_id": ident(),
    "customer_id": field(st.sampled_from(["CUST-7", "CUST-8", "CUST-X"]), ["", 7, "a b"]),
    "equipment_serial": field(st.sampled_from(SERIALS), ["", "SN 42", "S" * 65, 42]),
    "fault": text(),
    "reported_at": past_time(timedelta(days=6), too_early=timedelta(days=8)),
    "onsite_requested": flag(),
    "emergency": flag(),
    "contact": contact(),
}
DISPUTE_REQUEST: Shape = {
    "dispute_id": ident(),
    "customer_id": field(st.sampled_from(["CUST-7", "CUST-8", "CUST-X"]), ["", 7, "a b"]),
    "equipment_serial": field(st.sampled_from(SERIALS), ["", "SN 42", 42], False, nullable=True),
    "claimant": name(),
    "right": choice(["patent", "copyright", "trademark", "other"]),
    "description": text(),
    "reported_at": past_time(timedelta(days=6), too_early=timedelta(days=8)),
    "contact": contact(),
}


def technician() -> Field:
    """Mostly the technicians a case has seen, so actions can follow one another."""
    return field(st.sampled_from(["T-3", "T-4"]) | identifiers, bad_ids())


CASE_ACTIONS: dict[str, Shape] = {
    "reply": {"by": name(), "message": text()},
    "dispatch": {
        "technician_id": technician(),
        "technician_name": name(required=False),
        "eta": any_time(),
    },
    "arrive": {
        "technician_id": technician(),
        "at": past_time(REPORTED_AGO - timedelta(minutes=30), too_early=REPORTED_AGO * 2),
    },
    "repaired": {
        "technician_id": technician(),
        "cause": choice(CAUSES),
        "parts": listing(valid(PART), invalid(PART).map(lambda b: b.payload), most=500),
        "labour_hours": amount(1_000_000, required=False),
        "equipment_stopped_at": past_time(timedelta(days=7), too_early=timedelta(days=9)),
        "equipment_restored_at": past_time(timedelta(hours=1)),
        "notes": text(required=False),
    },
    "third_party_repair": {
        "vendor": name(),
        "invoice_ref": name(),
        "amount": amount(99_999_999_999_999, low_cents=1),
        "currency": _currency(),
    },
    "cancel": {"by": name(), "reason": text()},
}
DISPUTE_ACTIONS: dict[str, Shape] = {
    "note": {"by": name(), "text": text()},
    "settle": {
        "by": name(),
        "outcome": text(),
        "costs": listing(valid(COST), invalid(COST).map(lambda b: b.payload), most=100, least=1),
        "currency": _currency(),
    },
    "withdraw": {"by": name(), "reason": text()},
}
