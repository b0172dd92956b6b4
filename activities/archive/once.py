"""Writing a row once per key: what makes a retried activity, a replayed workflow or a restarted
worker harmless to the outbox, the ledger and the warranty extensions."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Insert, Table
from sqlalchemy.orm import Session

from activities.archive.case_rows import insert_for
from activities.archive.schema import Base


def insert_once(session: Session, model: type[Base], values: dict[str, Any]) -> bool:
    """Insert `values` unless a row with the same primary key exists (then change nothing, even
    when two transactions race), inside the caller's transaction. Returns whether it inserted."""
    statement = _insert_once(session.get_bind().dialect.name, model.__table__)
    return session.execute(statement, values).scalar() is not None


@cache
def _insert_once(dialect: str, table: Table) -> Insert:
    """The statement, built once and executed with each row as its parameters."""
    [key] = table.primary_key.columns
    return insert_for(dialect, table).on_conflict_do_nothing().returning(key)
