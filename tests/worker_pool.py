"""`python worker.py` processes that a test kills (SIGKILL) and starts again, each slot
appending to its own log file."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).parent.parent


class WorkerPool:
    def __init__(self, env: dict[str, str], logs: Path, size: int) -> None:
        self._env = {**os.environ, "REPAIRDESK_LOG_FORMAT": "json", **env}
        self.logs = [logs / f"worker-{n}.log" for n in range(size)]
        self._processes: list[subprocess.Popen[bytes] | None] = [None] * size
        self._started = [0.0] * size
        self.kills = 0

    def start(self, slot: int) -> None:
        running = self._processes[slot]
        if running is not None and running.poll() is None:
            return
        with self.logs[slot].open("ab") as out:
            self._processes[slot] = subprocess.Popen(
                [sys.executable, "worker.py"],
                cwd=ROOT,
                env=self._env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self._started[slot] = time.monotonic()

    def start_all(self) -> None:
        for slot in range(len(self._processes)):
            self.start(slot)

    def alive(self, for_seconds: float = 0.0) -> list[int]:
        """The slots whose worker runs, and has run for at least `for_seconds`."""
        now = time.monotonic()
        return [
            n
            for n, p in enumerate(self._processes)
            if p is not None and p.poll() is None and now - self._started[n] >= for_seconds
        ]

    def kill(self, slot: int) -> bool:
        """SIGKILL the worker in `slot`, if it runs; True when one was killed."""
        process = self._processes[slot]
        if process is None or process.poll() is not None:
            return False
        process.send_signal(signal.SIGKILL)
        process.wait()
        self.kills += 1
        return True

    def check(self) -> None:
        """Fail when a worker exited by itself (not killed by the test): its log says why."""
        for slot, process in enumerate(self._processes):
            if process is not None and process.poll() not in (None, -signal.SIGKILL):
                tail = self.logs[slot].read_text(errors="replace")[-2000:]
                raise AssertionError(f"worker {slot} exited with {process.returncode}:\n{tail}")

    async def watch(self) -> None:
        """`check` every second, until cancelled."""
        while True:
            self.check()
            await asyncio.sleep(1)

    def rss_kib(self) -> list[int]:
        """The resident memory of each running worker, from /proc."""
        sizes = []
        for process in self._processes:
            if process is None or process.poll() is not None:
                continue
            status = Path(f"/proc/{process.pid}/status").read_text()
            sizes += [
                int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")
            ]
        return sizes

    def stop_all(self) -> None:
        """SIGTERM (graceful) every worker still running, then wait for them."""
        running = [p for p in self._processes if p is not None and p.poll() is None]
        for process in running:
            process.send_signal(signal.SIGTERM)
        for process in running:
            try:
                process.wait(45)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
