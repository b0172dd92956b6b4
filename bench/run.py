"""`python -m bench.run`: RepairCase beside a bare workflow (same start, same four updates, no
activities) on one dev server, against the targets of issue 10.

It starts its own Temporal dev server on loopback, a SQLite archive in a temporary folder and
each worker in a process of its own; drives the bare workflow, then RepairCase, then RepairCase
with SMTP and the finance webhook on closed ports, counting the CPU time of the worker and the
server; holds open cases at each `--open-cases` size and, while they are open, times how late
the breaches of a few probe cases are noticed; prints the tables, and stops everything it
started, also on Ctrl-C or when `--time-limit` runs out.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
import tempfile
import uuid
from datetime import timedelta
from pathlib import Path

from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from bench import scenarios
from bench.figures import BARE, DOWN, REPAIRDESK, UP, Measured, beside_bare, holds, targets
from bench.hold import HELD_REPLY
from bench.phases import Bench
from bench.processes import dev_server_pid
from bench.seed import seed_archive
from bench.sinks import closed_port_urls, delivery_sinks
from starter.dev_server import DevServerError, temporal_binary
from workflows.rules import format_duration, parse_duration
from workflows.search_attributes import ALL_KEYS


def sizes(text: str) -> list[int]:
    return sorted({int(part) for part in text.split(",") if part.strip()})


def positive(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise ValueError(f"{text} is not above zero")
    return value


def count(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError(f"{text} is not one or more")
    return value


def probe_due(text: str) -> timedelta:
    """A probe's reply clock (`--breach-after`): under the held cases' reply clock, as a probe's
    report is dated that clock less this before its start."""
    due = parse_duration(text)
    if due >= HELD_REPLY:
        raise ValueError(f"{text} is not under {format_duration(HELD_REPLY)}")
    return due


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    add = parser.add_argument
    add("--cases", type=int, default=300, help="cases driven to the end in each drive phase")
    add("--concurrency", type=int, default=20, help="cases in flight at once")
    add(
        "--open-cases",
        type=sizes,
        default=[100, 1000, 10_000],
        help="comma-separated sizes of the open-case holds, each on a fresh worker",
    )
    add("--skip-open", action="store_true", help="skip the open-case holds")
    add("--skip-up", action="store_true", help="skip the drive with SMTP and finance up")
    add("--skip-down", action="store_true", help="skip the drive with SMTP and finance down")
    add(
        "--probes",
        type=count,
        default=100,
        help="probe cases started in each hold once its open cases are placed",
    )
    add("--probe-rate", type=positive, default=5.0, help="probe cases started a second")
    add(
        "--breach-after",
        type=probe_due,
        default=probe_due("20s"),
        help="a probe's reply falls due this long after its start (like 20s or 1m)",
    )
    add(
        "--breach-timeout",
        type=float,
        default=600,
        help="seconds a hold waits, once all probes are started, for every probe to breach",
    )
    add("--time-limit", type=float, default=3600, help="seconds for the whole run")
    return parser.parse_args(argv)  # fmt: skip


def dev_server_binary() -> str:
    try:
        return temporal_binary()
    except DevServerError as e:
        sys.exit(str(e))


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def server_process(env: WorkflowEnvironment) -> int | None:
    """The pid of the dev server `env` runs, found by its port; None (and said) when not."""
    port = int(env.client.service_client.config.target_host.rpartition(":")[2])
    pid = dev_server_pid(port)
    if pid is None:
        say(f"no dev server process with --port {port} found: its CPU time is not measured")
    return pid


async def measure(bench: Bench, args: argparse.Namespace, out: Measured) -> None:
    tag = uuid.uuid4().hex[:8]
    await bench.drive(BARE, "bare", scenarios.bare(tag), args, out)
    await bench.drive(REPAIRDESK, "repairdesk", scenarios.repair_case(tag), args, out)
    if not args.skip_up:
        # An archive of its own: the drives before left letters and charges it would deliver.
        folder = bench.folder / "up"
        folder.mkdir()
        archive = {"REPAIRDESK_DATABASE_URL": seed_archive(folder, args.cases + Bench.WARMUP)}
        up = scenarios.repair_case(f"{tag}-up")
        with delivery_sinks() as sinks:
            await bench.drive(UP, "repairdesk", up, args, out, archive | sinks, delivered=True)
    if not args.skip_down:
        down = scenarios.repair_case(f"{tag}-down")
        await bench.drive(DOWN, "repairdesk", down, args, out, closed_port_urls())
    for size in [] if args.skip_open else args.open_cases:
        await bench.hold(size, tag, scenarios.repair_case_starter, args, out)


async def run(args: argparse.Namespace, out: Measured) -> None:
    """Measure into `out`; on Ctrl-C or SIGTERM the workers and the server are stopped and the
    cancellation goes on up, `out` holding the figures so far."""
    with tempfile.TemporaryDirectory(prefix="repairdesk-bench-") as folder:
        # Case n of a drive or a hold, and probe n, each on machine n.
        held = 0 if args.skip_open else max(*args.open_cases, args.probes)
        machines = max(args.cases + Bench.WARMUP, held)
        say(f"seeding an archive with {machines:,} machines in {folder}")
        database_url = seed_archive(Path(folder), machines)
        say("starting the dev server")
        async with await WorkflowEnvironment.start_local(
            dev_server_existing_path=dev_server_binary(),
            search_attributes=ALL_KEYS,
            data_converter=pydantic_data_converter,
            dev_server_log_level="error",
        ) as env:
            bench = Bench(env.client, database_url, Path(folder), say, server_process(env))
            try:
                await asyncio.wait_for(measure(bench, args, out), args.time_limit)
            except TimeoutError:
                say(f"stopped: --time-limit {args.time_limit:.0f}s ran out; figures so far")
            finally:
                await bench.stop_workers()


def print_figures(args: argparse.Namespace, out: Measured) -> None:
    print(beside_bare(out), end="\n\n")
    if out.holds:
        print(holds(out), end="\n\n")
    print(targets(out))
    holding = (
        "skipped"
        if args.skip_open
        else f"{args.open_cases} (reply due after {format_duration(HELD_REPLY)}), "
        f"{args.probes:,} probes each at {args.probe_rate:g}/s (reply due "
        f"{args.breach_after.total_seconds():g}s after their start)"
    )
    print(
        f"\ncases {args.cases:,} per drive, concurrency {args.concurrency}, open cases "
        f"{holding}; worker cache (max_cached_workflows): {out.cache_sizes}"
    )
    failures = [*out.drives.items(), *((f"hold {n}", h) for n, h in out.holds.items())]
    for label, result in failures:
        for failure in result.failures[:3]:
            print(f"{label} failure ({len(result.failures)} in all): {failure}")


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
