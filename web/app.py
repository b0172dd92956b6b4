"""The FastAPI application around one connected Temporal client (one per process)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from temporalio.client import Client

from activities.archive.db import archive
from activities.encryption import EncryptionCodec
from activities.settings import Settings
from web import api_routes, errors, pages, server, status_page
from web.auth import codec_access
from web.remote_codec import codec_router

STATIC = Path(__file__).parent / "static"


def create_app(settings: Settings, client: Client, dev: bool = False) -> FastAPI:
    """The app for `settings`, answering through `client`: `repairdesk serve` connects it
    before it listens (so an unreachable server is one clear line, not a traceback),
    `repairdesk dev` hands over its own, tests hand over the test server's. With payload keys
    set it also serves Temporal's remote codec at /codec for the UI and the CLI."""
    # No /docs or /redoc: Swagger UI and ReDoc load from a CDN, blank offline; the description
    # is GET /openapi.json, served from the package (docs/pages.md).
    app = FastAPI(
        docs_url=None,
        redoc_url=None,
        title="repairdesk",
        version="1.1",
        summary="After-sales repair cases run as Temporal workflows: the HTTP API of contract v1.1",
    )
    app.state.settings = settings
    app.state.client = client
    app.state.sessions = archive(settings.database_url)
    server.log_requests(app)
    errors.install(app)
    api_routes.install(app)
    pages.install(app)
    status_page.install(app)
    if settings.payload_keys:
        codec = EncryptionCodec(settings.payload_keys)
        app.include_router(codec_router(codec, codec_access(dev), settings.ui_origins))
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
