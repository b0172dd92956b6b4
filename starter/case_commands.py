"""`repairdesk open`, `show` and `list`: start a case, read one, find many.

The six actions on a case live in `action_commands`, registered from here so the CLI entry
point needs one line per group.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from temporalio.client import Client

from activities.archive.db import archive
from activities.archive.schema import CaseRecord
from activities.delivery.undelivered import cases_with_undelivered
from activities.settings import Settings
from client.answers import refuse_used_id
from client.cases import (
    case_state,
    list_cases,
    list_query,
    new_case_id,
    only_cases,
    open_case,
    open_new_case,
    placed_state,
)
from starter import action_commands, output
from starter.case_args import (
    REPORT_FLAGS,
    BadArgument,
    add_report_arguments,
    case_id_of,
    identifier,
    report_fields,
    validated,
)
from starter.run import Work, command
from workflows.messages import CaseRequest, Status

OPEN_FLAGS = {
    "case_id": "--case-id",
    "customer_id": "--customer",
    "equipment_serial": "--serial",
    "fault": "--fault",
    **REPORT_FLAGS,
}


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    _register_open(commands)
    action_commands.register(commands)
    _register_show(commands)
    _register_list(commands)


def _register_open(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = commands.add_parser(
        "open", help="open a case; prints its id once placed (exit 1, with why, if rejected)"
    )
    p.add_argument("--customer", required=True, help="customer id, e.g. CUST-7")
    p.add_argument("--serial", required=True, help="equipment serial, e.g. SN-42")
    p.add_argument("--fault", required=True, help="what the customer reports")
    p.add_argument("--case-id", help="case id (default: generated, e.g. C-20261125-4F3A)")
    p.add_argument("--onsite", action="store_true", help="the customer asks for on-site service")
    p.add_argument("--emergency", action="store_true", help="an emergency (post-warranty 4 h)")
    add_report_arguments(p)
    p.set_defaults(handler=command(_open))


def _case_request(args: argparse.Namespace, settings: Settings, case_id: str) -> CaseRequest:
    request: dict[str, Any] = {
        "case_id": case_id,
        "customer_id": args.customer,
        "equipment_serial": args.serial,
        "fault": args.fault,
        "onsite_requested": args.onsite,
        "emergency": args.emergency,
        **report_fields(args, settings.zone),
    }
    return validated(CaseRequest, request, OPEN_FLAGS)


def _open(args: argparse.Namespace, settings: Settings) -> Work:
    fresh = args.case_id is None
    case_id = new_case_id(settings.zone) if fresh else case_id_of(args.case_id)
    request = _case_request(args, settings, case_id)

    async def work(client: Client) -> str:
        if fresh:
            case_id = await open_new_case(client, settings.task_queue, request, settings.zone)
        else:
            await refuse_used_id(settings, CaseRecord.__table__, request.case_id, "case")
            await open_case(client, settings.task_queue, request)
            case_id = request.case_id
        await placed_state(client, case_id)
        return case_id

    return work


def _register_show(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = commands.add_parser("show", help="everything about one case")
    p.add_argument("case", metavar="CASE", help="C-1001 or case-C-1001")
    p.add_argument("--json", action="store_true", help="print the case state as JSON")
    p.set_defaults(handler=command(_show))


def _show(args: argparse.Namespace, settings: Settings) -> Work:
    case_id = case_id_of(args.case)

    async def work(client: Client) -> str:
        state = await case_state(client, case_id)
        return state.model_dump_json(indent=2) if args.json else output.full(state, settings.zone)

    return work


def _register_list(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = commands.add_parser("list", help="cases from Temporal visibility, newest first")
    p.add_argument("--status", choices=[status.value for status in Status])
    p.add_argument("--breached", action="store_true", help="only cases with an SLA breach")
    p.add_argument("--customer", help="only this customer's cases")
    p.add_argument(
        "--undelivered",
        action="store_true",
        help="only cases with a letter or finance event not delivered (from the archive)",
    )
    p.add_argument("--limit", type=int, default=200, help="at most this many (default 200)")
    p.add_argument("--json", action="store_true", help="print the cases as a JSON list")
    p.set_defaults(handler=command(_list))


def _list(args: argparse.Namespace, settings: Settings) -> Work:
    customer = identifier("--customer", args.customer) if args.customer else None
    if args.limit < 1:
        raise BadArgument("--limit must be at least 1")
    query: str | None = list_query(
        Status(args.status) if args.status else None, args.breached, customer
    )
    if args.undelivered:
        query = only_cases(query, cases_with_undelivered(archive(settings.database_url)))

    async def work(client: Client) -> str:
        cases = await list_cases(client, query, args.limit) if query is not None else []
        if args.json:
            return json.dumps([case.model_dump(mode="json") for case in cases], indent=2)
        return output.table(cases, settings.zone, on_a_terminal())

    return work


def on_a_terminal() -> bool:
    """Colour for a person at a terminal; none in a pipe or with NO_COLOR set."""
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ
