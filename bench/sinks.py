"""Where the drives' deliveries go: ports where nothing listens (delivery down), or a mail server
and a finance receiver on loopback that take everything (delivery up: the relay then does the
whole of its work, a connection, a letter or a signed POST and the settle, and its CPU is
counted with the case's)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller

SECRET = "bench-finance-secret"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def closed_port_urls() -> dict[str, str]:
    """SMTP and the finance webhook on loopback ports where nothing listens."""
    smtp, finance = free_port(), free_port()
    return {
        "REPAIRDESK_SMTP_URL": f"smtp://127.0.0.1:{smtp}",
        "REPAIRDESK_FINANCE_WEBHOOK_URL": f"http://127.0.0.1:{finance}/events",
    }


class _Mail:
    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        return "250 OK"


class _Finance(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(202)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def delivery_sinks() -> Iterator[dict[str, str]]:
    """Both sinks running; yields the worker settings that point at them."""
    mail = Controller(_Mail(), hostname="127.0.0.1", port=free_port())
    mail.start()
    finance = ThreadingHTTPServer(("127.0.0.1", 0), _Finance)
    threading.Thread(target=finance.serve_forever, daemon=True).start()
    try:
        yield {
            "REPAIRDESK_SMTP_URL": f"smtp://127.0.0.1:{mail.port}",
            "REPAIRDESK_FINANCE_WEBHOOK_URL": f"http://127.0.0.1:{finance.server_port}/events",
            "REPAIRDESK_FINANCE_WEBHOOK_SECRET": SECRET,
        }
    finally:
        finance.shutdown()
        finance.server_close()
        mail.stop()
