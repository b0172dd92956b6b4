"""`repairdesk dev`: the whole local stack in one command.

It starts the Temporal dev server (with its Web UI and the case search attributes, keeping its
state in ./.repairdesk/temporal.db across restarts), runs the worker in this process against
the embedded SQLite archive, and on Ctrl-C stops the worker, then the server.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
from dataclasses import replace
from pathlib import Path

from temporalio.client import Client
from temporalio.envconfig import ClientConfigProfile

from activities.archive.csv_table import ImportRefused
from activities.logging import configure_logging
from activities.settings import Settings
from client.answers import CaseError
from client.connection import ensure_search_attributes
from starter import demo
from starter.dev_server import DevServer, DevServerError

STATE_DIR = Path(".repairdesk")


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = commands.add_parser(
        "dev", help="run Temporal with its UI, the worker and the archive locally (Ctrl-C stops)"
    )
    p.add_argument("--port", type=int, default=7233, help="Temporal frontend port (7233)")
    p.add_argument("--ui-port", type=int, default=8233, help="Temporal Web UI port (8233)")
    p.add_argument("--demo", action="store_true", help="load sample data and open a few cases")
    p.set_defaults(handler=_dev)


def _dev(args: argparse.Namespace) -> int:
    settings = replace(
        Settings.from_env(),
        temporal_address=f"localhost:{args.port}",
        temporal_profile=ClientConfigProfile(),  # the local server: no TLS, no API key
        ui_origins=(f"http://localhost:{args.ui_port}", f"http://127.0.0.1:{args.ui_port}"),
    )
    configure_logging(os.environ.get("REPAIRDESK_LOG_FORMAT") or "console")
    server = DevServer(
        args.port, args.ui_port, settings.namespace, STATE_DIR, codec_endpoint(settings)
    )
    try:
        return asyncio.run(_serve(server, settings, args.demo))
    except (DevServerError, ImportRefused, CaseError) as e:
        print(f"repairdesk dev: {e}", file=sys.stderr)
        return 1


def codec_endpoint(settings: Settings) -> str | None:
    """With payload keys, the UI (in the browser, on this machine) decodes through the HTTP
    server's remote codec."""
    if not settings.payload_keys:
        return None
    host, _, port = settings.http_address.rpartition(":")
    return f"http://{'localhost' if host in ('0.0.0.0', '::', '[::]') else host}:{port}/codec"


async def _serve(server: DevServer, settings: Settings, with_demo: bool) -> int:
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(signum, stop.set)
    server.start()
    try:
        client = await server.connected(settings, stop)
        if client is not None:
            await ensure_search_attributes(client, settings.namespace)
            await _run_worker(client, settings, server, stop, with_demo)
        return 0
    finally:
        server.stop()


async def _run_worker(
    client: Client, settings: Settings, server: DevServer, stop: asyncio.Event, with_demo: bool
) -> None:
    """Run the worker until Ctrl-C; a worker or server that ends on its own ends it too."""
    # Imported here, not at the top: it loads every activity, which the other commands skip.
    from web.app import create_app
    from web.server import serve_beside
    from worker import build_worker

    worker = build_worker(client, settings)
    try:
        app = create_app(settings, client, dev=True)
        http, serving = await serve_beside(app, settings.http_host_port)
    except OSError as e:
        raise DevServerError(
            f"cannot serve HTTP on {settings.http_address} (REPAIRDESK_HTTP_ADDRESS): "
            f"{e.strerror}; is another repairdesk running?"
        ) from None
    running = asyncio.create_task(worker.run())
    try:
        opened = await _demo(client, settings) if with_demo else []
        print(banner(server, settings, opened), flush=True)
        waits = {asyncio.create_task(stop.wait()), asyncio.create_task(server.exited())}
        await asyncio.wait({*waits, running}, return_when=asyncio.FIRST_COMPLETED)
        for wait in waits:
            wait.cancel()
    finally:
        http.should_exit = True
        await serving
        if not running.done():
            print("stopping the worker and the dev server ...", file=sys.stderr, flush=True)
            await worker.shutdown()
    server.check_running()
    await running


async def _demo(client: Client, settings: Settings) -> list[tuple[str, str]]:
    loaded = await demo.load_sample(settings)
    print(f"demo: {loaded.equipment} machines of {loaded.customers} customers in the archive")
    return await demo.open_demo_cases(client, settings)


def banner(server: DevServer, settings: Settings, opened: list[tuple[str, str]]) -> str:
    """What a new user needs: where the UI is, how to reach Temporal, how to open a case."""
    address = "" if server.port == 7233 else f"TEMPORAL_ADDRESS={settings.temporal_address} "
    lines = [
        "repairdesk dev is running",
        f"  Temporal UI   http://localhost:{server.ui_port}/namespaces/{settings.namespace}",
        f"  Temporal      {settings.temporal_address} · namespace {settings.namespace} · "
        f"task queue {settings.task_queue}",
        f"  HTTP API      http://{settings.http_address}/ · pages /signin, /desk, /tech · "
        "tokens: repairdesk token create --role office",
        f"  Archive       {settings.database_url}",
        f"  Server log    {server.log_path}",
    ]
    if server.codec_endpoint:
        lines.append(f"  Payloads      encrypted; the UI decodes them at {server.codec_endpoint}")
    if opened:
        lines.append("Demo cases (see them in the UI, or `repairdesk show CASE`):")
        lines += [f"  {case_id}  {label}" for case_id, label in opened]
        lines.append("Open another case, in another terminal:")
    else:
        sample = os.path.relpath(str(demo.SAMPLE_ARCHIVE))
        lines += [
            "Open a first case, in another terminal:",
            f"  repairdesk archive import {sample}",
        ]
    lines += [
        f"  {address}{demo.FIRST_CASE}",
        f"  {address}repairdesk list",
        "Ctrl-C stops the worker and the server; cases are kept in "
        f"{server.db_path} for the next `repairdesk dev`.",
    ]
    return "\n".join(lines)
