"""`repairdesk report`: SLA compliance from the archive, the share of each deadline met, by SLA,
customer and month.

A deadline counts once it is decided: met (at or before its due time) or breached (recorded as
a breach, met late, or overdue). A case that ended before a deadline without meeting it is
excluded; an open case whose deadline has not come yet is not counted. Months and the
--from/--to dates (both inclusive, YYYY-MM-DD) are in REPAIRDESK_TIMEZONE.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from activities.archive.compliance import archived_clocks, compliance
from activities.settings import Settings
from starter import report_html, report_output
from starter.report_output import Report
from starter.which_archive import opened_archive


class BadPeriod(ValueError):
    """--from or --to is not a date, or the period ends before it starts."""


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "report",
        help="SLA compliance: share of each deadline met, by SLA, customer and month",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--from", dest="date_from", metavar="DATE", help="first report date")
    parser.add_argument("--to", dest="date_to", metavar="DATE", help="last report date")
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    parser.add_argument("--html", metavar="FILE", help="also write a page with charts to FILE")
    parser.set_defaults(handler=_report)


def parse_day(option: str, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise BadPeriod(f"{option} {value!r} is not a date (expected YYYY-MM-DD)") from None


def period(args: argparse.Namespace) -> tuple[date | None, date | None]:
    start = parse_day("--from", args.date_from)
    end = parse_day("--to", args.date_to)
    if start and end and end < start:
        raise BadPeriod(f"--to {end} is before --from {start}")
    return start, end


def build_report(settings: Settings, start: date | None, end: date | None) -> Report:
    now = datetime.now(UTC).replace(microsecond=0)
    cases = archived_clocks(opened_archive(settings.database_url), settings.zone, start, end)
    return Report(compliance(cases, settings.zone), start, end, now, settings.zone)


def _report(args: argparse.Namespace) -> int:
    try:
        start, end = period(args)
    except BadPeriod as e:
        print(f"repairdesk report: {e}", file=sys.stderr)
        return 1
    settings = Settings.from_env()
    report = build_report(settings, start, end)
    if args.html:
        try:
            Path(args.html).write_text(report_html.page(report), encoding="utf-8")
        except OSError as e:
            print(f"repairdesk report: cannot write {args.html}: {e.strerror}", file=sys.stderr)
            return 1
    if args.json:
        print(json.dumps(report_output.as_json(report), indent=2, ensure_ascii=False))
    else:
        print(report_output.text(report))
        if args.html:
            print(f"page written to {args.html}")
    return 0
