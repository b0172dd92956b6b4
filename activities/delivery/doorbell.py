"""How the activities wake the relay: a thread-safe bell that sets an asyncio.Event on the
relay's loop, so a row written by this process is sent at once instead of at the next poll."""

from __future__ import annotations

import asyncio


class Doorbell:
    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._events: list[asyncio.Event] = []

    def listener(self) -> asyncio.Event:
        """An event set at every ring; call from the loop the relay runs on."""
        self._loop = asyncio.get_running_loop()
        event = asyncio.Event()
        self._events.append(event)
        return event

    def ring(self) -> None:
        """Wake every listener; safe from any thread, a no-op before the relay runs."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        for event in self._events:
            loop.call_soon_threadsafe(event.set)
