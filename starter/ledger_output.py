"""How the ledger reads: a table of charges with their delivery, totals, redelivery results.

Times are shown in REPAIRDESK_TIMEZONE with the zone named, like every other command; the
`--json` forms keep RFC 3339 and decimal strings, as the public contract does.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from activities.archive.schema import LedgerEntry
from activities.finance.cloudevents import decimal_string, rfc3339
from activities.finance.delivery import Delivery
from activities.finance.ledger import Total
from starter.output import at

COLUMNS = (
    ("CHARGE", 36),
    ("CASE", 14),
    ("CUSTOMER", 12),
    ("KIND", 25),
    ("PAYER", 8),
    ("AMOUNT", -12),
    ("CUR", 3),
    ("DELIVERY", 9),
    ("TRIES", -5),
    ("BOOKED", 0),
)


def _cells(values: list[str]) -> str:
    """Left-aligned columns; a negative width right-aligns (amounts, counts)."""
    cells = (
        f"{value:>{-width}}" if width < 0 else f"{value:<{width}}"
        for value, (_, width) in zip(values, COLUMNS, strict=True)
    )
    return "  ".join(cells).rstrip()


def _row(entry: LedgerEntry, zone: ZoneInfo) -> list[str]:
    line = _cells(
        [
            entry.charge_id,
            entry.case_id,
            entry.customer_id or "-",
            entry.kind,
            entry.payer,
            decimal_string(entry.amount),
            entry.currency,
            entry.delivery_status,
            str(entry.attempts),
            at(entry.booked_at, zone),
        ]
    )
    if entry.last_error:
        return [line, f"    last error: {entry.last_error}"]
    return [line]


def table(entries: list[LedgerEntry], totals: list[Total], zone: ZoneInfo) -> str:
    if not entries:
        return "no charges match"
    lines = [_cells([name for name, _ in COLUMNS])]
    for entry in entries:
        lines += _row(entry, zone)
    lines.append("Totals")
    lines += [
        f"  {t.currency} {t.payer:<8} {decimal_string(t.amount):>14}  "
        f"({t.charges} charge{'' if t.charges == 1 else 's'})"
        for t in totals
    ]
    return "\n".join(lines)


def entry_json(entry: LedgerEntry) -> dict[str, Any]:
    return {
        "charge_id": entry.charge_id,
        "case_id": entry.case_id,
        "customer_id": entry.customer_id,
        "equipment_serial": entry.equipment_serial,
        "kind": entry.kind,
        "payer": entry.payer,
        "amount": decimal_string(entry.amount),
        "currency": entry.currency,
        "coverage": entry.coverage,
        "cause": entry.cause,
        "lines": entry.lines,
        "booked_at": rfc3339(entry.booked_at),
        "delivery_status": entry.delivery_status,
        "attempts": entry.attempts,
        "delivered_at": rfc3339(entry.delivered_at) if entry.delivered_at else None,
        "next_attempt_at": rfc3339(entry.next_attempt_at) if entry.next_attempt_at else None,
        "last_error": entry.last_error,
    }


def totals_json(totals: list[Total]) -> list[dict[str, Any]]:
    return [
        {
            "currency": t.currency,
            "payer": t.payer,
            "amount": decimal_string(t.amount),
            "charges": t.charges,
        }
        for t in totals
    ]


def delivery_line(result: Delivery) -> str:
    return f"{result.charge_id} (case {result.case_id}): {result.outcome} · {result.detail}"


def delivery_json(result: Delivery) -> dict[str, Any]:
    return {
        "charge_id": result.charge_id,
        "case_id": result.case_id,
        "outcome": result.outcome,
        "delivered": result.delivered,
        "detail": result.detail,
    }
