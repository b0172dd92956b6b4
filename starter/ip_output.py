"""How a dispute reads on a terminal: the full `ip show`, the short answer to an action, and
the `ip list` lines. Times in REPAIRDESK_TIMEZONE, the zone named."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from client.disputes import DisputeRow
from starter.output import at
from workflows.ip_messages import DisputeState


def summary(state: DisputeState) -> str:
    """The short answer to an action: status, what the vendor bears, the outcome."""
    lines = [f"{state.dispute_id}: {state.status.value}"]
    lines += [f"  {c.kind} paid by {c.payer}: {c.amount} {c.currency}" for c in state.charges]
    if state.outcome:
        lines.append(f"  outcome: {state.outcome.reason}")
    return "\n".join(lines)


def full(state: DisputeState, zone: ZoneInfo) -> str:
    """Everything `repairdesk ip show` prints about a dispute."""
    customer = " ".join(filter(None, [state.customer_id, state.customer_name])) or "-"
    equipment = " ".join(filter(None, [state.equipment_serial, state.equipment_model])) or "-"
    right = state.right.value if state.right else "-"
    lines = [
        f"IP dispute {state.dispute_id} · {state.status.value} (clause 10: the vendor bears it)",
        f"  claimant     {state.claimant or '-'} · {right}",
        f"  claim        {state.description or '-'}",
        f"  customer     {customer}",
        f"  equipment    {equipment}{f' at {state.site}' if state.site else ''}",
        f"  reported     {at(state.reported_at, zone)}",
        "Charges" if state.charges else "Charges: none",
    ]
    for charge in state.charges:
        lines.append(f"  {charge.kind:<26} {charge.payer:<9} {charge.amount:>12} {charge.currency}")
        lines += [f"      {line.description}: {line.amount}" for line in charge.lines]
    lines.append(f"Timeline (times in {zone.key})")
    lines += [f"  {at(e.at, zone)}  {e.kind:<12} {e.detail}" for e in state.timeline]
    if state.outcome:
        lines.append(f"Outcome: {state.outcome.status.value} · {state.outcome.reason}")
        lines += [f"  {error.field}: {error.message}" for error in state.outcome.errors]
    return "\n".join(lines)


WIDTHS = (22, 10, 12, 12, 0)


def _cells(values: list[str]) -> str:
    return "  ".join(
        f"{value:<{width}}" for value, width in zip(values, WIDTHS, strict=True)
    ).rstrip()


def table(rows: list[DisputeRow], zone: ZoneInfo) -> str:
    if not rows:
        return "no disputes match"
    head = ["DISPUTE", "STATUS", "CUSTOMER", "SERIAL", f"OPENED ({zone.key})"]
    return "\n".join(
        [
            _cells(head),
            *(
                _cells(
                    [
                        row.dispute_id,
                        row.status or "-",
                        row.customer_id or "-",
                        row.equipment_serial or "-",
                        at(row.started_at, zone),
                    ]
                )
                for row in rows
            ),
        ]
    )
