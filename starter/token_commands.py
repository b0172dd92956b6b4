"""`repairdesk token create|list|revoke`: bearer tokens for the HTTP API and the pages.

`create` prints the token once, alone on the last line of standard output; the archive keeps
only its SHA-256 hash. `list` shows one line a token (id, role, technician, name, created,
expires, revoked), never the token. `revoke ID` takes effect on the next request.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from activities.archive.db import archive
from activities.archive.schema import ApiToken
from activities.archive.tokens import Role, TokenError, create_token, list_tokens, revoke_token
from activities.settings import Settings
from starter.case_args import BadArgument, identifier
from workflows.rules import parse_duration

ROLES = [role.value for role in Role]


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "token",
        help="make, list and revoke HTTP API tokens",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    tokens = parser.add_subparsers(dest="token_command", required=True, metavar="WHAT")
    create = tokens.add_parser("create", help="make a token and print it once")
    create.add_argument("--role", required=True, choices=ROLES, help=" | ".join(ROLES))
    create.add_argument("--technician", metavar="ID", help="the technician id (role technician)")
    create.add_argument("--name", metavar="TEXT", help="who or what holds it")
    create.add_argument("--expires", metavar="DURATION", help="lifetime, e.g. 90d (default: none)")
    create.set_defaults(handler=_create)
    tokens.add_parser("list", help="one line a token; never the token").set_defaults(handler=_list)
    revoke = tokens.add_parser("revoke", help="revoke a token at once")
    revoke.add_argument("token_id", metavar="ID")
    revoke.set_defaults(handler=_revoke)


def _create(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    try:
        technician = identifier("--technician", args.technician) if args.technician else None
        lifetime = _lifetime(args.expires)
        made = create_token(
            archive(settings.database_url), Role(args.role), technician, args.name, lifetime
        )
    except (BadArgument, TokenError) as e:
        print(f"repairdesk token: {e}", file=sys.stderr)
        return 1
    print(_line(made.record, settings.zone))
    print("keep this token now; it is not shown again:")
    print(made.token)
    return 0


def _lifetime(text: str | None) -> timedelta | None:
    if text is None:
        return None
    try:
        return parse_duration(text)
    except ValueError as e:
        raise BadArgument(f"--expires: {e}") from None


def _list(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    rows = list_tokens(archive(settings.database_url))
    print("\n".join(_line(row, settings.zone) for row in rows) if rows else "no tokens")
    return 0


def _revoke(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    try:
        record = revoke_token(archive(settings.database_url), args.token_id.strip())
    except TokenError as e:
        print(f"repairdesk token: {e}", file=sys.stderr)
        return 1
    print(_line(record, settings.zone))
    return 0


def _when(moment: datetime | None, zone: ZoneInfo) -> str:
    return f"{moment.astimezone(zone):%Y-%m-%d %H:%M} {zone.key}" if moment else "-"


def _line(row: ApiToken, zone: ZoneInfo) -> str:
    """id, role, technician, name, created, expires, revoked: tab-separated for scripts."""
    cells = [
        row.token_id,
        row.role,
        row.technician_id or "-",
        row.name or "-",
        f"created {_when(row.created_at, zone)}",
        f"expires {_when(row.expires_at, zone)}",
        f"revoked {_when(row.revoked_at, zone)}",
    ]
    return "\t".join(cells)
