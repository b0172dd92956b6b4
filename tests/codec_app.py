"""A tiny FastAPI app around the codec router, as the HTTP server mounts it: bearer tokens
with roles, decoding for `manager` and `office` only, the UI's origin allowed."""

from __future__ import annotations

import httpx
from fastapi import FastAPI, Header, HTTPException
from temporalio.converter import PayloadCodec

from web.codec import CODEC_ROLES, codec_router

UI_ORIGIN = "http://localhost:8233"
TOKENS = {"t-manager": "manager", "t-office": "office", "t-tech": "technician"}


async def authorize(authorization: str | None = Header(default=None)) -> None:
    scheme, _, token = (authorization or "").partition(" ")
    role = TOKENS.get(token) if scheme.lower() == "bearer" else None
    if role is None:
        raise HTTPException(401, "a bearer token is needed")
    if role not in CODEC_ROLES:
        raise HTTPException(403, f"role {role} may not use the codec")


def codec_app(codec: PayloadCodec) -> FastAPI:
    app = FastAPI()
    app.include_router(codec_router(codec, authorize, [UI_ORIGIN]))
    return app


def codec_client(codec: PayloadCodec) -> httpx.AsyncClient:
    """An HTTP client talking to the app in process (ASGI), as a browser or the CLI would."""
    transport = httpx.ASGITransport(app=codec_app(codec))
    return httpx.AsyncClient(transport=transport, base_url="http://repairdesk.test")
