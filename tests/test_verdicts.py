"""Contract v1.1's corrections on the pure case file, without a server: each verdict is judged
at the moment of the event, whatever order the workflow sees a timer and an action in."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from workflows import rules
from workflows.activity_io import CaseFacts
from workflows.case_file import BookCharge, CaseFile, ExtendWarranty, Notify
from workflows.messages import (
    ACTIONS,
    CaseRequest,
    Cause,
    Coverage,
    Part,
    Repaired,
    Status,
    Terms,
)

REPORTED = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
H = timedelta(hours=1)
IN, POST = Coverage.in_warranty, Coverage.post_warranty
T3 = {"technician_id": "T-3"}
REPLY = {"by": "Zhang", "message": "on it"}


def case(coverage: Coverage = IN, **request: Any) -> CaseFile:
    fields = {"case_id": "C-1", "customer_id": "CUST-7", "equipment_serial": "SN-42"}
    valid = CaseRequest(**{**fields, "fault": "trips", **request})
    opened = CaseFile.from_request(valid, REPORTED, run_id="run-1")
    ends_on = date(2027, 1, 1) if coverage is IN else date(2026, 1, 1)
    opened.open(CaseFacts(found=True, coverage=coverage, warranty_ends_on=ends_on), REPORTED)
    return opened


def act(c: CaseFile, name: str, payload: dict[str, Any], after: timedelta) -> str | None:
    return c.take(name, ACTIONS[name].model_validate(payload), REPORTED + after)


def breached(c: CaseFile) -> list[str]:
    return [b.sla for b in c.state.breaches]


def test_a_case_is_opening_until_the_archive_places_it() -> None:
    valid = CaseRequest(case_id="C-1", customer_id="CUST-7", equipment_serial="SN-42", fault="x")
    c = CaseFile.from_request(valid, REPORTED, run_id="run-1")
    assert c.state.status is Status.opening and c.state.deadlines.reply_due is None
    c.open(CaseFacts(found=True, coverage=IN, warranty_ends_on=date(2027, 1, 1)), REPORTED)
    assert c.state.status is Status.awaiting_reply
    assert c.state.deadlines.reply_due == REPORTED + H


@pytest.mark.parametrize(
    ("name", "payload", "after", "breaches"),
    [
        ("reply", REPLY, H, []),
        ("reply", REPLY, H + timedelta(milliseconds=1), ["reply"]),
        ("reply", REPLY, 2 * H, ["reply"]),
        ("cancel", {"by": "Li", "reason": "gone"}, 2 * H, ["reply"]),
        ("cancel", {"by": "Li", "reason": "gone"}, 30 * H, ["reply", "repair_24h"]),
        ("dispatch", T3, 2 * H, ["reply"]),
    ],
)
def test_a_late_action_never_erases_a_breach(name, payload, after, breaches) -> None:
    """The worker was down, or the action came in the same task as the timer: the clocks
    are judged first, at the action's time."""
    c = case()
    assert act(c, name, payload, after) is None
    assert breached(c) == breaches
    assert all(b.noticed_at == REPORTED + after for b in c.state.breaches)


@pytest.mark.parametrize("name", ["reply", "dispatch"])
def test_the_first_answer_of_any_kind_meets_the_reply_clock(name) -> None:
    c = case()
    payload = REPLY if name == "reply" else T3
    act(c, name, payload, 30 * timedelta(minutes=1))
    assert c.state.met["reply"] == REPORTED + timedelta(minutes=30)
    c.tick(REPORTED + 2 * H)
    assert "reply" not in breached(c)


def test_arrival_meets_the_reply_and_the_onsite_clocks() -> None:
    c = case(onsite_requested=True)
    act(c, "dispatch", T3, 2 * H)
    act(c, "arrive", T3, 2 * H)
    assert set(c.state.met) == {"reply", "onsite"} and breached(c) == ["reply"]


def test_third_party_is_allowed_the_instant_the_reply_is_late() -> None:
    """The validator sees the breach the timer has not fired yet, and changes nothing."""
    c = case()
    claim = ACTIONS["third_party_repair"].model_validate(
        {"vendor": "Acme", "invoice_ref": "I-1", "amount": "800.00"}
    )
    assert c.misfit("third_party_repair", claim, REPORTED + 30 * timedelta(minutes=1))
    assert c.misfit("third_party_repair", claim, REPORTED + 2 * H) is None
    assert c.state.breaches == []
    assert act(c, "third_party_repair", claim.model_dump(), 2 * H) is None
    assert breached(c) == ["reply"] and c.state.status is Status.third_party


@pytest.mark.parametrize(
    ("coverage", "emergency", "onsite_due"),
    [(IN, True, 3 * H), (IN, False, None), (POST, True, 4 * H), (POST, False, None)],
)
def test_which_on_site_clock_runs_at_opening(coverage, emergency, onsite_due) -> None:
    c = case(coverage, emergency=emergency)
    due = c.state.deadlines.onsite_due
    assert (due - REPORTED if due else None) == onsite_due


