"""The outbox: every notice is written to the archive before it is sent, once per key.

The row is the record of what was said to whom; a retried or replayed activity finds the row
an earlier attempt wrote and never writes a second letter for the same event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from activities.archive.once import insert_once
from activities.archive.schema import Notice

Sessions = sessionmaker[Session]


@dataclass(frozen=True)
class Draft:
    key: str
    case_id: str
    kind: str
    audience: str
    recipient: str | None
    language: str
    channel: str
    subject: str
    body: str


def record(sessions: Sessions, draft: Draft, now: datetime) -> Notice:
    """The outbox row for `draft.key`: written now, or the one an earlier attempt wrote."""

    def row() -> Notice:
        return Notice(
            key=draft.key,
            case_id=draft.case_id,
            kind=draft.kind,
            audience=draft.audience,
            recipient=draft.recipient,
            language=draft.language,
            channel=draft.channel,
            subject=draft.subject,
            body=draft.body,
            created_at=now,
            attempts=0,
        )

    stored, _ = insert_once(sessions, Notice, draft.key, row)
    return stored


def mark_delivered(sessions: Sessions, key: str, now: datetime) -> None:
    _change(sessions, key, attempts=Notice.attempts + 1, delivered_at=now, channel="smtp")


def mark_failed(sessions: Sessions, key: str, error: str) -> None:
    _change(sessions, key, attempts=Notice.attempts + 1, last_error=error[:2000])


def _change(sessions: Sessions, key: str, **values: object) -> None:
    with sessions.begin() as session:
        session.execute(update(Notice).where(Notice.key == key).values(**values))


def listing(sessions: Sessions, case_id: str | None = None, pending: bool = False) -> list[Notice]:
    """The outbox, oldest first; `pending` keeps the notices not delivered yet."""
    query = select(Notice).order_by(Notice.created_at, Notice.key)
    if case_id:
        query = query.where(Notice.case_id == case_id)
    if pending:
        query = query.where(Notice.delivered_at.is_(None))
    with sessions() as session:
        return list(session.scalars(query))
