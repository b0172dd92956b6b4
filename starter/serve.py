"""`repairdesk serve`: the HTTP API and the pages on REPAIRDESK_HTTP_ADDRESS."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from typing import Any

from activities.logging import configure_logging
from activities.settings import Settings
from client.connection import connect


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "serve", help="run the HTTP API and the pages on REPAIRDESK_HTTP_ADDRESS (127.0.0.1:8000)"
    )
    parser.set_defaults(handler=_serve)


def _serve(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    configure_logging(settings.log_format)
    # uvicorn stops cleanly on Ctrl-C, then raises it again for the caller: a normal end here.
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serving(settings))
    return 0


async def _serving(settings: Settings) -> None:
    # Imported here: the other commands do not need the web stack.
    from web.app import create_app
    from web.server import config, uvicorn

    client = await connect(settings)
    server = uvicorn.Server(config(create_app(settings, client), settings.http_host_port))
    print(f"repairdesk serve: http://{settings.http_address}/", flush=True)
    await server.serve()
