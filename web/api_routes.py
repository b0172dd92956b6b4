"""The API's routes: cases and IP disputes (one shared path), the case list, the customer's
service archive, the compliance report and the health check."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from activities.archive.service_archive import ServiceArchive, service_archive
from activities.archive.tokens import Holder, Role
from client.report import BadPeriod, as_json, build_report, period
from web.auth import Permission, requires
from web.case_list import list_cases, visibility_query
from web.errors import ApiError, ErrorBody
from web.kinds import CASES, DISPUTES
from web.models import CaseList, Health
from web.workflow_routes import ObjectId, error_responses, workflow_routes
from workflows.messages import Identifier

STATUSES = "^(opening|awaiting_reply|awaiting_technician|technician_dispatched|on_site|repaired|third_party|cancelled|rejected)$"  # noqa: E501
HEALTH_TIMEOUT = timedelta(seconds=3)

router = APIRouter()


@router.get(
    "/api/cases", response_model=CaseList, responses=error_responses(401, 403, 422), tags=["cases"]
)
async def cases(
    request: Request,
    holder: Annotated[Holder, Depends(requires(Permission.read_cases, Permission.read_own_cases))],
    status: Annotated[str | None, Query(pattern=STATUSES)] = None,
    customer_id: Identifier | None = None,
    technician_id: Identifier | None = None,
    breached: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> CaseList:
    """Cases newest first; a technician sees only the cases dispatched to them."""
    if holder.role is Role.technician:
        if technician_id not in (None, holder.technician_id):
            raise ApiError(403, "a technician sees only their own cases")
        technician_id = holder.technician_id
    app = request.app.state
    query = visibility_query(status, customer_id, technician_id, breached)
    return CaseList(cases=await list_cases(app.client, app.sessions, query, limit))


@router.get(
    "/api/customers/{customer_id}",
    response_model=ServiceArchive,
    responses=error_responses(401, 403, 404, 422),
    tags=["archive"],
)
async def customer(
    request: Request,
    customer_id: ObjectId,
    holder: Annotated[Holder, Depends(requires(Permission.read_customers))],
) -> ServiceArchive:
    """The customer's service archive (clause 1)."""
    app = request.app.state
    today = datetime.now(UTC).astimezone(app.settings.zone).date()
    found = await asyncio.to_thread(service_archive, app.sessions, customer_id, today)
    if found is None:
        raise ApiError(404, f"no customer {customer_id} in the archive")
    return found


@router.get("/api/report", responses=error_responses(401, 403, 422), tags=["report"])
async def report(
    request: Request,
    holder: Annotated[Holder, Depends(requires(Permission.read_report))],
    date_from: Annotated[str | None, Query(alias="from")] = None,
    date_to: Annotated[str | None, Query(alias="to")] = None,
) -> dict[str, Any]:
    """The SLA compliance report, as `repairdesk report --json` gives it."""
    try:
        start, end = period(date_from, date_to, ("from", "to"))
    except BadPeriod as e:
        raise ApiError(422, str(e)) from None
    zone = request.app.state.settings.zone
    built = await asyncio.to_thread(build_report, request.app.state.sessions, zone, start, end)
    return as_json(built)


async def _temporal_answers(request: Request) -> str:
    try:
        await request.app.state.client.service_client.check_health(timeout=HEALTH_TIMEOUT)
    except Exception as e:  # any failure means it does not answer; the reason is reported
        return f"does not answer: {e}"
    return "ok"


def _archive_answers(request: Request) -> str:
    try:
        with request.app.state.sessions() as session:
            session.execute(text("SELECT 1"))
    except Exception as e:  # any failure means it does not answer; the reason is reported
        return f"does not answer: {type(e).__name__}"
    return "ok"


@router.get("/healthz", response_model=Health, responses={503: {"model": ErrorBody}})
async def healthz(request: Request) -> JSONResponse:
    """200 when Temporal and the archive answer; 503 naming which does not."""
    health = Health(
        temporal=await _temporal_answers(request),
        archive=await asyncio.to_thread(_archive_answers, request),
    )
    failing = [name for name, said in health.model_dump().items() if said != "ok"]
    if failing:
        return JSONResponse(
            {
                "error": f"{' and '.join(failing)} not answering",
                "errors": [{"field": name, "message": getattr(health, name)} for name in failing],
                **health.model_dump(),
            },
            status_code=503,
        )
    return JSONResponse(health.model_dump())


def install(app: FastAPI) -> None:
    app.include_router(
        workflow_routes(
            CASES,
            "/api/cases",
            opener=Permission.open_case,
            readers=(Permission.read_cases, Permission.read_own_cases),
            action_permission=Permission,
        )
    )
    app.include_router(router)
    app.include_router(
        workflow_routes(
            DISPUTES,
            "/api/ip-disputes",
            opener=Permission.act_on_disputes,
            readers=(Permission.read_disputes,),
            action_permission=lambda _: Permission.act_on_disputes,
        )
    )
