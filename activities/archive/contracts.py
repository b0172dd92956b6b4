"""Per-customer contracts: `repairdesk archive contracts FILE.csv`, and the terms they put in force.

A contract overrides the worker's default terms column by column; an empty cell (NULL in the
archive) keeps the default. Loading is all or nothing, like the equipment import. A case reads
the terms once, when it opens, so a new contract never changes a case already running.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from activities.archive.csv_table import Cells, ImportRefused, Problem, Row, parse_table, read_text
from activities.archive.schema import Contract, Customer
from workflows import term_values
from workflows.messages import Terms

DURATIONS = ("reply", "onsite", "repair", "emergency_onsite")
COLUMNS = ("customer_id", *DURATIONS, "warn_at", "discount", "labour_rate")


@dataclass(frozen=True)
class ContractRow:
    line: int
    customer_id: str
    seconds: dict[str, int | None]
    warn_at: Decimal | None
    discount: Decimal | None
    labour_rate: Decimal | None


@dataclass(frozen=True)
class ContractSummary:
    new: int
    updated: int


def terms_under(contract: Contract | None, defaults: Terms) -> Terms:
    """The terms for a customer: the defaults, with every non-null contract column in force."""
    if contract is None:
        return defaults
    overrides: dict[str, Any] = {
        name: timedelta(seconds=seconds)
        for name in DURATIONS
        if (seconds := getattr(contract, f"{name}_seconds")) is not None
    }
    for name in ("warn_at", "discount", "labour_rate"):
        if (value := getattr(contract, name)) is not None:
            overrides[name] = value
    return defaults.model_copy(update=overrides)


def _seconds(cells: Cells, column: str) -> int | None:
    value = cells.text(column, 30, required=False)
    if value is None:
        return None
    try:
        return int(term_values.sla_span(value).total_seconds())
    except ValueError as e:
        cells.problem(f"{column} {e}")
        return None


def _parse_row(row: Row, problems: list[Problem]) -> ContractRow | None:
    cells = Cells(row, problems)
    before = len(problems)
    customer_id = cells.identifier("customer_id")
    seconds = {name: _seconds(cells, name) for name in DURATIONS}
    warn_at = cells.decimal("warn_at", term_values.warn_at)
    discount = cells.decimal("discount", term_values.discount)
    labour_rate = cells.decimal("labour_rate", term_values.labour_rate)
    if len(problems) > before or customer_id is None:
        return None
    return ContractRow(row.line, customer_id, seconds, warn_at, discount, labour_rate)


def parse_contracts(text: str) -> tuple[list[ContractRow], list[Problem]]:
    """The good rows of the file and every problem found; the archive is checked later."""
    problems: list[Problem] = []
    rows = [r for r in (_parse_row(row, problems) for row in parse_table(text, COLUMNS)) if r]
    first_line: dict[str, int] = {}
    for row in rows:
        first = first_line.setdefault(row.customer_id, row.line)
        if first != row.line:
            reason = f"customer {row.customer_id} already has a contract on line {first}"
            problems.append(Problem(row.line, reason))
    return rows, problems


def _apply(contract: Contract, row: ContractRow, now: datetime) -> None:
    contract.reply_seconds = row.seconds["reply"]
    contract.onsite_seconds = row.seconds["onsite"]
    contract.repair_seconds = row.seconds["repair"]
    contract.emergency_onsite_seconds = row.seconds["emergency_onsite"]
    contract.warn_at, contract.discount = row.warn_at, row.discount
    contract.labour_rate, contract.updated_at = row.labour_rate, now


def store_contracts(
    sessions: sessionmaker[Session], rows: list[ContractRow], problems: list[Problem]
) -> ContractSummary:
    """Check that every customer is in the archive and, if no problem was found anywhere,
    write the contracts, in one transaction."""
    with sessions.begin() as session:
        problems = problems + [
            Problem(row.line, f"customer {row.customer_id} is not in the archive: import it first")
            for row in rows
            if session.get(Customer, row.customer_id) is None
        ]
        if problems:
            raise ImportRefused(problems)
        now, new = datetime.now(UTC), 0
        for row in rows:
            contract = session.get(Contract, row.customer_id)
            if contract is None:
                contract, new = Contract(customer_id=row.customer_id), new + 1
                session.add(contract)
            _apply(contract, row, now)
    return ContractSummary(new=new, updated=len(rows) - new)


def import_contracts(sessions: sessionmaker[Session], path: Path) -> ContractSummary:
    return store_contracts(sessions, *parse_contracts(read_text(path)))
