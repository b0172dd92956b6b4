"""The service commitments as pure functions: coverage, deadlines, which actions fit, who pays.

Every clause the case enforces is here, and nothing here does I/O or reads the clock, so the
workflow can call it freely and the tests can check it table by table. Clause numbers refer to
the vendor's published after-sales service commitments.
"""

from __future__ import annotations

import calendar
import math
import re
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from workflows.currencies import decimals_of
from workflows.messages import (
    ENDED,
    Action,
    Arrive,
    Breach,
    CaseState,
    Cause,
    Charge,
    ChargeLine,
    Coverage,
    Deadlines,
    Dispatch,
    Part,
    Repaired,
    Sla,
    Status,
    Terms,
    ThirdPartyRepair,
)

CENT = Decimal("0.01")
CLOCK_SKEW = timedelta(minutes=5)
# A report older than this is a typo, not a case; a stop this long before the report is too.
OLDEST_REPORT = timedelta(days=7)
# An expected arrival further ahead than this is a typo (a year 9999 eta could not even be shown
# in local time: every letter of the case would fail to render).
FURTHEST_ETA = timedelta(days=90)
SLA_FIELDS: dict[Sla, str] = {
    "reply": "reply_due",
    "onsite": "onsite_due",
    "repair_24h": "explanation_due",
}
SLAS: tuple[Sla, ...] = tuple(SLA_FIELDS)

# Clause 5: the customer pays for damage it caused. Clause 6: the vendor pays for its own
# nonconformance or wrong guidance, in or out of warranty. Clause 1: in warranty, repairs are free.
CUSTOMER_CAUSED = frozenset({Cause.customer_modification, Cause.improper_maintenance})
VENDOR_CAUSED_ALWAYS = frozenset({Cause.spec_nonconformance, Cause.guidance_error})
# Clause 7: downtime "for our reason" extends the warranty; wear and tear or an unknown cause
# is repaired free in warranty (clause 1) but earns no extension.
VENDOR_REASONS = frozenset({Cause.product_defect, *VENDOR_CAUSED_ALWAYS})

_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(d|h|m|s)")
_UNITS = {"d": 86400, "h": 3600, "m": 60, "s": 1}


def parse_duration(text: str) -> timedelta:
    """Parse `45s`, `90m`, `1h`, `1h30m` or `2d` into a timedelta; anything else is an error."""
    cleaned = text.strip().lower().replace(" ", "")
    if not cleaned or _DURATION.sub("", cleaned):
        raise ValueError(f"{text!r} is not a duration like 45s, 90m, 1h or 1h30m")
    seconds = sum(float(n) * _UNITS[unit] for n, unit in _DURATION.findall(cleaned))
    if seconds <= 0:
        raise ValueError(f"{text!r} must be longer than zero")
    try:
        return timedelta(seconds=seconds)
    except OverflowError:
        raise ValueError(f"{text!r} is far too long a duration") from None


def format_duration(span: timedelta) -> str:
    seconds = int(span.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0 and seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def add_months(start: date, months: int) -> date:
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)


def warranty_ends_on(start: date, months: int, extension_days: int = 0) -> date:
    """The last day of cover (PRC Civil Code arts. 201-202): the day of the month of the start,
    `months` later (the month's last day when it has no such day), plus the days earned by
    clause 7. 2025-01-15 + 12 months: 2026-01-15; 2025-01-31 + 1 month: 2025-02-28."""
    return add_months(start, months) + timedelta(days=extension_days)


def reported_on(reported_at: datetime, zone: ZoneInfo) -> date:
    """The day of the report where the vendor keeps its books (`REPAIRDESK_TIMEZONE`): the
    warranty's last day counts whole there."""
    return reported_at.astimezone(zone).date()


def coverage_on(reported_on: date, ends_on: date) -> Coverage:
    return Coverage.in_warranty if reported_on <= ends_on else Coverage.post_warranty


def covered_by_extension(coverage: Coverage, reported_on: date, ends_on: date) -> bool:
    """Clauses 7 and 1: a case reported after the warranty's end comes under the warranty when
    another case's extension (downtime the vendor caused) moves the end to or past its report."""
    return coverage is Coverage.post_warranty and coverage_on(reported_on, ends_on) is (
        Coverage.in_warranty
    )


# --- which clocks run (clauses 2, 3 and 9) ---


def onsite_span(
    coverage: Coverage, emergency: bool, onsite_needed: bool, terms: Terms
) -> timedelta | None:
    """The on-site commitment: 3 h in warranty when asked for or necessary (a dispatch or an
    emergency makes it necessary); 4 h for a
    post-warranty emergency (clause 9); none for a post-warranty visit agreed with the customer."""
    if coverage is Coverage.in_warranty:
        return terms.onsite if onsite_needed or emergency else None
    return terms.emergency_onsite if emergency else None


