"""The routes every workflow kind gets: open, read, and one POST per action (each with its
own body model, so OpenAPI describes every payload). Cases and IP disputes both use these.

No `from __future__ import annotations` here: FastAPI reads the body types of the endpoints
made in the loop below at run time.
"""

import asyncio
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, Path, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from activities.archive.idempotency import bound_elsewhere, request_digest
from activities.archive.tokens import Holder, Role
from web import gateway
from web.auth import Permission, requires
from web.errors import ApiError, ErrorBody
from web.gateway import Kind, State
from workflows.messages import FieldError

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$"
ObjectId = Annotated[str, Path(pattern=ID_PATTERN)]


def path_id(kind: Kind) -> Any:
    """The id in the path, named as the contract names it (`case_id`, `dispute_id`)."""
    return Annotated[str, Path(alias=kind.id_field, pattern=ID_PATTERN)]


IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=200,
        description="a retry with the same key is answered with the first result and applied "
        "once; the key is bound to its first request (case, action, payload): sent with "
        "another, 422",
    ),
]


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": ErrorBody} for code in codes}


def technician_scope(holder: Holder, kind: Kind, state: State) -> None:
    """A technician reads and acts only on the cases dispatched to them."""
    if holder.role is Role.technician and state.get("technician_id") != holder.technician_id:
        raise ApiError(403, f"{kind.noun} {state.get(kind.id_field)} is not dispatched to you")


def _rejected(kind: Kind, state: State) -> ApiError:
    outcome = state.get("outcome") or {}
    return ApiError(
        422,
        outcome.get("reason") or f"the {kind.noun} was rejected",
        [FieldError.model_validate(e) for e in outcome.get("errors", [])],
        state=state,
    )


def workflow_routes(
    kind: Kind,
    base: str,
    opener: Permission,
    readers: tuple[Permission, ...],
    action_permission: Callable[[str], Permission],
) -> APIRouter:
    router = APIRouter(prefix=base, tags=[f"{kind.noun}s"])
    object_path = f"/{{{kind.id_field}}}"
    ThisId = path_id(kind)
    state_doc = {"model": kind.state}

    @router.post(
        "",
        status_code=201,
        responses={201: state_doc, **error_responses(401, 403, 409, 422, 504)},
        summary=f"open a {kind.noun}; answers once the archive look-up has placed it",
    )
    async def open_one(
        request: Request,
        body: Annotated[kind.request, Body()],  # type: ignore[name-defined]
        holder: Annotated[Holder, Depends(requires(opener))],
    ) -> JSONResponse:
        app = request.app.state
        state = await gateway.start(
            app.client, app.sessions, app.settings.task_queue, kind, body, app.settings.zone
        )
        if state.get("status") == "rejected":
            raise _rejected(kind, state)
        return JSONResponse(state, status_code=201)

    @router.get(
        object_path,
        responses={200: state_doc, **error_responses(401, 403, 404, 422)},
        summary=f"the {kind.noun}'s state",
    )
    async def read_one(
        request: Request,
        object_id: ThisId,  # type: ignore[valid-type]
        holder: Annotated[Holder, Depends(requires(*readers))],
    ) -> JSONResponse:
        state = await gateway.read(request.app.state.client, kind, object_id)
        technician_scope(holder, kind, state)
        return JSONResponse(state)

    for name, model in kind.actions.items():
        router.add_api_route(
            f"{object_path}/{name}",
            _action_endpoint(kind, name, model, action_permission(name)),
            methods=["POST"],
            responses={200: state_doc, **error_responses(401, 403, 404, 409, 422, 504)},
            summary=f"`{name}`: the update of that name; returns the new state",
            name=f"{kind.noun}_{name}",
        )
    return router


def _action_endpoint(
    kind: Kind, name: str, model: type[BaseModel], permission: Permission
) -> Callable[..., Any]:
    async def endpoint(
        request: Request,
        object_id: path_id(kind),  # type: ignore[valid-type]
        action: Annotated[model, Body()],  # type: ignore[valid-type]
        holder: Annotated[Holder, Depends(requires(permission))],
        idempotency_key: IdempotencyKey = None,
    ) -> JSONResponse:
        client = request.app.state.client
        if holder.role is Role.technician:
            technician_scope(holder, kind, await gateway.read(client, kind, object_id))
            if getattr(action, "technician_id", holder.technician_id) != holder.technician_id:
                raise ApiError(
                    403,
                    f"you may send {name} only as {holder.technician_id}, "
                    "not for another technician",
                )
        sent = action.model_dump(mode="json", exclude_unset=True)
        if idempotency_key:
            digest = request_digest(kind.noun, object_id, name, sent)
            sessions = request.app.state.sessions
            if await asyncio.to_thread(bound_elsewhere, sessions, idempotency_key, digest):
                raise ApiError(422, "Idempotency-Key reused for a different request")
        return JSONResponse(await gateway.act(client, kind, object_id, name, sent, idempotency_key))

    return endpoint
