"""Writing a row once per key: what makes a retried activity, a replayed workflow or a restarted
worker harmless to the outbox and the ledger."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from activities.archive.schema import Base

Row = TypeVar("Row", bound=Base)


def insert_once(
    sessions: sessionmaker[Session], model: type[Row], key: Any, build: Callable[[], Row]
) -> tuple[Row, bool]:
    """The row stored under `key`: the one `build` makes, stored now, or the one an earlier
    attempt stored (left unchanged, even when two attempts race). The flag says whether this
    call stored it."""
    with sessions() as session:
        if (existing := session.get(model, key)) is not None:
            return existing, False
        row = build()
        session.add(row)
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            return session.get_one(model, key), False
        return row, True
