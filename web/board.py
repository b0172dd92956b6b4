"""The office's board (`/desk` at desktop width): every open case as one row, with the next
deadline that still runs, filtered and sorted as the office asks; breached cases first, then
the deadline that falls next.

Rows are drawn from the cases' states as the archive keeps them (web/open_cases.py).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from workflows import rules
from workflows.messages import CaseState, Sla

SORTS = ("due", "case", "customer", "status", "technician")


@dataclass(frozen=True)
class Filters:
    status: str = ""
    customer_id: str = ""
    technician_id: str = ""
    breached: str = ""  # "yes", "no" or "" for either
    sort: str = "due"

    def query(self, sort: str) -> str:
        """These filters, sorted by `sort`, as a query string."""
        return urlencode({**asdict(self), "sort": sort})

    def keeps(self, row: Row) -> bool:
        return (
            (not self.status or row.status == self.status)
            and (not self.customer_id or row.customer_id == self.customer_id)
            and (not self.technician_id or row.technician_id == self.technician_id)
            and (not self.breached or bool(row.breaches) == (self.breached == "yes"))
        )


@dataclass(frozen=True)
class Row:
    case_id: str
    status: str
    customer_id: str
    customer: str
    equipment: str
    technician_id: str | None
    technician: str | None
    emergency: bool
    next_sla: Sla | None
    next_due: datetime | None
    warn_from: datetime | None
    breaches: list[Sla]
    warnings: list[Sla]

    def urgency(self, now: datetime) -> str:
        """ "overdue" past the due time, "warned" from the warning share on, else "running"."""
        if self.next_due is None:
            return "none"
        if now >= self.next_due:
            return "overdue"
        return "warned" if self.warn_from and now >= self.warn_from else "running"


def row(state: dict[str, Any]) -> Row:
    case = CaseState.model_validate(state)
    breached = [breach.sla for breach in case.breaches]
    running = [
        (due, sla)
        for sla in rules.SLAS
        if (due := rules.due_of(sla, case.deadlines))
        and sla not in case.met
        and sla not in breached
    ]
    next_due, next_sla = min(running) if running else (None, None)
    warn_at = case.terms.warn_at if case.terms else Decimal("0.75")
    warned = {
        str((entry.data or {}).get("sla")) for entry in case.timeline if entry.kind == "warning"
    }
    return Row(
        case_id=case.case_id,
        status=case.status.value,
        customer_id=case.customer_id or "-",
        customer=case.customer_name or case.customer_id or "-",
        equipment=" ".join(filter(None, [case.equipment_model, case.equipment_serial])) or "-",
        technician_id=case.technician_id,
        technician=case.technician_name or case.technician_id,
        emergency=case.emergency,
        next_sla=next_sla,
        next_due=next_due,
        warn_from=rules.warning_at(case.reported_at, next_due, warn_at)
        if next_due and case.reported_at
        else None,
        breaches=breached,
        warnings=[sla for sla in rules.SLAS if sla in warned and sla not in breached],
    )


def _by_due(row: Row) -> tuple[bool, bool, datetime | str]:
    return (not row.breaches, row.next_due is None, row.next_due or "")


_KEYS = {
    "due": _by_due,
    "case": lambda r: r.case_id,
    "customer": lambda r: (r.customer, _by_due(r)),
    "status": lambda r: (r.status, _by_due(r)),
    "technician": lambda r: (r.technician is None, r.technician or "", _by_due(r)),
}


def board(states: list[dict[str, Any]], filters: Filters) -> list[Row]:
    rows = [r for r in map(row, states) if filters.keeps(r)]
    sort = filters.sort if filters.sort in SORTS else "due"
    return sorted(rows, key=_KEYS[sort])
