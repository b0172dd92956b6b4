"""Asking a case or dispute for its `state`, the way every repairdesk client does.

For a few seconds after a worker dies, a query can reach a worker that does not hold the case
while a deadline has just passed. The case then refuses to answer rather than judge its
clocks at the wrong instant (see `ClockBehindTimer` in workflows/stale_clock.py), and the next
workflow task rebuilds it from history. A client asks again a few times before it gives up.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from temporalio.client import WorkflowHandle, WorkflowQueryFailedError
from temporalio.service import RPCError, RPCStatusCode

from workflows.stale_clock import ClockBehindTimer

ATTEMPTS = 10
PAUSE = 0.5  # seconds between two attempts


def timed_out(error: RPCError) -> bool:
    """Whether a call ran out of its `rpc_timeout`: no worker answered. The test server says
    DEADLINE_EXCEEDED; against a real server the SDK's own client gives up first and says
    CANCELLED ("Timeout expired"). repairdesk never cancels a call it is waiting for."""
    return error.status in (RPCStatusCode.DEADLINE_EXCEEDED, RPCStatusCode.CANCELLED)


def rebuilding(error: WorkflowQueryFailedError) -> bool:
    """Whether the query failed only because the case is being rebuilt after a worker died."""
    return ClockBehindTimer.SAYS in str(error)


async def query_state(
    handle: WorkflowHandle[Any, Any],
    *,
    result_type: type | None = None,
    rpc_timeout: timedelta | None = None,
) -> Any:
    for _ in range(ATTEMPTS - 1):
        try:
            return await handle.query("state", result_type=result_type, rpc_timeout=rpc_timeout)
        except WorkflowQueryFailedError as e:
            if not rebuilding(e):
                raise
        await asyncio.sleep(PAUSE)
    return await handle.query("state", result_type=result_type, rpc_timeout=rpc_timeout)
