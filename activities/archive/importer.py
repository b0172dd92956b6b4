"""`repairdesk archive import`: customers and their equipment from a CSV file (clause 1's archive).

All or nothing: every row is checked, against the file and against the archive, before anything
is written, and the writes happen in the same transaction as the checks. A re-import updates
names, models, sites and warranty dates in place; it never touches `extension_days`, the days a
warranty earned under clause 7, which only the `extend_warranty` activity adds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from activities.archive.csv_table import Cells, ImportRefused, Problem, Row, parse_table, read_text
from activities.archive.schema import Customer, Equipment

COLUMNS = (
    "customer_id",
    "customer_name",
    "serial",
    "model",
    "site",
    "warranty_start",
    "warranty_months",
)
# Bounds that keep every warranty end (start + months + days earned under clause 7) a date the
# look-up can compute: a year 9999 start or a 100-year warranty is a typo, not a machine.
EARLIEST_WARRANTY_START = date(1970, 1, 1)
LATEST_WARRANTY_START = date(2100, 12, 31)
MIN_WARRANTY_MONTHS, MAX_WARRANTY_MONTHS = 1, 600
_CHUNK = 500


@dataclass(frozen=True)
class EquipmentRow:
    line: int
    customer_id: str
    customer_name: str
    serial: str
    model: str | None
    site: str | None
    warranty_start: date
    warranty_months: int


@dataclass(frozen=True)
class ImportSummary:
    customers: int
    new_equipment: int
    updated_equipment: int

    @property
    def equipment(self) -> int:
        return self.new_equipment + self.updated_equipment


def _parse_row(row: Row, problems: list[Problem]) -> EquipmentRow | None:
    cells = Cells(row, problems)
    before = len(problems)
    values = {
        "customer_id": cells.identifier("customer_id"),
        "customer_name": cells.text("customer_name", 200),
        "serial": cells.identifier("serial"),
        "model": cells.text("model", 200, required=False),
        "site": cells.text("site", 500, required=False),
        "warranty_start": cells.date(
            "warranty_start", EARLIEST_WARRANTY_START, LATEST_WARRANTY_START
        ),
        "warranty_months": cells.whole_number(
            "warranty_months", MIN_WARRANTY_MONTHS, MAX_WARRANTY_MONTHS
        ),
    }
    if len(problems) > before:
        return None
    return EquipmentRow(line=row.line, **values)  # type: ignore[arg-type]


def _check_consistency(rows: list[EquipmentRow], problems: list[Problem]) -> None:
    """Within the file: one owner per serial, one name per customer."""
    serials: dict[str, EquipmentRow] = {}
    names: dict[str, EquipmentRow] = {}
    for row in rows:
        first = serials.setdefault(row.serial, row)
        if first is not row:
            owners = (
                f"to {first.customer_id} on line {first.line} and to {row.customer_id} here"
                if first.customer_id != row.customer_id
                else f"twice (first on line {first.line})"
            )
            problems.append(Problem(row.line, f"serial {row.serial} is given {owners}"))
        named = names.setdefault(row.customer_id, row)
        if named.customer_name != row.customer_name:
            problems.append(
                Problem(
                    row.line,
                    f"customer {row.customer_id} is named {row.customer_name!r} here but "
                    f"{named.customer_name!r} on line {named.line}",
                )
            )


def parse_equipment(text: str) -> tuple[list[EquipmentRow], list[Problem]]:
    """The good rows of the file and every problem found, each row checked on its own and
    against the others; the archive is checked later, in the transaction that writes."""
    problems: list[Problem] = []
    rows = [r for r in (_parse_row(row, problems) for row in parse_table(text, COLUMNS)) if r]
    _check_consistency(rows, problems)
    return rows, problems


def _existing(session: Session, serials: list[str]) -> dict[str, Equipment]:
    found: dict[str, Equipment] = {}
    for i in range(0, len(serials), _CHUNK):
        chunk = serials[i : i + _CHUNK]
        query = select(Equipment).where(Equipment.serial.in_(chunk)).with_for_update()
        found.update((e.serial, e) for e in session.scalars(query))
    return found


def _owner_problems(rows: Iterable[EquipmentRow], existing: dict[str, Equipment]) -> list[Problem]:
    return [
        Problem(
            row.line,
            f"serial {row.serial} already belongs to customer "
            f"{existing[row.serial].customer_id} in the archive, not to {row.customer_id}",
        )
        for row in rows
        if row.serial in existing and existing[row.serial].customer_id != row.customer_id
    ]


def _store_customers(session: Session, rows: list[EquipmentRow], now: datetime) -> int:
    names = {row.customer_id: row.customer_name for row in rows}
    for customer_id, name in names.items():
        customer = session.get(Customer, customer_id)
        if customer is None:
            session.add(Customer(customer_id=customer_id, name=name, updated_at=now))
        else:
            customer.name, customer.updated_at = name, now
    session.flush()
    return len(names)


def _store_equipment(
    session: Session, row: EquipmentRow, equipment: Equipment | None, now: datetime
) -> None:
    if equipment is None:
        equipment = Equipment(serial=row.serial, customer_id=row.customer_id, extension_days=0)
        session.add(equipment)
    equipment.model, equipment.site = row.model, row.site
    equipment.warranty_start, equipment.warranty_months = row.warranty_start, row.warranty_months
    equipment.updated_at = now


def store_equipment(
    sessions: sessionmaker[Session], rows: list[EquipmentRow], problems: list[Problem]
) -> ImportSummary:
    """Check the rows against the archive and, if no problem was found anywhere, write them,
    in one transaction."""
    with sessions.begin() as session:
        existing = _existing(session, [row.serial for row in rows])
        problems = problems + _owner_problems(rows, existing)
        if problems:
            raise ImportRefused(problems)
        now = datetime.now(UTC)
        customers = _store_customers(session, rows, now)
        for row in rows:
            _store_equipment(session, row, existing.get(row.serial), now)
    updated = sum(1 for row in rows if row.serial in existing)
    return ImportSummary(customers, len(rows) - updated, updated)


def import_equipment(sessions: sessionmaker[Session], path: Path) -> ImportSummary:
    return store_equipment(sessions, *parse_equipment(read_text(path)))
