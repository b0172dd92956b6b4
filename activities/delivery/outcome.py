"""What one delivery attempt came to, and what it changes on its row: the status, the count of
attempts, the last error and, for a retry, when the next attempt is due (exponential backoff)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from activities.settings import Settings

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"
ERROR_CHARACTERS = 2000

# delivered: the server accepted it; retry: no answer, or asked to come back later;
# refused: refused for good (SMTP 5xx for the recipient, finance 4xx other than 408 and 429).
Outcome = Literal["delivered", "retry", "refused"]


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    detail: str
    retry_after: timedelta | None = None
    # The server could not be reached or would take nothing (no connection, no answer, login
    # refused): the failure is the channel's, not the row's, and every row would meet it now.
    whole_channel: bool = False


def backoff(attempts: int, settings: Settings) -> timedelta:
    """The wait after the `attempts`-th failed attempt: the first backoff, doubled each time,
    at most the longest."""
    doubled = settings.delivery_backoff * 2 ** min(attempts - 1, 30)
    return min(doubled, settings.delivery_backoff_max)


def changes(result: Result, attempts: int, now: datetime, settings: Settings) -> dict[str, Any]:
    """The row's new values after its `attempts`-th attempt (counting this one), lease ended.
    The status column is `status`; the ledger calls it `delivery_status`."""
    values: dict[str, Any] = {"attempts": attempts, "claimed_until": None}
    if result.outcome == "delivered":
        return values | {"status": DELIVERED, "delivered_at": now, "last_error": None}
    values["last_error"] = result.detail[:ERROR_CHARACTERS]
    if result.outcome == "refused":
        return values | {"status": FAILED, "next_attempt_at": None}
    wait = max(backoff(attempts, settings), result.retry_after or timedelta(0))
    return values | {"status": PENDING, "next_attempt_at": now + wait}


def worth_a_warning(result: Result, attempts: int, warned: bool, settings: Settings) -> bool:
    """Whether the case should hear of this row now: once, when it is refused for good or has
    failed `delivery_warn_after` times."""
    if warned or result.outcome == "delivered":
        return False
    return result.outcome == "refused" or attempts >= settings.delivery_warn_after
