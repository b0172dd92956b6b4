"""A real SMTP server on loopback (aiosmtpd) that keeps every message it accepts."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from tests.ports import free_port

__all__ = ["Inbox", "free_port", "smtp_server"]


class Inbox:
    """An aiosmtpd handler that keeps every message it accepts."""

    def __init__(self, port: int = 0) -> None:
        self.port = port
        self.messages: list[EmailMessage] = []
        self.unknown: set[str] = set()

    async def handle_RCPT(  # noqa: N802 (the name aiosmtpd looks for)
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address in self.unknown:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 OK"


@contextmanager
def smtp_server(port: int, **options: Any) -> Iterator[Inbox]:
    inbox = Inbox(port)
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()
