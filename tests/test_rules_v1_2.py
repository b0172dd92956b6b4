"""Contract v1.2's rules, table by table, without a server: downtime counted once per stretch,
the on-site clock of an offered visit, amounts in the currency's minor unit, times people read
and type in a zone with daylight saving."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from pydantic import ValidationError

from workflows import rules
from workflows.clock_text import local_time_problem, shown
from workflows.ip_messages import Settle
from workflows.messages import Coverage, Terms, ThirdPartyRepair

T = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
H = timedelta(hours=1)


@pytest.mark.parametrize(
    ("stretch", "claimed", "downtime", "days"),
    [
        ((T, T + 24 * H), [], 24 * H, 1),
        # the same 24 h twice: counted once (the audit's probe)
        ((T, T + 24 * H), [(T, T + 24 * H)], timedelta(0), 0),
        # half of it claimed before
        ((T + 12 * H, T + 36 * H), [(T, T + 24 * H)], 12 * H, 1),
        # inside an earlier stretch
        ((T + 2 * H, T + 3 * H), [(T, T + 24 * H)], timedelta(0), 0),
        # apart from the earlier one: 23 h + 2 h is 25 h, 2 days in all, 1 more
        ((T + 30 * H, T + 32 * H), [(T, T + 23 * H)], 2 * H, 1),
        # 2 h apart from a 2 h stretch: 4 h in all, still 1 day
        ((T + 10 * H, T + 12 * H), [(T, T + 2 * H)], 2 * H, 0),
        # covering two earlier stretches and the gap between them
        ((T, T + 10 * H), [(T + 1 * H, T + 2 * H), (T + 5 * H, T + 6 * H)], 8 * H, 0),
    ],
)
def test_downtime_is_counted_once_per_stretch(stretch, claimed, downtime, days):
    assert rules.downtime_not_claimed(stretch, claimed) == (downtime, days)


def test_the_warranty_moves_by_the_union_of_the_stretches():
    stretches = [(T, T + 24 * H), (T + 12 * H, T + 36 * H), (T + 100 * H, T + 101 * H)]
    assert rules.union_length(stretches) == 37 * H
    assert rules.union_days(stretches) == 2
    assert rules.union_days([]) == 0


@pytest.mark.parametrize(
    ("coverage", "emergency", "requested", "starts_at_dispatch"),
    [
        (Coverage.in_warranty, False, False, True),  # a visit the vendor offers
        (Coverage.in_warranty, False, True, False),  # asked for: from the report
        (Coverage.in_warranty, True, False, False),  # an emergency made it necessary
        (Coverage.post_warranty, False, False, False),  # no clock at all (visit agreed)
        (Coverage.post_warranty, True, False, False),  # 4 h from the report
    ],
)
def test_when_the_onsite_clock_starts(coverage, emergency, requested, starts_at_dispatch):
    dispatched = T + 4 * H
    starts = rules.onsite_clock_from(coverage, emergency, requested, dispatched)
    assert starts == (dispatched if starts_at_dispatch else None)


def test_an_offered_visit_is_due_three_hours_after_its_dispatch():
    dispatched = T + 4 * H
    due = rules.deadlines(T, Coverage.in_warranty, False, True, Terms(), dispatched)
    assert due.onsite_due == dispatched + 3 * H
    assert due.reply_due == T + H and due.explanation_due == T + 24 * H


@pytest.mark.parametrize(
    ("amount", "currency", "problem"),
    [
        ("100", "JPY", None),
        ("100.50", "JPY", "JPY has no minor unit: 100.50 must be a whole number"),
        ("100.5", "KRW", "KRW has no minor unit"),
        ("100.50", "CNY", None),
        ("100.50", "USD", None),
    ],
)
def test_amounts_follow_the_minor_unit(amount, currency, problem):
    payload = {"vendor": "V", "invoice_ref": "I", "amount": amount, "currency": currency}
    if problem is None:
        claim = ThirdPartyRepair.model_validate(payload)
        charge = rules.price_third_party("id", Coverage.in_warranty, claim)
        assert charge.amount == Decimal(amount)
        assert str(charge.amount) == (amount if currency != "JPY" else "100")
    else:
        with pytest.raises(ValidationError, match=problem):
            ThirdPartyRepair.model_validate(payload)


@pytest.mark.parametrize(
    ("costs", "currency", "problem"),
    [
        ([{"description": "fees", "amount": "0.00"}], "CNY", "withdraw it"),
        ([{"description": "a", "amount": "0"}, {"description": "b", "amount": "0"}], "CNY", "0"),
        ([{"description": "fees", "amount": "12000.50"}], "JPY", "no minor unit"),
        ([{"description": "fees", "amount": "12000"}], "JPY", None),
        ([{"description": "fees", "amount": "0.01"}], "CNY", None),
    ],
)
def test_a_dispute_is_settled_only_with_something_to_pay(costs, currency, problem):
    payload = {"by": "Liu", "outcome": "settled", "costs": costs, "currency": currency}
    if problem is None:
        Settle.model_validate(payload)
    else:
        with pytest.raises(ValidationError, match=problem):
            Settle.model_validate(payload)


@pytest.mark.parametrize(
    ("moment", "zone", "text"),
    [
        # the night the clocks go back in Berlin: 02:15 twice, told apart by the offset
        (datetime(2026, 10, 25, 0, 15, tzinfo=UTC), "Europe/Berlin", "2026-10-25 02:15 +02:00"),
        (datetime(2026, 10, 25, 1, 15, tzinfo=UTC), "Europe/Berlin", "2026-10-25 02:15 +01:00"),
        (datetime(2026, 7, 1, 12, 0, tzinfo=UTC), "America/New_York", "2026-07-01 08:00 -04:00"),
        # no daylight saving: no offset
        (datetime(2026, 10, 25, 1, 15, tzinfo=UTC), "Asia/Shanghai", "2026-10-25 09:15"),
    ],
)
def test_times_shown_in_a_zone_with_daylight_saving_carry_their_offset(moment, zone, text):
    assert shown(moment, zone) == f"{text} {zone}"


@pytest.mark.parametrize(
    ("wall", "zone", "problem"),
    [
        (datetime(2027, 3, 28, 2, 30), "Europe/Berlin", "does not exist in Europe/Berlin"),
        (datetime(2026, 10, 25, 2, 15), "Europe/Berlin", "happens twice in Europe/Berlin"),
        (datetime(2026, 10, 25, 3, 15), "Europe/Berlin", None),
        (datetime(2027, 3, 28, 2, 30), "Asia/Shanghai", None),
    ],
)
def test_a_typed_local_time_must_name_one_moment(wall, zone, problem):
    found = local_time_problem(wall, zone)
    assert (found is None) if problem is None else (problem in (found or ""))
