"""What the pages read from the archive: open cases (its `cases` rows hold each case's state,
kept current by the workflow) and a case's letters."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from activities.archive.schema import CaseRecord, Notice
from workflows.messages import ENDED

OPEN = CaseRecord.status.not_in([status.value for status in ENDED])
LIMIT = 200


def of_technician(sessions: sessionmaker[Session], technician_id: str | None) -> list[str]:
    """The open cases dispatched to `technician_id`, newest first."""
    with sessions() as session:
        return list(
            session.scalars(
                select(CaseRecord.case_id)
                .where(OPEN, CaseRecord.technician_id == technician_id)
                .order_by(CaseRecord.reported_at.desc())
                .limit(LIMIT)
            )
        )


def all_open(sessions: sessionmaker[Session]) -> list[dict[str, Any]]:
    """Every open case's state as last archived, newest first."""
    with sessions() as session:
        rows = session.scalars(
            select(CaseRecord.state)
            .where(OPEN)
            .order_by(CaseRecord.reported_at.desc())
            .limit(LIMIT)
        )
        return list(rows)


def letters(sessions: sessionmaker[Session], case_id: str) -> list[Notice]:
    with sessions() as session:
        return list(
            session.scalars(
                select(Notice).where(Notice.case_id == case_id).order_by(Notice.created_at)
            )
        )
