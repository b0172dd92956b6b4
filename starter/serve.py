"""`repairdesk serve`: the HTTP API and the pages on REPAIRDESK_HTTP_ADDRESS."""

from __future__ import annotations

import argparse
from typing import Any

from activities.logging import configure_logging
from activities.settings import Settings


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "serve", help="run the HTTP API and the pages on REPAIRDESK_HTTP_ADDRESS (127.0.0.1:8000)"
    )
    parser.set_defaults(handler=_serve)


def _serve(args: argparse.Namespace) -> int:
    # Imported here: the other commands do not need the web stack.
    from web.app import create_app
    from web.server import config, uvicorn

    settings = Settings.from_env()
    configure_logging(settings.log_format)
    print(f"repairdesk serve: http://{settings.http_address}/", flush=True)
    uvicorn.Server(config(create_app(settings), settings.http_host_port)).run()
    return 0
