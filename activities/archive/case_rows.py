"""How a case snapshot lands in the `cases` table, and the rule for which snapshot wins.

The workflow archives a snapshot after every change, each in its own activity, so snapshots can
arrive out of order. Within one run the higher `version` wins; a snapshot from another run (the
case id reused after the first case closed) replaces the row, because a new run only starts once
the old one, and every activity it awaited, has finished.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Insert, Table, or_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from activities.archive.schema import CaseRecord
from workflows.messages import CaseState


def case_row(state: CaseState, run_id: str, now: datetime) -> dict[str, Any]:
    """The `cases` columns for a snapshot: the searchable fields, and the whole state as JSON."""
    document = state.model_dump(mode="json")
    return {
        "case_id": state.case_id,
        "run_id": run_id,
        "version": state.version,
        "status": state.status.value,
        "customer_id": state.customer_id,
        "equipment_serial": state.equipment_serial,
        "coverage": state.coverage.value if state.coverage else None,
        "emergency": state.emergency,
        "technician_id": state.technician_id,
        "cause": state.cause.value if state.cause else None,
        "reported_at": state.reported_at,
        "reply_due": state.deadlines.reply_due,
        "onsite_due": state.deadlines.onsite_due,
        "explanation_due": state.deadlines.explanation_due,
        "breached": bool(state.breaches),
        "breaches": document["breaches"],
        "met": document["met"],
        "outcome": state.outcome.reason if state.outcome else None,
        "state": document,
        "updated_at": now,
    }


def insert_for(dialect: str, table: Table) -> sqlite.Insert | postgresql.Insert:
    """An INSERT that can say ON CONFLICT, in the archive's dialect."""
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise RuntimeError(f"the archive supports SQLite and PostgreSQL, not {dialect}")


def upsert_case(session: Session, row: dict[str, Any]) -> None:
    """Insert the case row, or replace it unless it is an older snapshot of the same run."""
    upsert_snapshot(session, CaseRecord.__table__, row)


def upsert_snapshot(session: Session, table: Table, row: dict[str, Any]) -> None:
    """One atomic statement on a snapshot table (its key first, then `run_id` and `version`):
    insert the row, or replace it unless it is an older snapshot of the same run (no lock, no
    read-then-write race, on either database)."""
    dialect = session.get_bind().dialect.name
    session.execute(_snapshot_statement(dialect, table, tuple(row)), row)


@cache
def _snapshot_statement(dialect: str, table: Table, columns: tuple[str, ...]) -> Insert:
    """The upsert of `columns`, built once and executed with each row as its parameters: a
    statement carrying its values would be built, and its cache key hashed, at every write."""
    insert = insert_for(dialect, table)
    [key] = table.primary_key.columns
    newer = or_(
        table.c.run_id != insert.excluded.run_id,
        table.c.version <= insert.excluded.version,
    )
    return insert.on_conflict_do_update(
        index_elements=[key],
        set_={column: insert.excluded[column] for column in columns if column != key.name},
        where=newer,
    )
