"""The guard against a workflow clock that reads earlier than a timer that has fired.

`ClockBehindTimer` is explained below; `timer_fired` is what each engine calls when the timer
of a wait fires. It changes no command of a case whose clock is right, so the frozen v1.0
engine calls it too.
"""

from __future__ import annotations

from datetime import datetime

from temporalio import workflow


class ClockBehindTimer(RuntimeError):
    """A timer fired while the workflow clock still reads an earlier instant.

    The SDK does this when a worker that does not hold the case answers a query sent while
    the case's own worker was dead: it applies the events that came after the last workflow
    task (the timer's firing) with the clock of that task, and keeps the result for the next
    task, whose history says the firing came later. Judging the clocks then would decide on
    the wrong instant and write commands a replay cannot repeat. Raising fails this workflow
    task only (the query answers with an error): the worker drops the case from its cache and
    the task is retried from history, where the clock is right."""

    SAYS = "fired with the workflow clock at"

    def __init__(self, due: datetime, clock: datetime) -> None:
        super().__init__(f"a timer for {due.isoformat()} {self.SAYS} {clock.isoformat()}")


def timer_fired(instant: datetime) -> None:
    """The timer set for `instant` has fired: refuse to go on if the clock says otherwise."""
    if workflow.now() < instant:
        raise ClockBehindTimer(instant, workflow.now())
