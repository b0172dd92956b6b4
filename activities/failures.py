"""Which errors a retry can fix, for the activities that read and write the archive.

Temporal retries a failed activity until it succeeds; on an error a retry cannot fix (bad data,
such as a warranty date past year 9999 or an amount wider than the ledger, or a bug) that means
forever, and the case never moves. Such an error is raised as a non-retryable
`ApplicationError` of type `RetryCannotFix`, with the reason, so the workflow sees it at once.
A database that cannot be reached, is locked or dropped the connection stays retryable: that
passes.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import structlog
from sqlalchemy.exc import (
    DataError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    ProgrammingError,
    StatementError,
)
from temporalio import activity
from temporalio.exceptions import ApplicationError

RETRY_CANNOT_FIX = "RetryCannotFix"

_DATA_OR_BUG = (ValueError, ArithmeticError, TypeError, LookupError, AttributeError)

P = ParamSpec("P")
R = TypeVar("R")


def retry_cannot_fix(error: BaseException) -> bool:
    """Whether `error` would happen again however often the activity ran. pydantic's
    ValidationError is a ValueError; SQLAlchemy wraps a value its column type refuses in a
    StatementError whose `orig` is that ValueError."""
    if isinstance(error, OperationalError | InterfaceError):
        return False  # connection lost, server down, database locked: a retry may pass
    if isinstance(error, DataError | IntegrityError | ProgrammingError):
        return True
    if isinstance(error, StatementError):
        return error.orig is not None and retry_cannot_fix(error.orig)
    return isinstance(error, _DATA_OR_BUG)


def _reason(error: BaseException) -> str:
    """The error without the SQL statement and its parameters (which carry personal data)."""
    cause = error.orig if isinstance(error, StatementError) and error.orig else error
    return f"{type(cause).__name__}: {cause}".splitlines()[0][:500]


def _log_retry(name: str, error: BaseException) -> None:
    """A failed attempt that Temporal will retry, seen in the worker's log with its case."""
    info = activity.info() if activity.in_activity() else None
    structlog.get_logger("repairdesk").warning(
        "activity failed; Temporal retries it",
        activity=name,
        workflow_id=info.workflow_id if info else None,
        attempt=info.attempt if info else None,
        error=_reason(error),
    )


def fails_for_good_on_bad_data(run: Callable[P, R]) -> Callable[P, R]:
    """Wrap a synchronous activity: an error a retry cannot fix becomes non-retryable."""

    @functools.wraps(run)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return run(*args, **kwargs)
        except ApplicationError:
            raise
        except Exception as error:
            if not retry_cannot_fix(error):
                _log_retry(run.__name__, error)
                raise
            reason = _reason(error)
            structlog.get_logger("repairdesk").error(
                "activity failed for good: a retry cannot fix this",
                activity=run.__name__,
                error=reason,
            )
            raise ApplicationError(
                f"{run.__name__} failed and a retry cannot fix it: {reason}",
                type=RETRY_CANNOT_FIX,
                non_retryable=True,
            ) from error

    return guarded
