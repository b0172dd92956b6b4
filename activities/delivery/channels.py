"""The relay's two channels: letters over SMTP from the outbox, finance events from the ledger.

A channel knows its queue, how to attempt one row, and how to tell the case of a problem. A
channel with nowhere to deliver (no SMTP server; no finance webhook URL or secret) is not
drained: its rows stay as they are, visible in `notices --pending` and `ledger --undelivered`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from activities.archive.schema import LedgerEntry, Notice
from activities.delivery import mail
from activities.delivery.outcome import Result
from activities.delivery.queue import LEDGER, NOTICES, Queue
from activities.finance.delivery import attempt
from activities.notices.mailer import SmtpServer
from activities.settings import Settings


@dataclass(frozen=True)
class Channel:
    queue: Queue
    send: Callable[[Any], Result]
    problem: Callable[[Any, Result, int], str]


def _letter_problem(row: Notice, result: Result, attempts: int) -> str:
    if result.outcome == "refused":
        return (
            f"{row.kind} notice to the {row.audience} refused by the mail server for "
            f"{row.recipient}: {result.detail}"
        )
    return (
        f"{row.kind} notice to the {row.audience} <{row.recipient}> not delivered after "
        f"{attempts} attempts ({result.detail}); still retrying"
    )


def _finance_problem(row: LedgerEntry, result: Result, attempts: int) -> str:
    if result.outcome == "refused":
        return (
            f"finance event {row.charge_id} ({row.kind}) refused by finance: {result.detail}; "
            "kept as failed in the ledger"
        )
    return (
        f"finance event {row.charge_id} ({row.kind}) not accepted after {attempts} attempts "
        f"({result.detail}); still retrying"
    )


def channels(settings: Settings) -> list[Channel]:
    """The channels this worker can deliver on, as configured."""
    found = []
    if settings.smtp_url:
        smtp, sender = SmtpServer.from_url(settings.smtp_url), settings.mail_from
        found.append(Channel(NOTICES, lambda row: mail.send(smtp, sender, row), _letter_problem))
    url, secret = settings.finance_webhook_url, settings.finance_webhook_secret
    if url and secret:
        found.append(
            Channel(LEDGER, lambda row: attempt(url, secret, row.event.encode()), _finance_problem)
        )
    return found
