"""`python -m bench.run`: RepairCase against a bare one-update workflow on one dev server.

It starts its own Temporal dev server on loopback, a SQLite archive in a temporary folder and
each worker in a process of its own, measures, prints the table, and stops everything it
started, also on Ctrl-C or when `--time-limit` runs out.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
import tempfile
import uuid
from pathlib import Path

from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from bench import scenarios
from bench.figures import Measured, drive_rows, hold_rows
from bench.phases import Bench
from bench.report import table
from bench.seed import seed_archive
from starter.dev_server import DevServerError, temporal_binary
from workflows.search_attributes import ALL_KEYS


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--cases", type=int, default=1000, help="cases driven to the end")
    parser.add_argument("--concurrency", type=int, default=50, help="cases in flight at once")
    parser.add_argument("--open-cases", type=int, default=10_000, help="cases held open")
    parser.add_argument("--skip-open", action="store_true", help="skip the open-case hold")
    parser.add_argument("--time-limit", type=float, default=3600, help="seconds for the run")
    return parser.parse_args(argv)


def dev_server_binary() -> str:
    try:
        return temporal_binary()
    except DevServerError as e:
        sys.exit(str(e))


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


async def measure(bench: Bench, args: argparse.Namespace, out: Measured) -> None:
    tag = uuid.uuid4().hex[:8]
    await bench.drive("bare", scenarios.bare(tag), args, out)
    await bench.drive("repairdesk", scenarios.repair_case(tag), args, out)
    if not args.skip_open:
        await bench.hold("bare", scenarios.bare_starter(f"{tag}-open"), args, out)
        await bench.hold("repairdesk", scenarios.repair_case_starter(f"{tag}-open"), args, out)


async def run(args: argparse.Namespace, out: Measured) -> None:
    """Measure into `out`; on Ctrl-C or SIGTERM the workers and the server are stopped and the
    cancellation goes on up, `out` holding the figures so far."""
    with tempfile.TemporaryDirectory(prefix="repairdesk-bench-") as folder:
        machines = max(args.cases + Bench.WARMUP, 0 if args.skip_open else args.open_cases)
        say(f"seeding an archive with {machines:,} machines in {folder}")
        database_url = seed_archive(Path(folder), machines)
        say("starting the dev server")
        async with await WorkflowEnvironment.start_local(
            dev_server_existing_path=dev_server_binary(),
            search_attributes=ALL_KEYS,
            data_converter=pydantic_data_converter,
            dev_server_log_level="error",
        ) as env:
            bench = Bench(env.client, database_url, Path(folder), say)
            try:
                await asyncio.wait_for(measure(bench, args, out), args.time_limit)
            except TimeoutError:
                say(f"stopped: --time-limit {args.time_limit:.0f}s ran out; figures so far")
            finally:
                await bench.stop_workers()


def print_figures(args: argparse.Namespace, out: Measured) -> None:
    print(table(drive_rows(out) + hold_rows(out)))
    print(
        f"\ncases {args.cases:,}, concurrency {args.concurrency}, open cases "
        f"{'skipped' if args.skip_open else f'{args.open_cases:,}'}; worker cache "
        f"(max_cached_workflows): {out.cache_sizes}"
    )
    for phase, results in (("drive", out.drives), ("hold", out.holds)):
        for kind, result in results.items():
            for failure in result.failures[:3]:
                print(f"{kind} {phase} failure ({len(result.failures)} in all): {failure}")


async def main_task(args: argparse.Namespace, out: Measured) -> None:
    task = asyncio.current_task()
    assert task is not None
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
    await run(args, out)


def main() -> None:
    args, out = parse_args(), Measured()
    try:
        asyncio.run(main_task(args, out))
    except (KeyboardInterrupt, asyncio.CancelledError):
        say("interrupted: everything it started is stopped; figures so far")
        print_figures(args, out)
        sys.exit(130)
    print_figures(args, out)


if __name__ == "__main__":
    main()
