"""`repairdesk ip open|note|settle|withdraw|show|list`: intellectual-property disputes (clause 10).

`ip open` waits for the archive look-up and exits 1 with the reason when the dispute is
rejected. The actions are sent as the contract's updates: the person gets the new state, or
the reason the action does not fit (exit code 1).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

from temporalio.client import Client

from activities.archive.schema import DisputeRecord
from activities.settings import Settings
from client.answers import CaseError, refuse_used_id
from client.disputes import (
    act,
    dispute_state,
    list_disputes,
    list_query,
    new_dispute_id,
    placed,
    start_dispute,
)
from starter import ip_output
from starter.case_args import (
    REPORT_FLAGS,
    BadArgument,
    add_report_arguments,
    identifier,
    report_fields,
    validated,
)
from starter.run import Work, command
from workflows.dispute_file import WORKFLOW_ID_PREFIX
from workflows.ip_messages import DISPUTE_ACTIONS, DisputeRequest, DisputeStatus, Right

COST_FORMAT = "AMOUNT:DESCRIPTION"
FLAGS = {
    "dispute_id": "--dispute-id",
    "customer_id": "--customer",
    "equipment_serial": "--serial",
    "claimant": "--claimant",
    "right": "--right",
    "description": "--description",
    **REPORT_FLAGS,
    "by": "--by",
    "text": "--text",
    "outcome": "--outcome",
    "costs": "--cost",
    "currency": "--currency",
    "reason": "--reason",
}


def dispute_id_of(text: str) -> str:
    """The dispute id from `IP-7` or its workflow id `ip-IP-7`."""
    return identifier("dispute id", text.strip().removeprefix(WORKFLOW_ID_PREFIX))


def parse_cost(text: str) -> dict[str, str]:
    """One `--cost AMOUNT:DESCRIPTION`; the description may itself contain colons."""
    amount, separator, description = text.partition(":")
    if not separator or not amount.strip() or not description.strip():
        raise BadArgument(f"--cost {text!r} must be written {COST_FORMAT}, e.g. 12000.00:licence")
    return {"amount": amount.strip(), "description": description.strip()}


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    group = commands.add_parser("ip", help="intellectual-property disputes (clause 10)")
    ip = group.add_subparsers(dest="ip_command", required=True, metavar="ACTION")
    _register_open(ip)

    p = _action(ip, "note", "record progress in the dispute's timeline")
    p.add_argument("--by", required=True)
    p.add_argument("--text", required=True)

    p = _action(ip, "settle", "settle it; the vendor bears the costs (ip_indemnity)")
    p.add_argument("--by", required=True)
    p.add_argument("--outcome", required=True, help="how it was settled")
    p.add_argument("--cost", action="append", required=True, metavar=COST_FORMAT)
    p.add_argument("--currency", default="CNY")

    p = _action(ip, "withdraw", "the claim is withdrawn; nothing is charged")
    p.add_argument("--by", required=True)
    p.add_argument("--reason", required=True)

    p = ip.add_parser("show", help="everything about one dispute")
    p.add_argument("dispute", metavar="DISPUTE", help="IP-7 or ip-IP-7")
    p.add_argument("--json", action="store_true", help="print the dispute state as JSON")
    p.set_defaults(handler=command(_show))

    p = ip.add_parser("list", help="disputes from Temporal visibility, newest first")
    p.add_argument("--status", choices=[status.value for status in DisputeStatus])
    p.add_argument("--customer", help="only this customer's disputes")
    p.add_argument("--limit", type=int, default=200, help="at most this many (default 200)")
    p.add_argument("--json", action="store_true", help="print the disputes as a JSON list")
    p.set_defaults(handler=command(_list))


def _register_open(ip: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = ip.add_parser("open", help="open a dispute; prints its id once the archive placed it")
    p.add_argument("--customer", required=True, help="customer id, e.g. CUST-7")
    p.add_argument("--serial", help="the equipment concerned, when there is one")
    p.add_argument("--claimant", required=True, help="who claims the right, e.g. 'Acme GmbH'")
    p.add_argument("--right", required=True, choices=[right.value for right in Right])
    p.add_argument("--description", required=True, help="what is claimed")
    p.add_argument("--dispute-id", help="dispute id (default: generated, e.g. IP-20261125-4F3A)")
    add_report_arguments(p)
    p.set_defaults(handler=command(_open))


def _request(args: argparse.Namespace, settings: Settings, dispute_id: str) -> DisputeRequest:
    request: dict[str, Any] = {
        "dispute_id": dispute_id,
        "customer_id": args.customer,
        "equipment_serial": args.serial,
        "claimant": args.claimant,
        "right": args.right,
        "description": args.description,
        **report_fields(args, settings.zone),
    }
    return validated(DisputeRequest, request, FLAGS)


def _open(args: argparse.Namespace, settings: Settings) -> Work:
    fresh = args.dispute_id is None
    dispute_id = new_dispute_id(settings.zone) if fresh else dispute_id_of(args.dispute_id)
    request = _request(args, settings, dispute_id)

    async def work(client: Client) -> str:
        if not fresh:
            await refuse_used_id(settings, DisputeRecord.__table__, dispute_id, "dispute")
        used = await start_dispute(client, settings.task_queue, request, fresh, settings.zone)
        state = await placed(client, used)
        if state.status is DisputeStatus.rejected:
            reason = state.outcome.reason if state.outcome else "rejected"
            raise CaseError(f"dispute {used} was rejected: {reason}")
        return used

    return work


def _action(
    ip: argparse._SubParsersAction[argparse.ArgumentParser], name: str, help: str
) -> argparse.ArgumentParser:
    parser = ip.add_parser(name, help=f"{help} (update `{name}`)")
    parser.add_argument("dispute", metavar="DISPUTE", help="IP-7 or ip-IP-7")
    parser.set_defaults(handler=command(_plan(name)))
    return parser


def _plan(name: str) -> Callable[[argparse.Namespace, Settings], Work]:
    def plan(args: argparse.Namespace, settings: Settings) -> Work:
        dispute_id = dispute_id_of(args.dispute)
        given = {k: v for k, v in PAYLOADS[name](args).items() if v is not None}
        action = validated(DISPUTE_ACTIONS[name], given, FLAGS)
        payload = action.model_dump(mode="json", exclude_unset=True)

        async def work(client: Client) -> str:
            return ip_output.summary(await act(client, dispute_id, name, payload))

        return work

    return plan


PAYLOADS: dict[str, Callable[[argparse.Namespace], dict[str, Any]]] = {
    "note": lambda a: {"by": a.by, "text": a.text},
    "settle": lambda a: {
        "by": a.by,
        "outcome": a.outcome,
        "costs": [parse_cost(cost) for cost in a.cost],
        "currency": a.currency,
    },
    "withdraw": lambda a: {"by": a.by, "reason": a.reason},
}


def _show(args: argparse.Namespace, settings: Settings) -> Work:
    dispute_id = dispute_id_of(args.dispute)

    async def work(client: Client) -> str:
        state = await dispute_state(client, dispute_id)
        return (
            state.model_dump_json(indent=2) if args.json else ip_output.full(state, settings.zone)
        )

    return work


def _list(args: argparse.Namespace, settings: Settings) -> Work:
    customer = identifier("--customer", args.customer) if args.customer else None
    if args.limit < 1:
        raise BadArgument("--limit must be at least 1")
    query = list_query(DisputeStatus(args.status) if args.status else None, customer)

    async def work(client: Client) -> str:
        rows = await list_disputes(client, query, args.limit)
        if args.json:
            return json.dumps([row.model_dump(mode="json") for row in rows], indent=2)
        return ip_output.table(rows, settings.zone)

    return work
