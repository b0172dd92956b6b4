"""Starting and stopping the worker processes, and reading their memory and CPU time (and the
dev server's CPU time) from /proc."""

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


def _stat_fields(pid: int) -> list[str]:
    """The fields of /proc/<pid>/stat after the command name (which may hold spaces): the
    first is field 3, the state."""
    return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()


def cpu_seconds(pid: int) -> float:
    """CPU time a process has used so far, all its threads, user and system (utime + stime,
    fields 14 and 15 of /proc/<pid>/stat), in seconds."""
    fields = _stat_fields(pid)
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def dev_server_pid(port: int) -> int | None:
    """The `temporal server start-dev --port <port>` that this process started (the SDK's
    `WorkflowEnvironment.start_local` runs it as a child and does not expose its pid), or None
    when there is no such child."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int(_stat_fields(int(entry.name))[1])
            argv = (entry / "cmdline").read_bytes().decode(errors="replace").split("\0")
        except OSError:  # gone meanwhile, or not ours to read
            continue
        flags = zip(argv, argv[1:], strict=False)
        if parent == os.getpid() and "start-dev" in argv and ("--port", str(port)) in flags:
            return int(entry.name)
    return None


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

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.pid)

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