def test_a_technician_sent_back_is_dispatched_again() -> None:
    c = case()
    for technician in ("T-3", "T-4", "T-3"):
        assert act(c, "dispatch", {"technician_id": technician}, H / 2) is None
    assert c.state.technician_id == "T-3"
    assert act(c, "arrive", T3, H / 2) is None
    assert [e.kind for e in c.state.timeline].count("dispatch") == 3


def test_the_same_action_twice_in_a_row_is_one_action() -> None:
    c = case()
    act(c, "dispatch", T3, H / 2)
    act(c, "dispatch", T3, H / 2)
    act(c, "arrive", T3, H / 2)
    assert act(c, "arrive", T3, H / 2) is None
    kinds = [e.kind for e in c.state.timeline]
    assert kinds.count("dispatch") == 1 and kinds.count("arrive") == 1


def repaired_case(coverage: Coverage, cause: Cause, stopped: timedelta) -> CaseFile:
    c = case(coverage)
    act(c, "dispatch", T3, H / 2)
    act(c, "arrive", T3, H / 2)
    report = {
        **T3,
        "cause": cause,
        "equipment_stopped_at": (REPORTED - stopped).isoformat(),
        "equipment_restored_at": (REPORTED + 2 * H).isoformat(),
    }
    assert act(c, "repaired", report, 2 * H) is None
    return c


@pytest.mark.parametrize(
    ("coverage", "cause", "days"),
    [
        (IN, Cause.product_defect, 1),
        (IN, Cause.spec_nonconformance, 1),
        (IN, Cause.guidance_error, 1),
        (IN, Cause.wear_and_tear, None),
        (IN, Cause.unknown, None),
        (IN, Cause.customer_modification, None),
        (POST, Cause.spec_nonconformance, None),
        (POST, Cause.product_defect, None),
    ],
)
def test_clause_7_only_in_warranty_and_only_for_the_vendors_reasons(coverage, cause, days):
    c = repaired_case(coverage, cause, stopped=H)
    extensions = [e for e in c.take_effects() if isinstance(e, ExtendWarranty)]
    assert [e.days for e in extensions] == ([days] if days else [])
    claims = [ch for ch in c.state.charges if ch.kind == "compensation_claim"]
    assert len(claims) == (1 if days else 0)


def test_a_stop_more_than_a_week_before_the_report_is_refused() -> None:
    c = case()
    act(c, "dispatch", T3, H / 2)
    act(c, "arrive", T3, H / 2)
    stopped = (REPORTED - timedelta(days=3 * 365)).isoformat()
    report = {**T3, "cause": "product_defect", "equipment_stopped_at": stopped}
    assert "more than 7 days before" in (act(c, "repaired", report, H) or "")
    assert c.state.status is Status.on_site


@pytest.mark.parametrize(
    ("reported_at", "problem"),
    [
        (REPORTED + timedelta(minutes=4), None),
        (REPORTED + timedelta(minutes=6), "is in the future"),
        (REPORTED - timedelta(days=7), None),
        (REPORTED - timedelta(days=7, seconds=1), "is more than 7 days in the past"),
    ],
)
def test_a_report_time_must_be_plausible(reported_at, problem) -> None:
    assert rules.reported_at_problem(reported_at, REPORTED) == problem


@pytest.mark.parametrize(
    ("coverage", "cause", "parts", "hours", "rate", "amount", "favourable"),
    [
        (POST, Cause.unknown, [], "0.25", "300.10", "67.52", "-7.51"),
        (POST, Cause.unknown, [("0.01", 1)], "0", "300.00", "0.01", None),
        (POST, Cause.unknown, [], "0", "300.00", "0.00", None),
        (POST, Cause.unknown, [("320.00", 1)], "2.5", "300.00", "963.00", "-107.00"),
        (IN, Cause.customer_modification, [], "0.25", "300.10", "75.03", None),
        (POST, Cause.spec_nonconformance, [], "0.25", "300.10", "75.03", None),
    ],
)
def test_money_is_rounded_once(coverage, cause, parts, hours, rate, amount, favourable):
    repair = Repaired(
        technician_id="T-3",
        cause=cause,
        parts=[Part(part_no="P", qty=q, unit_price=Decimal(p)) for p, q in parts],
        labour_hours=Decimal(hours),
    )
    charge = rules.price_repair("x", coverage, repair, Terms(labour_rate=Decimal(rate)))
    assert charge.amount == Decimal(amount)
    assert sum(line.amount for line in charge.lines) == charge.amount
    off = [line.amount for line in charge.lines if "favourable" in line.description]
    assert off == ([Decimal(favourable)] if favourable else [])


def test_the_breach_a_late_repair_leaves_is_in_the_case_and_its_letters() -> None:
    c = case()
    act(c, "dispatch", T3, H / 2)
    act(c, "arrive", T3, H / 2)
    act(c, "repaired", {**T3, "cause": "unknown"}, 25 * H)
    assert breached(c) == ["repair_24h"]
    effects = c.take_effects()
    letters = {(e.kind, e.audience) for e in effects if isinstance(e, Notify)}
    assert {("breach", "manager"), ("written_explanation", "customer")} <= letters
    assert [e.charge.kind for e in effects if isinstance(e, BookCharge)] == ["warranty_cost"]
