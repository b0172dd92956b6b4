"""`repairdesk reply|dispatch|arrive|repaired|third-party|cancel CASE ...`.

Each is sent as the Temporal update of the contract's name, so the person gets the case's
answer at once: the new state, or the reason the action does not fit (exit code 1).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import datetime
from typing import Any

from temporalio.client import Client

from activities.settings import Settings
from client.cases import act
from starter import output
from starter.case_args import case_id_of, parse_part, parse_time, validated
from starter.run import Work, command
from workflows.messages import ACTIONS, Cause

Payload = Callable[[argparse.Namespace, Settings], dict[str, Any]]

CAUSES = [cause.value for cause in Cause]
FLAGS = {
    "by": "--by",
    "message": "--message",
    "technician_id": "--technician",
    "technician_name": "--name",
    "eta": "--eta",
    "at": "--at",
    "cause": "--cause",
    "labour_hours": "--labour-hours",
    "equipment_stopped_at": "--stopped-at",
    "equipment_restored_at": "--restored-at",
    "notes": "--notes",
    "vendor": "--vendor",
    "invoice_ref": "--invoice",
    "amount": "--amount",
    "currency": "--currency",
    "reason": "--reason",
}


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = _action(commands, "reply", "reply", "the engineering office answers the customer")
    p.add_argument("--by", required=True, help="engineer's name")
    p.add_argument("--message", required=True)

    p = _action(commands, "dispatch", "dispatch", "send a technician to site")
    p.add_argument("--technician", required=True, help="technician id, e.g. T-3")
    p.add_argument("--name", help="technician's name")
    p.add_argument("--eta", metavar="TIME", help="expected arrival")

    p = _action(commands, "arrive", "arrive", "the dispatched technician is on site")
    p.add_argument("--technician", required=True)
    p.add_argument("--at", metavar="TIME", help="arrival time (default: now)")

    p = _action(commands, "repaired", "repaired", "the technician reports the equipment repaired")
    p.add_argument("--technician", required=True)
    p.add_argument(
        "--cause", required=True, choices=CAUSES, metavar="CAUSE", help=" | ".join(CAUSES)
    )
    p.add_argument("--part", action="append", default=[], metavar="PART_NO:QTY:UNIT_PRICE[:DESC]")
    p.add_argument("--labour-hours", metavar="H")
    p.add_argument("--stopped-at", metavar="TIME", help="when the equipment stopped")
    p.add_argument("--restored-at", metavar="TIME", help="when it ran again")
    p.add_argument("--notes")

    p = _action(commands, "third-party", "third_party_repair", "a third party repaired it")
    p.add_argument("--vendor", required=True)
    p.add_argument("--invoice", required=True, help="the vendor's invoice reference")
    p.add_argument("--amount", required=True, help="e.g. 1250.00")
    p.add_argument("--currency", default="CNY")

    p = _action(commands, "cancel", "cancel", "the customer withdraws the request")
    p.add_argument("--by", required=True)
    p.add_argument("--reason", required=True)


def _action(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], word: str, name: str, help: str
) -> argparse.ArgumentParser:
    parser = commands.add_parser(word, help=f"{help} (update `{name}`)")
    parser.add_argument("case", metavar="CASE", help="C-1001 or case-C-1001")
    parser.set_defaults(handler=command(_plan(name)))
    return parser


def _plan(name: str) -> Callable[[argparse.Namespace, Settings], Work]:
    def plan(args: argparse.Namespace, settings: Settings) -> Work:
        case_id = case_id_of(args.case)
        given = {k: v for k, v in PAYLOADS[name](args, settings).items() if v is not None}
        payload = validated(ACTIONS[name], given, FLAGS).model_dump(mode="json", exclude_unset=True)

        async def work(client: Client) -> str:
            return output.summary(await act(client, case_id, name, payload), settings.zone)

        return work

    return plan


def _time(flag: str, text: str | None, settings: Settings) -> datetime | None:
    return parse_time(flag, text, settings.zone) if text else None


PAYLOADS: dict[str, Payload] = {
    "reply": lambda a, s: {"by": a.by, "message": a.message},
    "dispatch": lambda a, s: {
        "technician_id": a.technician,
        "technician_name": a.name,
        "eta": _time("--eta", a.eta, s),
    },
    "arrive": lambda a, s: {"technician_id": a.technician, "at": _time("--at", a.at, s)},
    "repaired": lambda a, s: {
        "technician_id": a.technician,
        "cause": a.cause,
        "parts": [parse_part(part) for part in a.part] or None,
        "labour_hours": a.labour_hours,
        "equipment_stopped_at": _time("--stopped-at", a.stopped_at, s),
        "equipment_restored_at": _time("--restored-at", a.restored_at, s),
        "notes": a.notes,
    },
    "third_party_repair": lambda a, s: {
        "vendor": a.vendor,
        "invoice_ref": a.invoice,
        "amount": a.amount,
        "currency": a.currency,
    },
    "cancel": lambda a, s: {"by": a.by, "reason": a.reason},
}
