"""Faults at random moments, from a recorded seed: workers killed, the SMTP server down or
answering 4xx, the finance receiver answering 503, hanging past the sender's timeout or closing
the connection, PostgreSQL restarted. The schedule (which fault, after how long, for how long)
comes from one `random.Random(seed)`; the moments it lands on in the cases' lives are real time.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from tests.finance_receiver import CLOSE, HANG, FinanceReceiver
from tests.flaky_smtp import FlakySmtp
from tests.worker_pool import WorkerPool

# A worker is killed only once it has run this long: it takes seconds to start on a busy machine,
# and a worker killed before it polls proves nothing.
UP_BEFORE_KILL = 5.0
ONCE_EACH = ("smtp_down", "smtp_busy", "finance_503", "finance_timeout", "finance_close")


@dataclass
class Faults:
    rng: random.Random
    workers: WorkerPool
    smtp: FlakySmtp
    finance: FinanceReceiver
    restart_postgres: Callable[[], None] | None
    injected: Counter[str] = field(default_factory=Counter)
    _background: set[asyncio.Task[None]] = field(default_factory=set)

    def schedule(self, kills: int, others: int) -> list[str]:
        """`kills` SIGKILLs, each other fault at least once and `others` in all, one PostgreSQL
        restart when there is a cluster to restart, shuffled."""
        extra = [self.rng.choice(ONCE_EACH) for _ in range(max(0, others - len(ONCE_EACH)))]
        events = ["kill"] * kills + list(ONCE_EACH) + extra
        if self.restart_postgres is not None:
            events.append("postgres_restart")
        self.rng.shuffle(events)
        return events

    async def run(self, events: list[str], gap: tuple[float, float]) -> None:
        for event in events:
            await asyncio.sleep(self.rng.uniform(*gap))
            await self._inject(event)
        await self.heal()

    async def heal(self) -> None:
        """Wait for every timed fault to end; every server up and answering, every worker up."""
        await asyncio.gather(*self._background)
        self.smtp.inbox.busy = False
        self.smtp.start()
        self.workers.start_all()

    async def _inject(self, event: str) -> None:
        self.injected[event] += 1
        if event == "kill":
            while not (alive := self.workers.alive(for_seconds=UP_BEFORE_KILL)):
                await asyncio.sleep(0.2)
            slot = self.rng.choice(alive)
            self.workers.kill(slot)
            self._later(self.rng.uniform(0.0, 2.0), lambda: self.workers.start(slot))
        elif event == "smtp_down":
            self.smtp.stop()
            self._later(self.rng.uniform(2.0, 6.0), self.smtp.start)
        elif event == "smtp_busy":
            self.smtp.inbox.busy = True
            self._later(self.rng.uniform(2.0, 5.0), self._smtp_free)
        elif event == "finance_503":
            self.finance.answer_next(*[503] * self.rng.randint(2, 6))
        elif event == "finance_timeout":
            self.finance.answer_next(HANG)
        elif event == "finance_close":
            self.finance.answer_next(*[CLOSE] * self.rng.randint(1, 3))
        elif event == "postgres_restart":
            assert self.restart_postgres is not None
            await asyncio.to_thread(self.restart_postgres)

    def _smtp_free(self) -> None:
        self.smtp.inbox.busy = False

    def _later(self, seconds: float, action: Callable[[], None]) -> None:
        async def after() -> None:
            await asyncio.sleep(seconds)
            action()

        task = asyncio.create_task(after())
        self._background.add(task)
        task.add_done_callback(self._background.discard)
