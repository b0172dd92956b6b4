"""Writing a row once per key: what makes a retried activity, a replayed workflow or a restarted
worker harmless to the outbox, the ledger and the warranty extensions."""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from activities.archive.case_rows import dialect_insert
from activities.archive.schema import Base


def insert_once(session: Session, model: type[Base], values: dict[str, Any]) -> bool:
    """Insert `values` unless a row with the same primary key exists (then change nothing, even
    when two transactions race), inside the caller's transaction. Returns whether it inserted."""
    [key] = inspect(model).primary_key
    statement = dialect_insert(session, model).values(**values)
    inserted = statement.on_conflict_do_nothing().returning(key)
    return session.execute(inserted).scalar() is not None
