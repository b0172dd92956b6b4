"""The FastAPI application: one Temporal client a process, connected in the lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from temporalio.client import Client

from activities.archive.db import archive
from activities.settings import Settings
from starter.connection import connect
from web import api_routes, errors, pages, server

STATIC = Path(__file__).parent / "static"


def create_app(settings: Settings, client: Client | None = None) -> FastAPI:
    """The app for `settings`; tests hand in a connected `client`, `repairdesk serve` lets
    the lifespan connect one."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if client is None:
            app.state.client = await connect(settings)
        yield

    app = FastAPI(
        title="repairdesk",
        version="1.1",
        summary="After-sales repair cases run as Temporal workflows: the HTTP API of contract v1.1",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.client = client
    app.state.sessions = archive(settings.database_url)
    server.log_requests(app)
    errors.install(app)
    api_routes.install(app)
    pages.install(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
