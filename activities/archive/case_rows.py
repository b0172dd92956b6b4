"""How a case snapshot lands in the `cases` table, and the rule for which snapshot wins.

The workflow archives a snapshot after every change, each in its own activity, so snapshots can
arrive out of order. Within one run the higher `version` wins. A case id names one case for
ever (contract v1.2): a snapshot of another run never replaces the row, and a workflow started
again under an id the archive holds is refused before it writes anything.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Insert, Table, and_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

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
    """Insert the case row, or replace it with a newer snapshot of the same run."""
    upsert_snapshot(session, CaseRecord.__table__, row)


def held_by_earlier_case(session: Session, case_id: str, run_id: str) -> str | None:
    """Why `case_id` cannot name the case of workflow run `run_id`: the archive holds another
    run's case under it (an earlier case: a case id names one case for ever)."""
    return held_by_another_run(session, CaseRecord.__table__, case_id, run_id, "case")


def held_by_another_run(
    session: Session, table: Table, key: str, run_id: str | None, noun: str
) -> str | None:
    """Why `key` cannot name a new case (or dispute) of run `run_id`: the archive holds one of
    another run under it. With no run (a client about to start one), any row holds it."""
    [column] = table.primary_key.columns
    held = session.execute(
        select(table.c.run_id, table.c.status, table.c.reported_at).where(column == key)
    ).first()
    if held is None or (run_id is not None and held.run_id == run_id):
        return None
    reported = f", reported {held.reported_at:%Y-%m-%d}" if held.reported_at else ""
    return (
        f"{noun} id {key} already names a {noun} ({held.status}{reported}); an id names one "
        f"{noun} for ever: open the new {noun} under a new id"
    )


def upsert_snapshot(session: Session, table: Table, row: dict[str, Any]) -> None:
    """One atomic statement on a snapshot table (its key first, then `run_id` and `version`):
    insert the row, or replace it with a newer snapshot of the same run; another run's row is
    never replaced (no lock, no read-then-write race, on either database)."""
    dialect = session.get_bind().dialect.name
    session.execute(_snapshot_statement(dialect, table, tuple(row)), row)


@cache
def _snapshot_statement(dialect: str, table: Table, columns: tuple[str, ...]) -> Insert:
    """The upsert of `columns`, built once and executed with each row as its parameters: a
    statement carrying its values would be built, and its cache key hashed, at every write."""
    insert = insert_for(dialect, table)
    [key] = table.primary_key.columns
    newer = and_(
        table.c.run_id == insert.excluded.run_id,
        table.c.version <= insert.excluded.version,
    )
    return insert.on_conflict_do_update(
        index_elements=[key],
        set_={column: insert.excluded[column] for column in columns if column != key.name},
        where=newer,
    )


def id_in_use(sessions: sessionmaker[Session], table: Table, key: str, noun: str) -> str | None:
    """Why a client must not start a case (or dispute) under `key`: the archive holds one."""
    with sessions() as session:
        return held_by_another_run(session, table, key, None, noun)