def deadlines(
    reported_at: datetime,
    coverage: Coverage,
    emergency: bool,
    onsite_needed: bool,
    terms: Terms,
    onsite_from: datetime | None = None,
) -> Deadlines:
    """Every clock counts from the report, but the on-site clock of a visit the vendor offers
    later (`onsite_from`, v1.2 of the contract: see `onsite_clock_from`)."""
    onsite = onsite_span(coverage, emergency, onsite_needed, terms)
    return Deadlines(
        reply_due=reported_at + terms.reply,
        onsite_due=(onsite_from or reported_at) + onsite if onsite else None,
        explanation_due=reported_at + terms.repair,
    )


def onsite_clock_from(
    coverage: Coverage, emergency: bool, onsite_requested: bool, dispatched_at: datetime
) -> datetime | None:
    """When the 3 h on-site clock starts, if not at the report: in warranty, when the customer
    did not ask for a visit and no emergency made one necessary, the office that dispatches a
    technician later (remote help did not suffice) starts it with that dispatch, so a visit the
    vendor offers is never a breach at the moment it is offered."""
    offered = coverage is Coverage.in_warranty and not (emergency or onsite_requested)
    return dispatched_at if offered else None


def due_of(sla: Sla, deadlines: Deadlines) -> datetime | None:
    due: datetime | None = getattr(deadlines, SLA_FIELDS[sla])
    return due


def warning_at(reported_at: datetime, due: datetime, warn_at: Decimal) -> datetime:
    """When the engineering office is warned: at `warn_at` of the span from report to deadline."""
    span_seconds = Decimal(str((due - reported_at).total_seconds()))
    return reported_at + timedelta(seconds=float(span_seconds * warn_at))


def reported_at_problem(reported_at: datetime, now: datetime) -> str | None:
    """Why a report time cannot be a real report: in the future, or over a week old."""
    if reported_at > now + CLOCK_SKEW:
        return "is in the future"
    if reported_at < now - OLDEST_REPORT:
        return f"is more than {OLDEST_REPORT.days} days in the past"
    return None


# --- which actions fit the case ---


def misfit(name: str, action: Action, case: CaseState, now: datetime) -> str | None:
    """Why `action` does not fit the case as it stands at `now`, or None when it fits.
    `case.breaches` must already hold every deadline missed before `now`."""
    if case.status in ENDED:
        return f"case {case.case_id} is closed ({case.status.value}); it takes no more actions"
    check = _FIT_CHECKS.get(name)
    return check(action, case, now) if check else None


def _dispatch_misfit(action: Action, case: CaseState, now: datetime) -> str | None:
    assert isinstance(action, Dispatch)
    if case.status is Status.on_site:
        return f"technician {case.technician_id} is already on site"
    if action.eta and case.reported_at and action.eta < case.reported_at:
        return f"eta {action.eta.isoformat()} is before the fault was reported"
    if action.eta and action.eta > now + FURTHEST_ETA:
        return f"eta {action.eta.isoformat()} is more than {FURTHEST_ETA.days} days ahead"
    return None


def _arrive_misfit(action: Action, case: CaseState, now: datetime) -> str | None:
    assert isinstance(action, Arrive)
    if case.status in (Status.awaiting_reply, Status.awaiting_technician):
        return "no technician has been dispatched yet: arrival comes after dispatch"
    if case.status is Status.on_site:
        return f"technician {case.technician_id} is already on site"
    if action.technician_id != case.technician_id:
        return f"technician {action.technician_id} is not the one dispatched ({case.technician_id})"
    return _time_misfit("at", action.at, case, now)


def _repaired_misfit(action: Action, case: CaseState, now: datetime) -> str | None:
    assert isinstance(action, Repaired)
    if case.status in (Status.awaiting_reply, Status.awaiting_technician):
        return "no technician has been dispatched yet: a repair report comes after arrival"
    if action.technician_id != case.technician_id:
        return f"technician {action.technician_id} is not the one dispatched ({case.technician_id})"
    if case.status is Status.technician_dispatched:
        return f"technician {case.technician_id} has not reported arrival on site yet"
    return _downtime_misfit(action, case, now)


def _downtime_misfit(repair: Repaired, case: CaseState, now: datetime) -> str | None:
    """The stop may lie up to a week before the report; neither time in the future; the stop
    before the restoration."""
    stopped, restored = repair.equipment_stopped_at, repair.equipment_restored_at
    for field, at in (("equipment_stopped_at", stopped), ("equipment_restored_at", restored)):
        if problem := _time_misfit(field, at, None, now):
            return problem
    if stopped and case.reported_at and stopped < case.reported_at - OLDEST_REPORT:
        return (
            f"equipment_stopped_at {stopped.isoformat()} is more than {OLDEST_REPORT.days} days "
            "before the fault was reported"
        )
    if stopped and restored and stopped >= restored:
        return "equipment_stopped_at must come before equipment_restored_at"
    return None


