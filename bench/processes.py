"""Starting and stopping the worker processes, and reading their memory from /proc."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from dataclasses import dataclass
from pathlib import Path

READY_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 10.0


def memory_kib(pid: int) -> dict[str, int]:
    """VmRSS (resident now) and VmHWM (the peak resident) of a process, in KiB."""
    fields: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0])
    return fields


@dataclass
class WorkerProcess:
    kind: str
    process: asyncio.subprocess.Process
    max_cached_workflows: int | None

    @property
    def pid(self) -> int:
        return self.process.pid

    def rss_mib(self) -> float:
        return memory_kib(self.pid)["VmRSS"] / 1024

    def peak_mib(self) -> float:
        return memory_kib(self.pid)["VmHWM"] / 1024

    async def stop(self) -> None:
        if self.process.returncode is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.process.wait(), STOP_TIMEOUT_SECONDS)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()


async def start_worker(
    kind: str, address: str, task_queue: str, env: dict[str, str], log: Path
) -> WorkerProcess:
    """Start a worker in its own process group (Ctrl-C reaches the benchmark, which stops it)
    and wait for its ready line; its logs go to `log`."""
    with log.open("ab") as log_file:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.worker_process", kind, address, task_queue,
            stdout=asyncio.subprocess.PIPE,
            stderr=log_file,
            env={**os.environ, **env},
            start_new_session=True,
        )  # fmt: skip
    worker = WorkerProcess(kind, process, None)
    try:
        assert process.stdout is not None
        line = await asyncio.wait_for(process.stdout.readline(), READY_TIMEOUT_SECONDS)
        if not line:
            raise RuntimeError(f"the {kind} worker exited at start; see {log}")
    except BaseException:
        await worker.stop()
        raise
    worker.max_cached_workflows = json.loads(line)["max_cached_workflows"]
    return worker
