"""SLA compliance from the archive: the share of each deadline met, by SLA, customer and month.

The definition, for each SLA (`reply`, `onsite`, `repair_24h`) of each archived case:

- The case has that deadline only when its `*_due` is set (`reply_due`, `onsite_due`,
  `explanation_due`); otherwise it does not count for that SLA at all.
The report judges nothing itself: a breach is decided once, by the case (contract v1.1), and
the report reads the case's own verdicts from its archived row.

- **breached**: the SLA is in the case's `breaches`.
- **met**: the SLA is in the case's `met` and not in its `breaches`.
- **excluded** (not decided): the case ended (cancelled, third-party repair, repaired,
  rejected) with neither verdict; its clock stopped before the due time, nobody missed anything.
- **open** (not decided yet): the case is still open with neither verdict: its due time has not
  come, or its worker has not yet seen it pass (the case records the breach when it does).

Share met = met / (met + breached); excluded and open cases are reported but do not count. A
group with nothing decided has no share (shown as "-", `null` in JSON).

Cases are grouped by SLA, by SLA and customer, and by SLA and month; the month is that of
`reported_at` in REPAIRDESK_TIMEZONE. The period filter is on `reported_at` dates in that zone,
both ends inclusive.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from activities.archive.schema import CaseRecord
from workflows.messages import ENDED, Sla, Status
from workflows.rules import SLA_FIELDS, SLAS

NO_CUSTOMER = "-"

Verdict = Literal["met", "breached", "excluded", "open"]


@dataclass(frozen=True)
class CaseClocks:
    """What the report needs of one archived case: its deadlines and how each one went."""

    case_id: str
    customer_id: str | None
    status: Status
    reported_at: datetime
    due: frozenset[Sla]
    met: frozenset[Sla] = frozenset()
    breached: frozenset[Sla] = frozenset()


def verdict(case: CaseClocks, sla: Sla) -> Verdict | None:
    """The case's own verdict on `sla`; None when the case never had that deadline."""
    if sla not in case.due:
        return None
    if sla in case.breached:
        return "breached"
    if sla in case.met:
        return "met"
    return "excluded" if case.status in ENDED else "open"


@dataclass
class Tally:
    met: int = 0
    breached: int = 0
    excluded: int = 0
    open: int = 0

    def add(self, outcome: Verdict) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    @property
    def decided(self) -> int:
        return self.met + self.breached

    @property
    def share_met(self) -> float | None:
        return self.met / self.decided if self.decided else None


@dataclass
class Compliance:
    """The tallies, each keyed by SLA first, then by customer id or month (`YYYY-MM`)."""

    by_sla: dict[Sla, Tally]
    by_customer: dict[Sla, dict[str, Tally]]
    by_month: dict[Sla, dict[str, Tally]]
    cases: int

    @property
    def empty(self) -> bool:
        return self.cases == 0


def compliance(cases: Iterable[CaseClocks], zone: ZoneInfo) -> Compliance:
    """Tally every deadline of `cases`; groups come out sorted by key."""
    by_sla = {sla: Tally() for sla in SLAS}
    by_customer: dict[Sla, dict[str, Tally]] = {sla: defaultdict(Tally) for sla in SLAS}
    by_month: dict[Sla, dict[str, Tally]] = {sla: defaultdict(Tally) for sla in SLAS}
    count = 0
    for case in cases:
        count += 1
        month = case.reported_at.astimezone(zone).strftime("%Y-%m")
        for sla in SLAS:
            outcome = verdict(case, sla)
            if outcome is None:
                continue
            by_sla[sla].add(outcome)
            by_customer[sla][case.customer_id or NO_CUSTOMER].add(outcome)
            by_month[sla][month].add(outcome)
    return Compliance(
        by_sla=by_sla,
        by_customer={sla: dict(sorted(groups.items())) for sla, groups in by_customer.items()},
        by_month={sla: dict(sorted(groups.items())) for sla, groups in by_month.items()},
        cases=count,
    )


# --- the query ---


def day_bounds(
    date_from: date | None, date_to: date | None, zone: ZoneInfo
) -> tuple[datetime | None, datetime | None]:
    """The instants that bound the period: from midnight starting `date_from` to midnight
    ending `date_to` (exclusive), in `zone`."""
    start = datetime.combine(date_from, time(), zone) if date_from else None
    end = datetime.combine(date_to + timedelta(days=1), time(), zone) if date_to else None
    return start, end


def _clocks(row: Any) -> CaseClocks:
    return CaseClocks(
        case_id=row.case_id,
        customer_id=row.customer_id,
        status=Status(row.status),
        reported_at=row.reported_at,
        due=frozenset(sla for sla, column in SLA_FIELDS.items() if getattr(row, column)),
        met=frozenset(sla for sla, at in (row.met or {}).items() if sla in SLA_FIELDS and at),
        breached=frozenset(b["sla"] for b in row.breaches or [] if b.get("sla") in SLA_FIELDS),
    )


def archived_clocks(
    sessions: sessionmaker[Session],
    zone: ZoneInfo,
    date_from: date | None = None,
    date_to: date | None = None,
) -> Iterator[CaseClocks]:
    """Every archived case with at least one deadline, reported within the period."""
    start, end = day_bounds(date_from, date_to, zone)
    query = select(
        CaseRecord.case_id,
        CaseRecord.customer_id,
        CaseRecord.status,
        CaseRecord.reported_at,
        CaseRecord.reply_due,
        CaseRecord.onsite_due,
        CaseRecord.explanation_due,
        CaseRecord.met,
        CaseRecord.breaches,
    ).where(
        CaseRecord.reported_at.is_not(None),
        or_(*(getattr(CaseRecord, column).is_not(None) for column in SLA_FIELDS.values())),
    )
    if start is not None:
        query = query.where(CaseRecord.reported_at >= start)
    if end is not None:
        query = query.where(CaseRecord.reported_at < end)
    with sessions() as session:
        for row in session.execute(query.order_by(CaseRecord.reported_at)).yield_per(500):
            yield _clocks(row)
