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
from pathlib import Path
from typing import Any

from activities.settings import Settings
from client import report_html
from client.report import BadPeriod, as_json, build_report, period, text
from starter.which_archive import opened_archive


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


def _report(args: argparse.Namespace) -> int:
    try:
        start, end = period(args.date_from, args.date_to, ("--from", "--to"))
    except BadPeriod as e:
        print(f"repairdesk report: {e}", file=sys.stderr)
        return 1
    settings = Settings.from_env()
    report = build_report(opened_archive(settings.database_url), settings.zone, start, end)
    if args.html:
        try:
            Path(args.html).write_text(report_html.page(report), encoding="utf-8")
        except OSError as e:
            print(f"repairdesk report: cannot write {args.html}: {e.strerror}", file=sys.stderr)
            return 1
    if args.json:
        print(json.dumps(as_json(report), indent=2, ensure_ascii=False))
    else:
        print(text(report))
        if args.html:
            print(f"page written to {args.html}")
    return 0
