"""`GET /c/{token}`: the customer's read-only page of their case, reached from the signed link
under each of their letters (activities/public_link.py). No account and no cookie: the
signature is the permission. A link not signed here, or altered in any character: 404; an
expired one: 410. The page is in the contact's language and shows only `CustomerView`.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session, sessionmaker

from activities.archive.schema import CaseRecord
from activities.notices.wording import Wording
from activities.public_link import LinkRefused, verify
from web import gateway
from web.customer_view import customer_view
from web.errors import ApiError
from web.i18n import Words, language
from web.kinds import CASES
from web.pages import templates
from workflows.messages import CaseState

router = APIRouter(include_in_schema=False)
# The token in the address is the permission: keep it out of other sites' logs and caches.
PRIVATE = {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store", "X-Robots-Tag": "noindex"}


def _refused(request: Request, refusal: LinkRefused) -> Response:
    settings = request.app.state.settings
    words = Words(language(request), settings.zone, datetime.now(UTC))
    key = "link_expired" if refusal.expired else "link_invalid"
    return templates.TemplateResponse(
        request,
        "error.html",
        {"t": words, "holder": None, "zone": settings.timezone, "message_key": key},
        status_code=410 if refusal.expired else 404,
        headers=PRIVATE,
    )


def _archived(sessions: sessionmaker[Session], case_id: str) -> dict[str, Any] | None:
    with sessions() as session:
        row = session.get(CaseRecord, case_id)
        return row.state if row else None


async def _state(request: Request, case_id: str) -> CaseState | None:
    """The case as its workflow answers, else as the archive last kept it (no worker
    answering, or the workflow's history gone after the namespace's retention)."""
    app = request.app.state
    try:
        state = await gateway.read(app.client, CASES, case_id)
    except ApiError:
        state = await asyncio.to_thread(_archived, app.sessions, case_id)
    return CaseState.model_validate(state) if state else None


@router.get("/c/{token}", response_class=HTMLResponse)
async def case_status(request: Request, token: str) -> Response:
    settings = request.app.state.settings
    if not settings.public_link_secret:
        return _refused(request, LinkRefused("no links are signed here"))
    try:
        case_id = verify(settings.public_link_secret, token, datetime.now(UTC))
    except LinkRefused as refusal:
        return _refused(request, refusal)
    case = await _state(request, case_id)
    if case is None:
        return _refused(request, LinkRefused(f"no case {case_id}"))
    lang = case.contact.language
    words = Words(lang.value, settings.zone, datetime.now(UTC))
    view = customer_view(case, Wording(lang, settings.zone))
    return templates.TemplateResponse(
        request,
        "status.html",
        {"t": words, "holder": None, "zone": settings.timezone, "view": view},
        headers=PRIVATE,
    )


def install(app: FastAPI) -> None:
    app.include_router(router)
