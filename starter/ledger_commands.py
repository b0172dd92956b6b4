"""`repairdesk ledger`: the charges finance is told about, and whether it has accepted them.

`--undelivered` lists what finance has not accepted yet (pending: the worker's relay retries
it; failed: refused for good); `--redeliver` sends those now, with the same ids and the same
bodies, and prints each result (one the relay is sending at that moment is left to it). Exit code 1
when a redelivered event is still not accepted, so a script or a cron job can notice.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from activities.finance import ledger
from activities.finance.delivery import deliver
from activities.settings import Settings
from starter import ledger_output
from starter.which_archive import opened_archive


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "ledger",
        help="list the charges booked for finance, with totals per currency and payer",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--case", metavar="CASE_ID", help="only this case's charges")
    parser.add_argument("--customer", metavar="CUSTOMER_ID", help="only this customer's charges")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument(
        "--undelivered", action="store_true", help="only charges finance has not accepted yet"
    )
    parser.add_argument(
        "--redeliver",
        action="store_true",
        help="send the undelivered charges' events again (same ids, same bodies)",
    )
    parser.set_defaults(handler=_ledger)


def _ledger(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    sessions = opened_archive(settings.database_url)
    undelivered = args.undelivered or args.redeliver
    entries = ledger.entries(sessions, args.case, args.customer, undelivered=undelivered)
    if args.redeliver:
        results = [deliver(sessions, settings, entry.charge_id) for entry in entries]
        if args.json:
            print(json.dumps([ledger_output.delivery_json(r) for r in results], indent=2))
        else:
            print("\n".join(map(ledger_output.delivery_line, results)) or "nothing to redeliver")
        return 0 if all(result.delivered for result in results) else 1
    totals = ledger.totals(entries)
    if args.json:
        listing = {
            "charges": [ledger_output.entry_json(entry) for entry in entries],
            "totals": ledger_output.totals_json(totals),
        }
        print(json.dumps(listing, indent=2, ensure_ascii=False))
    else:
        print(ledger_output.table(entries, totals, settings.zone))
    return 0