def _third_party_misfit(action: Action, case: CaseState, now: datetime) -> str | None:
    assert isinstance(action, ThirdPartyRepair)
    if not third_party_allowed(case.breaches):
        return (
            "a third-party repair at our cost is allowed only after we failed to reply or to "
            "send a technician in time (clause 4); this case has no such breach"
        )
    return None


def _time_misfit(
    field: str, at: datetime | None, case: CaseState | None, now: datetime
) -> str | None:
    if at is None:
        return None
    if at > now + CLOCK_SKEW:
        return f"{field} {at.isoformat()} is in the future"
    if case is not None and case.reported_at and at < case.reported_at:
        return f"{field} {at.isoformat()} is before the fault was reported"
    return None


_FIT_CHECKS = {
    "dispatch": _dispatch_misfit,
    "arrive": _arrive_misfit,
    "repaired": _repaired_misfit,
    "third_party_repair": _third_party_misfit,
}


def third_party_allowed(breaches: Sequence[Breach]) -> bool:
    """Clause 4: the customer may hire a third party once we failed to respond or to come."""
    return any(b.sla in ("reply", "onsite") for b in breaches)


# --- who pays, and how much (clauses 1, 4-8) ---


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def in_minor_units(amount: Decimal, currency: str) -> Decimal:
    """`amount` rounded half-up to the currency's minor unit (ISO 4217): yen have none."""
    return amount.quantize(Decimal(1) if decimals_of(currency) == 0 else CENT, ROUND_HALF_UP)


def _percent(share: Decimal) -> str:
    return format((share * 100).normalize(), "f")


def vendor_pays(coverage: Coverage, cause: Cause) -> bool:
    if cause in VENDOR_CAUSED_ALWAYS:
        return True
    return coverage is Coverage.in_warranty and cause not in CUSTOMER_CAUSED


def _line(description: str, qty: Decimal, unit_price: Decimal, part_no: str | None = None):
    return ChargeLine(
        description=description,
        part_no=part_no,
        qty=qty,
        unit_price=unit_price,
        amount=cents(qty * unit_price),
    )


def list_price(parts: Sequence[Part], labour_hours: Decimal, terms: Terms) -> Decimal:
    """Parts and labour at list, exactly (not rounded)."""
    return sum((p.unit_price * p.qty for p in parts), Decimal(0)) + labour_hours * terms.labour_rate


def list_lines(parts: Sequence[Part], labour_hours: Decimal, terms: Terms) -> list[ChargeLine]:
    lines = [
        _line(p.description or p.part_no, Decimal(p.qty), p.unit_price, p.part_no) for p in parts
    ]
    if labour_hours > 0:
        labour = f"labour {labour_hours} h at {terms.labour_rate} per hour"
        lines.append(_line(labour, labour_hours, terms.labour_rate))
    return lines


def price_repair(charge_id: str, coverage: Coverage, repair: Repaired, terms: Terms) -> Charge:
    """The charge for a repair: at list to the vendor or the customer, or at the favourable
    post-warranty price (clause 8) when the customer pays after the warranty. The amount is
    computed exactly and rounded half-up to the cent once; the favourable-price line takes
    whatever difference makes the lines add up to it, and is left out when it is zero."""
    vendor = vendor_pays(coverage, repair.cause)
    share = 1 - terms.discount if not vendor and coverage is Coverage.post_warranty else 1
    amount = cents(list_price(repair.parts, repair.labour_hours, terms) * share)
    lines = list_lines(repair.parts, repair.labour_hours, terms)
    difference = amount - sum((line.amount for line in lines), Decimal("0.00"))
    if difference:
        favourable = f"post-warranty favourable price: {_percent(terms.discount)}% off list"
        lines.append(_line(favourable, Decimal(1), difference))
    return Charge(
        id=charge_id,
        kind="warranty_cost" if vendor else "chargeable_repair",
        payer="vendor" if vendor else "customer",
        lines=lines,
        amount=amount,
        currency=terms.currency,
        coverage=coverage,
        cause=repair.cause,
    )


