"""`repairdesk notices`: the outbox, every notice the cases have written, sent or not.

`--pending` lists the notices not delivered: those the worker's relay is retrying (with the
last error and the next attempt), those refused for good (`failed`), and those kept in the
outbox because no SMTP server or no address was configured.
"""

from __future__ import annotations

import argparse
import json
from typing import Any
from zoneinfo import ZoneInfo

from activities.archive.schema import Notice
from activities.notices import outbox
from activities.settings import Settings
from starter.which_archive import opened_archive
from workflows.clock_text import shown


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "notices",
        help="list the notices in the outbox, delivered or pending",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--case", metavar="CASE_ID", help="only this case's notices")
    parser.add_argument("--pending", action="store_true", help="only notices not delivered yet")
    parser.add_argument("--json", action="store_true", help="print JSON (with bodies) instead")
    parser.set_defaults(handler=_notices)


def _notices(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    sessions = opened_archive(settings.database_url)
    rows = outbox.listing(sessions, args.case, pending=args.pending)
    if args.json:
        print(json.dumps([_json(row) for row in rows], indent=2, ensure_ascii=False))
    elif rows:
        lines = [_line(row, settings.zone) for row in rows]
        print("\n".join(lines))
    else:
        print("no notices")
    return 0


def _json(row: Notice) -> dict[str, Any]:
    return {
        "key": row.key,
        "case_id": row.case_id,
        "kind": row.kind,
        "audience": row.audience,
        "recipient": row.recipient,
        "language": row.language,
        "channel": row.channel,
        "subject": row.subject,
        "body": row.body,
        "created_at": row.created_at.isoformat(),
        "status": row.status,
        "attempts": row.attempts,
        "next_attempt_at": row.next_attempt_at.isoformat() if row.next_attempt_at else None,
        "delivered": row.delivered_at is not None,
        "delivered_at": row.delivered_at.isoformat() if row.delivered_at else None,
        "last_error": row.last_error,
    }


def _line(row: Notice, zone: ZoneInfo) -> str:
    """One notice: when, case, kind, to whom, and whether it went out."""
    error = f": {row.last_error}" if row.last_error else ""
    if row.delivered_at:
        state = f"sent {shown(row.delivered_at, zone.key)}"
    elif row.status == "outbox":
        state = "kept in the outbox: no SMTP server or no address"
    elif row.status == "failed":
        state = f"FAILED for good after {row.attempts} attempt(s){error}"
    else:
        due = (
            f", next {shown(row.next_attempt_at, zone.key, seconds=True)}"
            if row.next_attempt_at
            else ""
        )
        state = f"PENDING after {row.attempts} attempt(s){due}{error}"
    to = f"{row.audience} <{row.recipient}>" if row.recipient else f"{row.audience} (no address)"
    written = shown(row.created_at, zone.key)
    return f"{written}  {row.case_id}  {row.kind:<19} {to}\n    {row.subject}\n    {state}"
