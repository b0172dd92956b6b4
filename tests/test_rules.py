"""The commitments' rules, table by table, without a server."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from workflows import rules
from workflows.messages import (
    Arrive,
    Breach,
    CaseState,
    Coverage,
    Dispatch,
    Repaired,
    Reply,
    Status,
    Terms,
    ThirdPartyRepair,
)

REPORTED = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
NOW = REPORTED + timedelta(minutes=30)
H = timedelta(hours=1)
TERMS = Terms()


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("45s", timedelta(seconds=45)),
        ("90m", timedelta(minutes=90)),
        ("1h", H),
        ("1h30m", timedelta(minutes=90)),
        ("2d", timedelta(days=2)),
        (" 24H ", timedelta(hours=24)),
        ("0.5h", timedelta(minutes=30)),
    ],
)
def test_durations(text, span):
    assert rules.parse_duration(text) == span


@pytest.mark.parametrize("text", ["", "1", "h", "1x", "-1h", "0s", "1h junk"])
def test_bad_durations_say_what_is_wrong(text):
    with pytest.raises(ValueError, match="duration|longer than zero"):
        rules.parse_duration(text)


@pytest.mark.parametrize(
    ("start", "months", "extension", "last_day"),
    [
        (date(2025, 1, 15), 12, 0, date(2026, 1, 15)),
        (date(2025, 1, 31), 1, 0, date(2025, 2, 28)),
        (date(2026, 1, 15), 24, 0, date(2028, 1, 15)),
        (date(2024, 1, 31), 1, 0, date(2024, 2, 29)),
        (date(2024, 2, 29), 12, 0, date(2025, 2, 28)),
        (date(2022, 3, 31), 6, 0, date(2022, 9, 30)),
        (date(2022, 3, 1), 12, 0, date(2023, 3, 1)),
        (date(2022, 3, 1), 12, 2, date(2023, 3, 3)),
        (date(2025, 12, 31), 2, 0, date(2026, 2, 28)),
    ],
)
def test_the_last_day_of_cover(start, months, extension, last_day):
    assert rules.warranty_ends_on(start, months, extension) == last_day


@pytest.mark.parametrize(
    ("reported_on", "coverage"),
    [
        (date(2028, 1, 13), Coverage.in_warranty),
        (date(2028, 1, 14), Coverage.in_warranty),
        (date(2028, 1, 15), Coverage.post_warranty),
    ],
)
def test_coverage_on_the_boundary(reported_on, coverage):
    assert rules.coverage_on(reported_on, date(2028, 1, 14)) is coverage


# Clause 7 across cases: another case's extension moves the end to (or past) a later report.
@pytest.mark.parametrize(
    ("coverage", "reported_on", "ends_on", "covered"),
    [
        (Coverage.post_warranty, date(2028, 1, 16), date(2028, 1, 17), True),
        (Coverage.post_warranty, date(2028, 1, 17), date(2028, 1, 17), True),
        (Coverage.post_warranty, date(2028, 1, 18), date(2028, 1, 17), False),
        (Coverage.in_warranty, date(2028, 1, 10), date(2028, 1, 17), False),
    ],
)
def test_an_extension_covers_a_later_report_up_to_its_new_end(
    coverage, reported_on, ends_on, covered
):
    assert rules.covered_by_extension(coverage, reported_on, ends_on) is covered


# The contract's table "Which SLAs run": (coverage, emergency, on-site needed) -> on-site span.
@pytest.mark.parametrize(
    ("coverage", "emergency", "onsite_needed", "onsite"),
    [
        (Coverage.in_warranty, False, True, 3 * H),
        (Coverage.in_warranty, True, True, 3 * H),
        (Coverage.in_warranty, False, False, None),
        (Coverage.in_warranty, True, False, 3 * H),
        (Coverage.post_warranty, True, False, 4 * H),
        (Coverage.post_warranty, True, True, 4 * H),
        (Coverage.post_warranty, False, True, None),
        (Coverage.post_warranty, False, False, None),
    ],
)
def test_which_clocks_run(coverage, emergency, onsite_needed, onsite):
    d = rules.deadlines(REPORTED, coverage, emergency, onsite_needed, TERMS)
    assert d.reply_due == REPORTED + H
    assert d.explanation_due == REPORTED + 24 * H
    assert d.onsite_due == (REPORTED + onsite if onsite else None)


def test_customer_terms_move_the_deadlines():
    terms = Terms(reply=timedelta(minutes=45), onsite=2 * H, repair=12 * H)
    d = rules.deadlines(REPORTED, Coverage.in_warranty, False, True, terms)
    assert (d.reply_due, d.onsite_due, d.explanation_due) == (
        REPORTED + timedelta(minutes=45),
        REPORTED + 2 * H,
        REPORTED + 12 * H,
    )


@pytest.mark.parametrize(
    ("warn_at", "span", "warning"),
    [
        ("0.75", H, timedelta(minutes=45)),
        ("0.5", 3 * H, timedelta(minutes=90)),
        ("0.9", 24 * H, timedelta(hours=21, minutes=36)),
    ],
)
def test_warning_time(warn_at, span, warning):
    assert rules.warning_at(REPORTED, REPORTED + span, Decimal(warn_at)) == REPORTED + warning


def case(status: Status, technician: str | None = None, **fields) -> CaseState:
    return CaseState(
        case_id="C-1",
        status=status,
        technician_id=technician,
        reported_at=REPORTED,
        coverage=Coverage.in_warranty,
        **fields,
    )


REPAIR = Repaired(technician_id="T-3", cause="unknown")
ARRIVE = Arrive(technician_id="T-3")
CLAIM = ThirdPartyRepair(vendor="Acme", invoice_ref="I-1", amount=Decimal("10"))
LATE_REPLY = Breach(sla="reply", due=REPORTED + H, noticed_at=REPORTED + H)
LATE_24H = Breach(sla="repair_24h", due=REPORTED + 24 * H, noticed_at=REPORTED + 24 * H)


@pytest.mark.parametrize(
    ("name", "action", "state", "reason"),
    [
        ("reply", Reply(by="Z", message="m"), case(Status.awaiting_reply), None),
        ("reply", Reply(by="Z", message="m"), case(Status.on_site, "T-3"), None),
        ("dispatch", Dispatch(technician_id="T-3"), case(Status.awaiting_reply), None),
        (
            "dispatch",
            Dispatch(technician_id="T-4"),
            case(Status.technician_dispatched, "T-3"),
            None,
        ),
        ("dispatch", Dispatch(technician_id="T-4"), case(Status.on_site, "T-3"), "already on site"),
        ("arrive", ARRIVE, case(Status.awaiting_technician), "after dispatch"),
        ("arrive", ARRIVE, case(Status.technician_dispatched, "T-3"), None),
        (
            "arrive",
            Arrive(technician_id="T-9"),
            case(Status.technician_dispatched, "T-3"),
            "not the one dispatched (T-3)",
        ),
        ("arrive", ARRIVE, case(Status.on_site, "T-3"), "already on site"),
        (
            "arrive",
            Arrive(technician_id="T-3", at=NOW + H),
            case(Status.technician_dispatched, "T-3"),
            "in the future",
        ),
        (
            "arrive",
            Arrive(technician_id="T-3", at=REPORTED - H),
            case(Status.technician_dispatched, "T-3"),
            "before the fault was reported",
        ),
        ("repaired", REPAIR, case(Status.awaiting_reply), "no technician"),
        ("repaired", REPAIR, case(Status.technician_dispatched, "T-3"), "has not reported arrival"),
        ("repaired", REPAIR, case(Status.on_site, "T-3"), None),
        (
            "repaired",
            Repaired(technician_id="T-9", cause="unknown"),
            case(Status.on_site, "T-3"),
            "not the one dispatched",
        ),
        (
            "repaired",
            Repaired(
                technician_id="T-3",
                cause="unknown",
                equipment_stopped_at=NOW,
                equipment_restored_at=NOW - H,
            ),
            case(Status.on_site, "T-3"),
            "must come before equipment_restored_at",
        ),
        ("third_party_repair", CLAIM, case(Status.awaiting_reply), "clause 4"),
        ("third_party_repair", CLAIM, case(Status.on_site, "T-3", breaches=[LATE_24H]), "clause 4"),
        ("third_party_repair", CLAIM, case(Status.awaiting_reply, breaches=[LATE_REPLY]), None),
        ("cancel", None, case(Status.on_site, "T-3"), None),
        ("reply", Reply(by="Z", message="m"), case(Status.repaired, "T-3"), "closed (repaired)"),
        ("cancel", None, case(Status.cancelled), "closed (cancelled)"),
        ("dispatch", Dispatch(technician_id="T-3"), case(Status.rejected), "closed (rejected)"),
    ],
)
def test_which_actions_fit(name, action, state, reason):
    from workflows.messages import Cancel

    action = action or Cancel(by="Li Wei", reason="fixed")
    found = rules.misfit(name, action, state, NOW)
    if reason is None:
        assert found is None
    else:
        assert found is not None and reason in found


@pytest.mark.parametrize(
    ("stopped_for", "days"),
    [(timedelta(seconds=1), 1), (24 * H, 1), (24 * H + timedelta(seconds=1), 2), (30 * H, 2)],
)
def test_downtime_is_rounded_up_to_whole_days(stopped_for, days):
    assert rules.extension_days(stopped_for) == days