def price_third_party(charge_id: str, coverage: Coverage | None, claim: ThirdPartyRepair) -> Charge:
    """Clause 4: the vendor reimburses the third party's invoice in full."""
    amount = in_minor_units(claim.amount, claim.currency)
    line = ChargeLine(
        description=f"third-party repair by {claim.vendor}, invoice {claim.invoice_ref}",
        qty=Decimal(1),
        unit_price=amount,
        amount=amount,
    )
    return Charge(
        id=charge_id,
        kind="third_party_reimbursement",
        payer="vendor",
        lines=[line],
        amount=amount,
        currency=claim.currency,
        coverage=coverage,
    )


def earns_extension(coverage: Coverage, cause: Cause) -> bool:
    """Clause 7 applies within the warranty only, and only for the vendor's reasons."""
    return coverage is Coverage.in_warranty and cause in VENDOR_REASONS


def extending_stretch(coverage: Coverage, repair: Repaired) -> Stretch | None:
    """Clause 7: the repair's stretch of downtime when it earns an extension (in warranty, for
    the vendor's reason, both times given and the stop before the restoration), else None."""
    stopped, restored = repair.equipment_stopped_at, repair.equipment_restored_at
    if stopped is None or restored is None or not downtime(repair):
        return None
    return (stopped, restored) if earns_extension(coverage, repair.cause) else None


def downtime(repair: Repaired) -> timedelta | None:
    if repair.equipment_stopped_at is None or repair.equipment_restored_at is None:
        return None
    span = repair.equipment_restored_at - repair.equipment_stopped_at
    return span if span > timedelta(0) else None


def extension_days(stopped_for: timedelta) -> int:
    """Clause 7: the warranty is extended by the downtime, rounded up to whole days."""
    return math.ceil(stopped_for / timedelta(days=1))


Stretch = tuple[datetime, datetime]


def union_length(stretches: Sequence[Stretch]) -> timedelta:
    """How long the equipment stood still in all `stretches` together, overlaps counted once."""
    total, reached = timedelta(0), None
    for stopped, restored in sorted(stretches):
        if reached is None or stopped > reached:
            total += restored - stopped
            reached = restored
        elif restored > reached:
            total += restored - reached
            reached = restored
    return total


def union_days(stretches: Sequence[Stretch]) -> int:
    """Clause 7 over every stretch of one piece of equipment: the union, in whole days up."""
    stood = union_length(stretches)
    return extension_days(stood) if stood > timedelta(0) else 0


def downtime_not_claimed(stretch: Stretch, claimed: Sequence[Stretch]) -> tuple[timedelta, int]:
    """Clause 7 counts the actual stop time once: of `stretch`, the downtime that no stretch
    `claimed` before holds, and the days it adds to the warranty (the union of all stretches in
    whole days, less the days the earlier ones earned)."""
    together = [*claimed, stretch]
    new = union_length(together) - union_length(claimed)
    return new, union_days(together) - union_days(claimed)


def compensation_claim(
    charge_id: str,
    coverage: Coverage,
    cause: Cause,
    stopped_for: timedelta,
    currency: str,
    days: int | None = None,
) -> Charge:
    """Clause 7: the loss from vendor-caused downtime is for finance to assess; the claim
    carries the downtime and the days added to the warranty (by default, the downtime in
    whole days up), with no amount set yet."""
    hours = cents(Decimal(str(stopped_for.total_seconds())) / 3600)
    days = extension_days(stopped_for) if days is None else days
    line = ChargeLine(
        description=f"equipment stopped {hours} h by a vendor-caused fault; "
        f"warranty extended by {days} day(s)",
        qty=hours,
        unit_price=Decimal("0.00"),
        amount=Decimal("0.00"),
    )
    return Charge(
        id=charge_id,
        kind="compensation_claim",
        payer="vendor",
        lines=[line],
        amount=Decimal("0.00"),
        currency=currency,
        coverage=coverage,
        cause=cause,
        downtime_hours=hours,
        warranty_extension_days=days,
    )


# =====================================================================================
# Clause 10: intellectual-property disputes (workflow IpDispute). Appended as one section.
# =====================================================================================

from workflows.ip_messages import Cost  # noqa: E402 - kept inside this section on purpose


def price_ip_indemnity(charge_id: str, costs: Sequence[Cost], currency: str) -> Charge:
    """Clause 10: the vendor bears every legal and economic cost of the dispute. One line per
    cost, as given to the cent; the amount is their exact sum. No coverage and no cause."""
    lines = [
        ChargeLine(
            description=cost.description,
            qty=Decimal(1),
            unit_price=in_minor_units(cost.amount, currency),
            amount=in_minor_units(cost.amount, currency),
        )
        for cost in costs
    ]
    return Charge(
        id=charge_id,
        kind="ip_indemnity",
        payer="vendor",
        lines=lines,
        amount=in_minor_units(sum((line.amount for line in lines), Decimal(0)), currency),
        currency=currency,
    )
