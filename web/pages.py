"""The pages: server-rendered Jinja2 templates with htmx, phone-first.

A page reads the token from the HttpOnly cookie set at sign-in; without a valid one it sends
the person to /signin. Actions are sent by `static/actions.js` to the JSON API with the same
cookie, so the pages show exactly the API's answers and validation messages.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, FastAPI, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from activities.archive.service_archive import customers, service_archive
from activities.archive.tokens import Holder, Role, holder_of
from client import report_html
from client.report import build_report
from web import gateway, open_cases
from web.auth import COOKIE, Permission, from_this_site, may
from web.board import Filters, board
from web.errors import ApiError
from web.i18n import LANG_COOKIE, LANGUAGES, Words, language
from web.kinds import CASES
from web.workflow_routes import ID_PATTERN
from workflows.messages import ENDED, Cause, Status

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
# A value a case does not have yet (a rejected case has no customer) reads "-", never "None".
templates.env.finalize = lambda value: "-" if value is None else value
router = APIRouter(include_in_schema=False)
HOME = {
    Role.technician: "/tech",
    Role.call_centre: "/desk",
    Role.office: "/desk",
    Role.manager: "/report",
}
COOKIE_AGE = 60 * 60 * 24 * 90


class SignInFirst(Exception):
    """The page needs a signed-in person."""


class PageError(ApiError):
    """An `ApiError` raised by a page: shown as a page, not as JSON."""


async def _holder(request: Request) -> Holder:
    token = request.cookies.get(COOKIE)
    holder = (
        await asyncio.to_thread(holder_of, request.app.state.sessions, token) if token else None
    )
    if holder is None:
        raise SignInFirst
    return holder


def _page(request: Request, name: str, holder: Holder | None, status: int = 200, **context: Any):
    settings = request.app.state.settings
    words = Words(language(request), settings.zone, datetime.now(UTC))
    return templates.TemplateResponse(
        request,
        name,
        {"t": words, "holder": holder, "zone": settings.timezone, "may": may, "P": Permission}
        | context,
        status_code=status,
    )


def _allowed(request: Request, holder: Holder, *permissions: Permission) -> Response | None:
    if any(may(holder, p) for p in permissions):
        return None
    return _page(request, "error.html", holder, 403, message_key="not_allowed")


@router.get("/", response_class=HTMLResponse)
async def home(request: Request) -> Response:
    return RedirectResponse(HOME[(await _holder(request)).role], status_code=303)


@router.get("/signin", response_class=HTMLResponse)
async def signin_page(request: Request, token: str | None = None) -> Response:
    if token:
        return await _sign_in(request, token)
    return _page(request, "signin.html", None)


@router.post("/signin", response_class=HTMLResponse)
async def signin_form(request: Request, token: Annotated[str, Form()]) -> Response:
    if not from_this_site(request):
        raise ApiError(403, "a cross-site request is refused")
    return await _sign_in(request, token.strip())


async def _sign_in(request: Request, token: str) -> Response:
    holder = await asyncio.to_thread(holder_of, request.app.state.sessions, token)
    if holder is None:
        return _page(request, "signin.html", None, 401, failed=True)
    answer = RedirectResponse(HOME[holder.role], status_code=303)
    answer.set_cookie(
        COOKIE,
        token,
        max_age=COOKIE_AGE,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return answer


@router.post("/signout")
async def signout(request: Request) -> Response:
    answer = RedirectResponse("/signin", status_code=303)
    answer.delete_cookie(COOKIE)
    return answer


@router.get("/lang/{lang}")
async def switch_language(request: Request, lang: str) -> Response:
    back = urlsplit(request.headers.get("referer", "/")).path or "/"
    answer = RedirectResponse(back, status_code=303)
    if lang in LANGUAGES:
        answer.set_cookie(LANG_COOKIE, lang, max_age=COOKIE_AGE, samesite="strict")
    return answer


@router.get("/tech", response_class=HTMLResponse)
async def tech(request: Request) -> Response:
    holder = await _holder(request)
    refused = _allowed(request, holder, Permission.read_own_cases)
    if refused:
        return refused
    app = request.app.state
    ids = await asyncio.to_thread(open_cases.of_technician, app.sessions, holder.technician_id)
    states = [await gateway.read(app.client, CASES, case_id) for case_id in ids]
    mine = [s for s in states if s.get("technician_id") == holder.technician_id]
    return _page(request, "tech.html", holder, cases=mine, causes=[c.value for c in Cause])


def _filters(request: Request) -> Filters:
    asked = {name: request.query_params.get(name, "") for name in Filters.__dataclass_fields__}
    return Filters(**asked | {"sort": asked["sort"] or "due"})


async def _open_cases(request: Request) -> dict[str, Any]:
    """The open cases as the board and the cards show them, filtered and sorted as asked."""
    states = await asyncio.to_thread(open_cases.all_open, request.app.state.sessions)
    filters = _filters(request)
    rows = board(states, filters)
    by_id = {state["case_id"]: state for state in states}
    technicians = sorted({s["technician_id"] for s in states if s.get("technician_id")})
    return {
        "rows": rows,
        "cases": [by_id[r.case_id] for r in rows],
        "filters": filters,
        "technicians": technicians,
    }


@router.get("/desk", response_class=HTMLResponse)
async def desk(request: Request) -> Response:
    holder = await _holder(request)
    refused = _allowed(request, holder, Permission.open_case, Permission.read_cases)
    if refused:
        return refused
    known = await asyncio.to_thread(customers, request.app.state.sessions)
    statuses = [s.value for s in Status if s not in ENDED]
    shown = await _open_cases(request)
    return _page(request, "desk.html", holder, customers=known, statuses=statuses, **shown)


@router.get("/desk/cases", response_class=HTMLResponse)
async def desk_cases(request: Request) -> Response:
    holder = await _holder(request)
    refused = _allowed(request, holder, Permission.read_cases)
    if refused:
        return refused
    return _page(request, "_desk_cases.html", holder, **await _open_cases(request))


@router.get("/desk/equipment", response_class=HTMLResponse)
async def desk_equipment(
    request: Request, customer_id: Annotated[str, Query(pattern=ID_PATTERN)]
) -> Response:
    holder = await _holder(request)
    refused = _allowed(request, holder, Permission.open_case)
    if refused:
        return refused
    found = await _archive_of(request, customer_id)
    return _page(request, "_equipment_options.html", holder, archive=found)


async def _archive_of(request: Request, customer_id: str) -> Any:
    app = request.app.state
    today = datetime.now(UTC).astimezone(app.settings.zone).date()
    return await asyncio.to_thread(service_archive, app.sessions, customer_id, today)


@router.get("/cases/{case_id}", response_class=HTMLResponse)
async def case_page(request: Request, case_id: str) -> Response:
    holder = await _holder(request)
    refused = _allowed(request, holder, Permission.read_cases, Permission.read_own_cases)
    if refused:
        return refused
    state = await _read_case(request, case_id)
    if holder.role is Role.technician and state.get("technician_id") != holder.technician_id:
        raise PageError(403, f"case {case_id} is not dispatched to you")
    letters = await asyncio.to_thread(open_cases.letters, request.app.state.sessions, case_id)
    return _page(
        request,
        "case.html",
        holder,
        case=state,
        letters=letters,
        causes=[c.value for c in Cause],
    )


@router.get("/customers/{customer_id}", response_class=HTMLResponse)
async def customer_page(request: Request, customer_id: str) -> Response:
    holder = await _holder(request)
    refused = _allowed(request, holder, Permission.read_customers)
    if refused:
        return refused
    found = await _archive_of(request, customer_id)
    if found is None:
        raise PageError(404, f"no customer {customer_id} in the archive")
    return _page(request, "customer.html", holder, archive=found)


@router.get("/report", response_class=HTMLResponse)
async def report_page(request: Request) -> Response:
    holder = await _holder(request)
    refused = _allowed(request, holder, Permission.read_report)
    if refused:
        return refused
    zone = request.app.state.settings.zone
    built = await asyncio.to_thread(build_report, request.app.state.sessions, zone, None, None)
    return _page(
        request,
        "report.html",
        holder,
        report_body=report_html.body(built),
        report_css=report_html.CSS,
    )


async def _sign_in_first(request: Request, error: Exception) -> Response:
    return RedirectResponse("/signin", status_code=303)


async def _refused(request: Request, error: Exception) -> Response:
    """An API refusal met while drawing a page (unknown case, another technician's case)."""
    assert isinstance(error, PageError)
    return _page(request, "error.html", None, error.code, message=error.error)


async def _read_case(request: Request, case_id: str) -> dict[str, Any]:
    try:
        return await gateway.read(request.app.state.client, CASES, case_id)
    except ApiError as e:
        raise PageError(e.code, e.error) from None


def install(app: FastAPI) -> None:
    app.include_router(router)
    app.add_exception_handler(SignInFirst, _sign_in_first)
    app.add_exception_handler(PageError, _refused)
