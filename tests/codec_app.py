"""A tiny FastAPI app around the codec router, as the HTTP server mounts it: bearer tokens
with roles, decoding for `manager` and `office` only (and for loopback under `dev`), the UI's
origin allowed."""

from __future__ import annotations

import httpx
from fastapi import FastAPI, Header, HTTPException, Request
from temporalio.converter import PayloadCodec

from web.remote_codec import CODEC_ROLES, codec_router, from_loopback

UI_ORIGIN = "http://localhost:8233"
TOKENS = {"t-manager": "manager", "t-office": "office", "t-tech": "technician"}


async def authorize(request: Request, authorization: str | None = Header(default=None)) -> None:
    if request.app.state.dev and from_loopback(request):
        return
    scheme, _, token = (authorization or "").partition(" ")
    role = TOKENS.get(token) if scheme.lower() == "bearer" else None
    if role is None:
        raise HTTPException(401, "a bearer token is needed")
    if role not in CODEC_ROLES:
        raise HTTPException(403, f"role {role} may not use the codec")


def codec_app(codec: PayloadCodec, dev: bool = False) -> FastAPI:
    app = FastAPI()
    app.state.dev = dev
    app.include_router(codec_router(codec, authorize, [UI_ORIGIN]))
    return app


def codec_client(
    codec: PayloadCodec, dev: bool = False, client_host: str = "127.0.0.1"
) -> httpx.AsyncClient:
    """An HTTP client talking to the app in process (ASGI) from `client_host`, as a browser or
    the CLI would."""
    transport = httpx.ASGITransport(app=codec_app(codec, dev), client=(client_host, 50000))
    return httpx.AsyncClient(transport=transport, base_url="http://repairdesk.test")
