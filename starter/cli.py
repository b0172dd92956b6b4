"""`repairdesk`: one command for everyone who works a case.

Each group of subcommands lives in its own module and registers itself here.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence

from activities.encryption import DecryptError
from activities.settings import SettingsError
from client.connection import ConnectionFailed
from starter import (
    archive_commands,
    case_commands,
    dev,
    ip_commands,
    ledger_commands,
    notices_commands,
    report_commands,
    serve,
    token_commands,
)


def _worker(args: argparse.Namespace) -> int:
    import worker

    worker.main()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="repairdesk",
        description="Open, advance and watch after-sales repair cases run as Temporal workflows.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    dev.register(commands)
    commands.add_parser("worker", help="run the worker (same as `python worker.py`)").set_defaults(
        handler=_worker
    )
    case_commands.register(commands)
    archive_commands.register(commands)
    ledger_commands.register(commands)
    notices_commands.register(commands)
    report_commands.register(commands)
    ip_commands.register(commands)
    serve.register(commands)
    token_commands.register(commands)
    return parser


def entry() -> None:
    """The `repairdesk` console script: `main`, then an immediate exit.

    The SDK's Rust threads may still be handing back the last answer when a short-lived
    process finalizes, which aborts it (sdk-python issue #300); leaving with `os._exit` after
    flushing skips that finalization. Tests call `main` directly."""
    try:
        main()
        code = 0
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
        if isinstance(done.code, str):
            print(done.code, file=sys.stderr)
    except BrokenPipeError:
        code = 0  # the reader stopped early, as `repairdesk list | head` does
    with contextlib.suppress(BrokenPipeError):
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    try:
        code = args.handler(args)
    except (SettingsError, ConnectionFailed, DecryptError) as e:
        print(f"repairdesk: {e}", file=sys.stderr)
        code = 2
    except KeyboardInterrupt:
        code = 130
    sys.exit(code)
