"""How a case reads on a terminal: the full `show`, the short answer to an action, `list` lines.

Every time is shown in REPAIRDESK_TIMEZONE and the zone is named, because the people who read
it (call centre, technicians, managers) agree on local time, not UTC.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from client.cases import CaseRow
from workflows.clock_text import shown
from workflows.messages import CaseState, Charge
from workflows.rules import SLA_FIELDS

SLA_LABELS = {"reply": "reply", "onsite": "on site", "repair_24h": "explanation"}


def at(moment: datetime | None, zone: ZoneInfo) -> str:
    return shown(moment, zone.key) if moment else "-"


def deadline_lines(state: CaseState, zone: ZoneInfo) -> list[str]:
    """One line per SLA: when it is due and whether it was met, breached or is still running."""
    breached = {b.sla for b in state.breaches}
    lines = []
    for sla, label in SLA_LABELS.items():
        due = getattr(state.deadlines, SLA_FIELDS[sla])
        if due is None:
            mark = "not running"
        elif sla in breached:
            late = f", met late {at(state.met[sla], zone)}" if sla in state.met else ""
            mark = f"BREACHED{late}"
        elif sla in state.met:
            mark = f"met {at(state.met[sla], zone)}"
        else:
            mark = "open"
        lines.append(f"  {label:<12} due {at(due, zone):<30} {mark}")
    return lines


def summary(state: CaseState, zone: ZoneInfo) -> str:
    """The short answer to an action: status, deadlines, breaches."""
    breaches = ", ".join(SLA_LABELS[b.sla] for b in state.breaches) or "none"
    lines = [f"{state.case_id}: {state.status.value}", *deadline_lines(state, zone)]
    lines.append(f"  breaches: {breaches}")
    if state.outcome:
        lines.append(f"  outcome: {state.outcome.reason}")
    return "\n".join(lines)


def _header(state: CaseState, zone: ZoneInfo) -> list[str]:
    coverage = state.coverage.value if state.coverage else "not placed yet"
    equipment = " ".join(filter(None, [state.equipment_serial, state.equipment_model]))
    technician = " ".join(filter(None, [state.technician_id, state.technician_name])) or "-"
    flags = " · emergency" if state.emergency else ""
    return [
        f"Case {state.case_id} · {state.status.value}{flags}",
        f"  coverage     {coverage} · warranty ends {state.warranty_ends_on or '-'}",
        f"  customer     {' '.join(filter(None, [state.customer_id, state.customer_name])) or '-'}",
        f"  equipment    {equipment or '-'}{f' at {state.site}' if state.site else ''}",
        f"  technician   {technician}",
        f"  reported     {at(state.reported_at, zone)}",
        f"  fault        {state.fault or '-'}",
    ]


def _charge_lines(charge: Charge) -> list[str]:
    lines = [f"  {charge.kind:<26} {charge.payer:<9} {charge.amount:>12} {charge.currency}"]
    for line in charge.lines:
        part = f" {line.part_no}" if line.part_no else ""
        lines.append(
            f"      {line.description}{part}: {line.qty} × {line.unit_price} = {line.amount}"
        )
    return lines


def full(state: CaseState, zone: ZoneInfo) -> str:
    """Everything `repairdesk show` prints about a case."""
    lines = _header(state, zone)
    lines += ["Deadlines", *deadline_lines(state, zone)]
    lines.append("Breaches" if state.breaches else "Breaches: none")
    lines += [
        f"  {SLA_LABELS[b.sla]}: due {at(b.due, zone)}, noticed {at(b.noticed_at, zone)}"
        for b in state.breaches
    ]
    lines.append("Charges" if state.charges else "Charges: none")
    for charge in state.charges:
        lines += _charge_lines(charge)
    lines.append("Timeline")
    lines += [f"  {at(e.at, zone)}  {e.kind:<18} {e.detail}" for e in state.timeline]
    if state.outcome:
        lines.append(f"Outcome: {state.outcome.status.value} · {state.outcome.reason}")
        lines += [f"  {error.field}: {error.message}" for error in state.outcome.errors]
    return "\n".join(lines)


WIDTHS = (18, 22, 12, 12, 13, 8, 30, 0)


# On a terminal, each ending and a breach has a colour of its own (ANSI SGR codes).
PAINT = {
    "repaired": "32",  # green
    "third_party": "36",  # cyan
    "cancelled": "33",  # yellow
    "rejected": "35",  # magenta
    "BREACHED": "1;31",  # bold red
}


def _cells(values: list[str], colour: bool = False) -> str:
    cells = [f"{value:<{width}}" for value, width in zip(values, WIDTHS, strict=True)]
    if colour:
        cells = [
            f"\033[{PAINT[value.split()[0]]}m{cell}\033[0m"
            if value and value.split()[0] in PAINT
            else cell
            for value, cell in zip(values, cells, strict=True)
        ]
    return "  ".join(cells).rstrip()


def row(case: CaseRow, zone: ZoneInfo, colour: bool = False) -> str:
    """One `repairdesk list` line; with `colour`, its ending and a breach painted."""
    flags = [
        flag for flag, on in (("BREACHED", case.sla_breached), ("emergency", case.emergency)) if on
    ]
    known = [
        case.status,
        case.customer_id,
        case.equipment_serial,
        case.coverage,
        case.technician_id,
    ]
    return _cells(
        [
            case.case_id,
            *(value or "-" for value in known),
            at(case.started_at, zone),
            " ".join(flags),
        ],
        colour,
    )


def table(cases: list[CaseRow], zone: ZoneInfo, colour: bool = False) -> str:
    """`repairdesk list`; `colour` on a terminal (not with NO_COLOR set)."""
    if not cases:
        return "no cases match"
    head = ["CASE", "STATUS", "CUSTOMER", "SERIAL", "COVERAGE", "TECH", "OPENED", ""]
    return "\n".join([_cells(head), *(row(case, zone, colour) for case in cases)])
