"""`repairdesk archive show CUSTOMER`: the customer's service archive (clause 1), as
`GET /api/customers/{customer_id}` gives it; times and "today" in REPAIRDESK_TIMEZONE."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from activities.archive.db import archive
from activities.archive.service_archive import ServiceArchive, service_archive
from activities.settings import Settings
from starter.case_args import BadArgument, identifier
from starter.output import at


def show(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    try:
        customer_id = identifier("customer id", args.customer)
    except BadArgument as e:
        print(f"repairdesk archive: {e}", file=sys.stderr)
        return 1
    today = datetime.now(UTC).astimezone(settings.zone).date()
    found = service_archive(archive(settings.database_url), customer_id, today)
    if found is None:
        print(f"repairdesk archive: no customer {customer_id} in the archive", file=sys.stderr)
        return 1
    print(found.model_dump_json(indent=2) if args.json else text(found, settings.zone))
    return 0


def text(found: ServiceArchive, zone: ZoneInfo) -> str:
    lines = [f"Customer {found.customer_id} · {found.name} (times in {zone.key})", "Equipment"]
    for e in found.equipment:
        earned = f" (+{e.extension_days} days earned, clause 7)" if e.extension_days else ""
        lines += [
            f"  {e.serial}  {e.model or '-'}  at {e.site or '-'}",
            f"    warranty {e.warranty_start} + {e.warranty_months} months, ends "
            f"{e.warranty_ends_on}{earned} · today {e.coverage_today.value}",
        ]
    lines.append("Cases" if found.cases else "Cases: none")
    lines += [
        f"  {c.case_id}  {c.status:<21} {c.equipment_serial or '-':<10} "
        f"{at(c.reported_at, zone)}{'  BREACHED' if c.breached else ''}"
        for c in found.cases
    ]
    lines.append("IP disputes" if found.disputes else "IP disputes: none")
    lines += [
        f"  {d.dispute_id}  {d.status:<21} {d.right or '-':<10} {at(d.reported_at, zone)}  "
        f"{d.claimant or '-'}"
        for d in found.disputes
    ]
    lines.append("Charges" if found.charges else "Charges: none")
    lines += [
        f"  {c.case_id}  {c.kind:<26} {c.payer:<9} {c.amount:>12} {c.currency}  {c.delivery_status}"
        for c in found.charges
    ]
    return "\n".join(lines)
