"""The shape every case command shares: check the arguments, connect, do the work, print.

A command's `plan` checks its arguments before anything connects, so a typo is reported even
when no server is running, and returns the work to do once connected. Problems a person can
fix are printed on stderr with exit code 1; the answer goes to stdout, alone, so scripts can
capture it (`CASE=$(repairdesk open ...)`).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable

from temporalio.client import Client

from activities.settings import Settings
from client.answers import CaseError
from client.connection import connect
from starter.case_args import BadArgument

Work = Callable[[Client], Awaitable[str]]
Plan = Callable[[argparse.Namespace, Settings], Work]


def command(plan: Plan) -> Callable[[argparse.Namespace], int]:
    """An argparse handler that runs `plan` and turns its known failures into exit code 1."""

    def handler(args: argparse.Namespace) -> int:
        settings = Settings.from_env()
        try:
            work = plan(args, settings)
            print(asyncio.run(_connected(settings, work)))
        except (BadArgument, CaseError) as e:
            print(f"repairdesk: {e}", file=sys.stderr)
            return 1
        return 0

    return handler


async def _connected(settings: Settings, work: Work) -> str:
    return await work(await connect(settings))
