"""Running the app under uvicorn, alone (`repairdesk serve`) or beside the worker
(`repairdesk dev`). uvicorn's access log is off: it would write `/signin?token=…` to the log.
Requests are logged here instead, path without its query string, never a header, and never
the token of a customer's link (`/c/{token}` is logged as `/c/…`)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from collections.abc import Awaitable, Callable, Iterator

import structlog
import uvicorn
from fastapi import FastAPI, Request, Response

log = structlog.get_logger("repairdesk.http")


def log_requests(app: FastAPI) -> None:
    @app.middleware("http")
    async def logged(request: Request, call_next: Callable[[Request], Awaitable[Response]]):
        started = time.perf_counter()
        response = await call_next(request)
        log.info(
            "http request",
            method=request.method,
            path=_logged_path(request.url.path),
            status=response.status_code,
            ms=round((time.perf_counter() - started) * 1000, 1),
        )
        return response


def _logged_path(path: str) -> str:
    return "/c/…" if path.startswith("/c/") else path


class EmbeddedServer(uvicorn.Server):
    """A uvicorn server that leaves Ctrl-C to the process that runs it (`repairdesk dev`)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def config(app: FastAPI, address: tuple[str, int]) -> uvicorn.Config:
    host, port = address
    return uvicorn.Config(app, host=host, port=port, log_config=None, access_log=False)


async def serve_beside(
    app: FastAPI, address: tuple[str, int]
) -> tuple[uvicorn.Server, asyncio.Task[None]]:
    """Start serving `app` in this event loop; OSError when the address cannot be bound."""
    host, port = address
    listening = socket.create_server((host, port), reuse_port=False)
    server = EmbeddedServer(config(app, address))
    serving = asyncio.create_task(server.serve(sockets=[listening]))
    while not server.started and not serving.done():
        await asyncio.sleep(0.02)
    return server, serving
