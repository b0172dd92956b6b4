"""An SMTP server on loopback that the fault-injection tests take down and bring back, or
make answer 4xx (try again later) for a while; it keeps every message it accepted throughout."""

from __future__ import annotations

from typing import Any

from aiosmtpd.controller import Controller

from tests.smtp_inbox import Inbox, free_port

BUSY = "451 4.3.0 mail system busy, try again later"


class BusyInbox(Inbox):
    """An inbox that refuses every recipient with a 4xx while `busy`."""

    busy = False

    async def handle_RCPT(  # noqa: N802 (the name aiosmtpd looks for)
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if self.busy:
            return BUSY
        return await super().handle_RCPT(server, session, envelope, address, options)


class FlakySmtp:
    def __init__(self) -> None:
        self.inbox = BusyInbox(free_port())
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.inbox.port}"

    @property
    def up(self) -> bool:
        return self._controller is not None

    def start(self) -> None:
        if self._controller is None:
            self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.inbox.port)
            self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
