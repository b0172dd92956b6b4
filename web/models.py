"""The API's own bodies, beside the workflow's messages it passes through unchanged."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from client.cases import CaseIndexed
from workflows.ip_messages import DisputeRequest
from workflows.messages import CaseRequest, Identifier


class NewCase(CaseRequest):
    """`POST /api/cases`: a `CaseRequest` whose `case_id` may be left out (one is made)."""

    case_id: Identifier | None = None  # type: ignore[assignment]


class NewDispute(DisputeRequest):
    """`POST /api/ip-disputes`: a `DisputeRequest` whose `dispute_id` may be left out."""

    dispute_id: Identifier | None = None  # type: ignore[assignment]


class CaseListItem(CaseIndexed):
    """One case of `GET /api/cases`."""

    reported_at: datetime | None


class CaseList(BaseModel):
    cases: list[CaseListItem]


class Health(BaseModel):
    temporal: str
    archive: str
