"""How a case snapshot lands in the `cases` table, and the rule for which snapshot wins.

The workflow archives a snapshot after every change, each in its own activity, so snapshots can
arrive out of order. Within one run the higher `version` wins; a snapshot from another run (the
case id reused after the first case closed) replaces the row, because a new run only starts once
the old one, and every activity it awaited, has finished.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Insert, or_
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


def dialect_insert(session: Session, table: Any) -> sqlite.Insert | postgresql.Insert:
    """An INSERT that can say ON CONFLICT, in the dialect of the archive behind `session`."""
    name = session.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert(table)
    if name == "sqlite":
        return sqlite.insert(table)
    raise RuntimeError(f"the archive supports SQLite and PostgreSQL, not {name}")


def upsert_case(session: Session, row: dict[str, Any]) -> Insert:
    """One atomic statement: insert the row, or replace it unless it is an older snapshot of
    the same run (no lock, no read-then-write race, on either database)."""
    insert = dialect_insert(session, CaseRecord).values(**row)
    newer = or_(
        CaseRecord.run_id != insert.excluded.run_id,
        CaseRecord.version <= insert.excluded.version,
    )
    return insert.on_conflict_do_update(
        index_elements=[CaseRecord.case_id],
        set_={column: insert.excluded[column] for column in row if column != "case_id"},
        where=newer,
    )
