"""Who may do what: bearer tokens (or the pages' cookie) and the contract's roles.

Missing, unknown, expired or revoked: 401. Not allowed for the role: 403. A request that
carries its token in the cookie and changes something must come from this site's own pages
(Sec-Fetch-Site, else Origin), so another site cannot post with the cookie of a signed-in
person; the cookie is SameSite=Strict as well.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from activities.archive.tokens import Holder, Role, holder_of
from web.errors import ApiError
from web.remote_codec import CODEC_ROLES, from_loopback

COOKIE = "repairdesk_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Permission(StrEnum):
    open_case = "open_case"
    cancel = "cancel"
    reply = "reply"
    dispatch = "dispatch"
    third_party_repair = "third_party_repair"
    arrive = "arrive"
    repaired = "repaired"
    read_cases = "read_cases"
    read_own_cases = "read_own_cases"
    read_customers = "read_customers"
    read_report = "read_report"
    read_disputes = "read_disputes"
    act_on_disputes = "act_on_disputes"


P = Permission
CALL_CENTRE = frozenset({P.open_case, P.cancel, P.read_cases, P.read_customers, P.read_disputes})
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.call_centre: CALL_CENTRE,
    Role.office: CALL_CENTRE | {P.reply, P.dispatch, P.third_party_repair, P.act_on_disputes},
    Role.technician: frozenset({P.read_own_cases, P.arrive, P.repaired}),
    Role.manager: frozenset({P.read_cases, P.read_customers, P.read_report, P.read_disputes}),
}

bearer = HTTPBearer(auto_error=False, description="a token from `repairdesk token create`")


def may(holder: Holder, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[holder.role]


def presented_token(request: Request, credentials: HTTPAuthorizationCredentials | None) -> str:
    if credentials is not None:
        return credentials.credentials
    return request.cookies.get(COOKIE, "")


def from_this_site(request: Request) -> bool:
    """A browser names where a request comes from; anything not from this site is refused."""
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None:
        return fetch_site in ("same-origin", "none")
    origin = request.headers.get("origin")
    return origin is None or urlsplit(origin).netloc == request.headers.get("host")


def signed_in(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Holder:
    token = presented_token(request, credentials)
    if not token:
        raise ApiError(401, "no token: send Authorization: Bearer <token>")
    holder = holder_of(request.app.state.sessions, token)
    if holder is None:
        raise ApiError(401, "the token is unknown, expired or revoked")
    if credentials is None and request.method not in SAFE_METHODS and not from_this_site(request):
        raise ApiError(403, "a cross-site request is refused")
    return holder


SignedIn = Annotated[Holder, Depends(signed_in)]


def codec_access(dev: bool) -> Callable[..., None]:
    """Who may use the remote codec (decoding shows personal data): `manager` and `office`
    tokens, and under `repairdesk dev` anyone on this machine (the UI, the `temporal` CLI)."""

    def authorize(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> None:
        if dev and from_loopback(request):
            return
        holder = signed_in(request, credentials)
        if holder.role.value not in CODEC_ROLES:
            raise ApiError(403, f"the {holder.role.value} role may not use the codec")

    return authorize


def requires(*permissions: Permission) -> Callable[[Holder], Holder]:
    """A dependency: the holder, when the role has any of `permissions`; else 403."""

    def check(holder: SignedIn) -> Holder:
        if not any(may(holder, p) for p in permissions):
            raise ApiError(403, f"the {holder.role.value} role may not do this")
        return holder

    return check
