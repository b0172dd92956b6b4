"""`repairdesk archive import|contracts FILE.csv`: load the after-sales archive from CSV files;
`repairdesk archive show CUSTOMER` (see `archive_show`).

Imports are all or nothing: on any bad row every problem goes to stderr with its line number, the
exit code is 1, and the archive is left exactly as it was.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from activities.archive.contracts import import_contracts
from activities.archive.csv_table import ImportRefused
from activities.archive.importer import import_equipment
from activities.settings import Settings
from starter import archive_show
from starter.which_archive import opened_archive, shown_url

Importer = Callable[[sessionmaker[Session], Path], Any]


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def register(commands: Any) -> None:
    parser = commands.add_parser("archive", help="load customers, equipment and contracts")
    archive_commands = parser.add_subparsers(dest="archive_command", required=True, metavar="WHAT")
    equipment = archive_commands.add_parser(
        "import",
        help="load or update customers and equipment from a CSV file",
        description="Columns: customer_id,customer_name,serial,model,site,warranty_start,"
        "warranty_months (dates YYYY-MM-DD). A file with any bad row loads nothing.",
    )
    equipment.add_argument("file", type=Path, metavar="FILE.csv")
    equipment.set_defaults(handler=import_equipment_file)
    contracts = archive_commands.add_parser(
        "contracts",
        help="set per-customer service terms from a CSV file",
        description="Columns: customer_id,reply,onsite,repair,emergency_onsite,warn_at,discount,"
        "labour_rate; durations like 45m or 2h; an empty cell keeps the worker's default.",
    )
    contracts.add_argument("file", type=Path, metavar="FILE.csv")
    contracts.set_defaults(handler=import_contracts_file)
    show = archive_commands.add_parser(
        "show",
        help="a customer's service archive: equipment, warranty, coverage, cases, charges",
    )
    show.add_argument("customer", metavar="CUSTOMER")
    show.add_argument("--json", action="store_true", help="print JSON (as the HTTP API gives it)")
    show.set_defaults(handler=archive_show.show)


def _run(args: argparse.Namespace, load: Importer) -> tuple[Any, str] | None:
    """Load `args.file` into the archive; on problems print them all and return None."""
    url = Settings.from_env().database_url
    try:
        return load(opened_archive(url, say_if_empty=False), args.file), shown_url(url)
    except ImportRefused as rejected:
        for problem in rejected.problems:
            print(f"{args.file}: {problem}", file=sys.stderr)
        print(f"{args.file}: nothing was loaded", file=sys.stderr)
        return None


def import_equipment_file(args: argparse.Namespace) -> int:
    done = _run(args, import_equipment)
    if done is None:
        return 1
    summary, where = done
    print(
        f"imported {_count(summary.customers, 'customer')} and {summary.equipment} equipment "
        f"({summary.new_equipment} new, {summary.updated_equipment} updated) into {where}"
    )
    return 0


def import_contracts_file(args: argparse.Namespace) -> int:
    done = _run(args, import_contracts)
    if done is None:
        return 1
    summary, where = done
    print(
        f"set contracts for {_count(summary.new + summary.updated, 'customer')} "
        f"({summary.new} new, {summary.updated} updated) in {where}"
    )
    return 0
