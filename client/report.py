"""The SLA compliance report: built from the archive, as it reads on a terminal, and its JSON
form (`repairdesk report --json`, `GET /api/report`).

A deadline counts once it is decided: met (at or before its due time) or breached (recorded as
a breach, met late, or overdue). A case that ended before a deadline without meeting it is
excluded; an open case whose deadline has not come yet is not counted. Months and the period's
dates (both inclusive, YYYY-MM-DD) are in REPAIRDESK_TIMEZONE. Times are shown in
REPAIRDESK_TIMEZONE with the zone named; the JSON keeps RFC 3339 times, ISO dates and shares
as numbers between 0 and 1 (`null` when nothing was decided).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from activities.archive.compliance import Compliance, Tally, archived_clocks, compliance
from activities.finance.cloudevents import rfc3339
from workflows.clock_text import shown
from workflows.rules import SLAS

SLA_TITLES = {
    "reply": "Reply to the customer",
    "onsite": "Technician on site",
    "repair_24h": "Repaired, or explained in writing, within 24 h",
}
COUNT_HEADERS = ("MET", "BREACHED", "SHARE MET", "EXCLUDED", "OPEN")


@dataclass(frozen=True)
class Report:
    compliance: Compliance
    date_from: date | None
    date_to: date | None
    generated_at: datetime
    zone: ZoneInfo

    def period(self) -> str:
        if self.date_from and self.date_to:
            return f"reported {self.date_from} to {self.date_to}"
        if self.date_from:
            return f"reported from {self.date_from}"
        if self.date_to:
            return f"reported up to {self.date_to}"
        return "all cases in the archive"

    def generated(self) -> str:
        return shown(self.generated_at, self.zone.key)


class BadPeriod(ValueError):
    """A period's first or last day is not a date, or the period ends before it starts."""


def parse_day(option: str, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise BadPeriod(f"{option} {value!r} is not a date (expected YYYY-MM-DD)") from None


def period(
    date_from: str | None, date_to: str | None, options: tuple[str, str]
) -> tuple[date | None, date | None]:
    """The first and last report dates; `options` names them in a BadPeriod's message."""
    start = parse_day(options[0], date_from)
    end = parse_day(options[1], date_to)
    if start and end and end < start:
        raise BadPeriod(f"{options[1]} {end} is before {options[0]} {start}")
    return start, end


def build_report(
    sessions: sessionmaker[Session], zone: ZoneInfo, start: date | None, end: date | None
) -> Report:
    now = datetime.now(UTC).replace(microsecond=0)
    return Report(
        compliance(archived_clocks(sessions, zone, start, end), zone), start, end, now, zone
    )


def percent(share: float | None) -> str:
    return "-" if share is None else f"{share * 100:.1f}%"


def counts(tally: Tally) -> list[str]:
    return [
        str(tally.met),
        str(tally.breached),
        percent(tally.share_met),
        str(tally.excluded),
        str(tally.open),
    ]


def table(headers: Sequence[str], rows: list[list[str]], text_columns: int) -> list[str]:
    """Columns as wide as their widest cell; the first `text_columns` left-aligned, the
    counts right-aligned."""
    widths = [max(len(cell) for cell in column) for column in zip(headers, *rows, strict=True)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            f"{cell:<{width}}" if i < text_columns else f"{cell:>{width}}"
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    return [line(headers), *(line(row) for row in rows)]


def grouped_rows(groups: dict[str, dict[str, Tally]]) -> list[list[str]]:
    return [[sla, key, *counts(tally)] for sla in SLAS for key, tally in groups[sla].items()]


def text(report: Report) -> str:
    c = report.compliance
    head = [
        f"SLA compliance: {report.period()} ({report.zone.key})",
        f"generated {report.generated()}; {c.cases} case{'' if c.cases == 1 else 's'} "
        "with deadlines",
    ]
    if c.empty:
        return "\n".join([*head, "", "no cases with deadlines in this period"])
    overall = [[sla, *counts(c.by_sla[sla])] for sla in SLAS]
    return "\n".join(
        [
            *head,
            "",
            "By SLA",
            *table(("SLA", *COUNT_HEADERS), overall, 1),
            "",
            "By SLA and customer",
            *table(("SLA", "CUSTOMER", *COUNT_HEADERS), grouped_rows(c.by_customer), 2),
            "",
            "By SLA and month",
            *table(("SLA", "MONTH", *COUNT_HEADERS), grouped_rows(c.by_month), 2),
            "",
            "share met = met / (met + breached); excluded: the case ended before the deadline;"
            " open: not due yet",
        ]
    )


def tally_json(tally: Tally) -> dict[str, Any]:
    share = tally.share_met
    return {
        "met": tally.met,
        "breached": tally.breached,
        "excluded": tally.excluded,
        "open": tally.open,
        "share_met": None if share is None else round(share, 4),
    }


def as_json(report: Report) -> dict[str, Any]:
    c = report.compliance
    return {
        "period": {
            "from": report.date_from.isoformat() if report.date_from else None,
            "to": report.date_to.isoformat() if report.date_to else None,
            "timezone": report.zone.key,
        },
        "generated_at": rfc3339(report.generated_at),
        "cases": c.cases,
        "by_sla": [{"sla": sla, **tally_json(c.by_sla[sla])} for sla in SLAS],
        "by_customer": [
            {"sla": sla, "customer_id": key, **tally_json(tally)}
            for sla in SLAS
            for key, tally in c.by_customer[sla].items()
        ],
        "by_month": [
            {"sla": sla, "month": key, **tally_json(tally)}
            for sla in SLAS
            for key, tally in c.by_month[sla].items()
        ],
    }
