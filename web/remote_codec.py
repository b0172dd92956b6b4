"""Temporal's remote codec protocol, for the Temporal UI (`--ui-codec-endpoint`) and the
`temporal` CLI (`--codec-endpoint`, `--codec-auth`).

`POST /codec/encode` and `POST /codec/decode` take and answer `{"payloads": [...]}`, each payload
in protobuf JSON (`metadata` values and `data` in base64). The caller passes `authorize`, a
FastAPI dependency that refuses (401/403) whoever may not use the codec: decoding shows personal
data, so the contract allows it to the roles in `CODEC_ROLES` only (and to loopback under
`repairdesk dev`). The UI calls from the browser, so the router answers CORS for the UI's origins
itself: an app-wide middleware is the caller's business, this file stands alone.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Collection, Sequence
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from google.protobuf import json_format
from temporalio.api.common.v1 import Payload, Payloads
from temporalio.converter import PayloadCodec

CODEC_ROLES = frozenset({"manager", "office"})
ALLOWED_HEADERS = "Authorization, Content-Type, X-Namespace"


def from_loopback(request: Request) -> bool:
    """Whether the request comes from this machine: under `repairdesk dev` the codec decodes
    for it without a token (the UI on localhost, the `temporal` CLI in another terminal)."""
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _cors(response: Response, origin: str | None, origins: Collection[str]) -> None:
    if origin and origin in origins:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Credentials"] = "true"
        response.headers["Vary"] = "Origin"


def _payloads(body: Any) -> list[Payload]:
    try:
        return list(json_format.ParseDict(body, Payloads()).payloads)
    except (json_format.ParseError, TypeError, AttributeError) as e:
        raise HTTPException(400, f"not a Payloads message in protobuf JSON: {e}") from None


def codec_router(
    codec: PayloadCodec, authorize: Callable[..., Any], ui_origins: Sequence[str]
) -> APIRouter:
    """The codec endpoints under `/codec`, guarded by `authorize`, open to `ui_origins`."""
    router = APIRouter(prefix="/codec", tags=["codec"])
    origins = frozenset(ui_origins)

    async def convert(request: Request, response: Response, decode: bool) -> dict[str, Any]:
        _cors(response, request.headers.get("origin"), origins)
        try:
            body = await request.json()
        except ValueError:
            raise HTTPException(400, "the body is not JSON") from None
        payloads = _payloads(body)
        try:
            done = await (codec.decode(payloads) if decode else codec.encode(payloads))
        except ValueError as e:
            raise HTTPException(422, str(e)) from None
        return json_format.MessageToDict(Payloads(payloads=done))

    @router.options("/{operation}", include_in_schema=False)
    async def preflight(operation: str, request: Request) -> Response:
        response = Response(status_code=204 if operation in ("encode", "decode") else 404)
        _cors(response, request.headers.get("origin"), origins)
        response.headers["Access-Control-Allow-Methods"] = "POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
        return response

    @router.post("/encode", dependencies=[Depends(authorize)])
    async def encode(request: Request, response: Response) -> dict[str, Any]:
        """Encrypt payloads under the current key (for `temporal … --codec-endpoint`)."""
        return await convert(request, response, decode=False)

    @router.post("/decode", dependencies=[Depends(authorize)])
    async def decode(request: Request, response: Response) -> dict[str, Any]:
        """Decrypt payloads for the UI and the CLI; plain payloads come back unchanged."""
        return await convert(request, response, decode=True)

    return router
