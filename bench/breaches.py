"""How late each breach was noticed: `noticed_at - due` of every breach in the archive's case
rows of a hold's probes (the workflow records a case row when a breach is added)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from activities.archive.schema import CaseRecord


def breach_lateness(sessions: sessionmaker[Session], case_prefix: str) -> list[float]:
    """Seconds from due to noticed, one per breach of the cases whose id starts with the prefix."""
    with sessions() as session:
        rows = session.scalars(
            select(CaseRecord.breaches).where(CaseRecord.case_id.startswith(case_prefix))
        ).all()
    return [
        (datetime.fromisoformat(b["noticed_at"]) - datetime.fromisoformat(b["due"])).total_seconds()
        for breaches in rows
        for b in breaches
    ]


def breached_cases(sessions: sessionmaker[Session], case_prefix: str) -> int:
    with sessions() as session:
        query = select(CaseRecord.case_id).where(
            CaseRecord.case_id.startswith(case_prefix), CaseRecord.breached.is_(True)
        )
        return len(session.scalars(query).all())
