"""`python worker.py` as a process of its own, as an operator runs it on each machine."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).parent.parent


@contextmanager
def worker_process(env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """Run the worker with `env` over the test's environment; SIGTERM (graceful) at the end,
    unless the test killed it first."""
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "worker.py"],
            cwd=ROOT,
            env={**os.environ, "REPAIRDESK_LOG_FORMAT": "json", **env},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(45)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
