"""`GET /api/cases`: cases from Temporal visibility (the case search attributes), newest
first, with `reported_at` from the archive's case row (or the workflow's start)."""

from __future__ import annotations

import asyncio
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from temporalio.client import Client

from activities.archive.schema import CaseRecord
from client import cases
from web.kinds import CASES
from web.models import CaseListItem
from workflows import search_attributes as keys


def visibility_query(
    status: str | None, customer_id: str | None, technician_id: str | None, breached: bool | None
) -> str:
    """Values are checked ids and known statuses (never raw text), so quoting is safe."""
    clauses = [f"WorkflowType = '{CASES.workflow_type}'"]
    for key, value in (
        (keys.CASE_STATUS, status),
        (keys.CUSTOMER_ID, customer_id),
        (keys.TECHNICIAN_ID, technician_id),
    ):
        if value is not None:
            clauses.append(f"{key.name} = '{value}'")
    if breached is not None:
        clauses.append(f"{keys.SLA_BREACHED.name} = {'true' if breached else 'false'}")
    return " AND ".join(clauses)


def _reported(sessions: sessionmaker[Session], case_ids: list[str]) -> dict[str, datetime | None]:
    with sessions() as session:
        rows = session.execute(
            select(CaseRecord.case_id, CaseRecord.reported_at).where(
                CaseRecord.case_id.in_(case_ids)
            )
        )
        return {row.case_id: row.reported_at for row in rows}


async def list_cases(
    client: Client, sessions: sessionmaker[Session], query: str, limit: int
) -> list[CaseListItem]:
    """The cases Temporal's visibility lists for `query` (as `repairdesk list` reads them),
    each with its report time from the archive (its start, for a case not archived yet)."""
    rows = await cases.list_cases(client, query, limit)
    ids = [row.case_id for row in rows]
    reported = await asyncio.to_thread(_reported, sessions, ids) if ids else {}
    return [
        CaseListItem(
            **row.model_dump(exclude={"started_at", "closed_at"}),
            reported_at=reported.get(row.case_id) or row.started_at,
        )
        for row in rows
    ]
