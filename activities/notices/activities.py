"""The `send_notice` activity: write the letter to the outbox, then mail it once.

The outbox row is written first, keyed by the notice's key, so a notice is never lost: with
no SMTP server or no address for its audience the row is the record. A delivered row is not
sent again, however often Temporal retries the activity or replays the workflow. A failed
delivery is counted on the row and raised, and the workflow retries it with backoff.
"""

from __future__ import annotations

import smtplib
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from structlog.stdlib import BoundLogger
from temporalio import activity

from activities.archive.db import archive
from activities.archive.schema import Notice
from activities.logging import case_logger
from activities.notices import outbox
from activities.notices.audiences import addressee
from activities.notices.letters import render
from activities.notices.mailer import SmtpServer, compose
from activities.settings import Settings
from workflows.activity_io import SEND_NOTICE, NoticeRequest, NoticeResult


class NoticeActivities:
    """Notice delivery for the worker."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._smtp = SmtpServer.from_url(settings.smtp_url) if settings.smtp_url else None
        # Migrated here, once, before any activity thread runs: `archive()` is not safe to call
        # for the first time from several threads at once.
        self._sessions = archive(settings.database_url)

    def all(self) -> list[Callable[..., Any]]:
        return [self.send_notice]

    @activity.defn(name=SEND_NOTICE)
    def send_notice(self, request: NoticeRequest) -> NoticeResult:
        log = case_logger(
            request.case.case_id, notice=request.key, kind=request.kind, audience=request.audience
        )
        row = self._record(request)
        if row.delivered_at is not None:
            log.info("notice already delivered; not sent again", recipient=row.recipient)
            return _result(row, delivered=True)
        if self._smtp is None or row.recipient is None:
            why = "no SMTP server configured" if self._smtp is None else "no address for audience"
            log.info("notice kept in the outbox only", reason=why)
            return _result(row, delivered=False)
        if not self._deliver(self._smtp, row, log):
            return NoticeResult(
                key=row.key, recipient=row.recipient, channel="smtp", delivered=False
            )
        return _result(row, delivered=True)

    def _record(self, request: NoticeRequest) -> Notice:
        to = addressee(request.audience, request.case, self._settings)
        letter = render(request, to.language, self._settings.zone)
        draft = outbox.Draft(
            key=request.key,
            case_id=request.case.case_id,
            kind=request.kind,
            audience=request.audience,
            recipient=to.email,
            language=to.language.value,
            channel="smtp" if self._smtp and to.email else "outbox",
            subject=letter.subject,
            body=letter.body,
        )
        return outbox.record(self._sessions, draft, datetime.now(UTC))

    def _deliver(self, smtp: SmtpServer, row: Notice, log: BoundLogger) -> bool:
        """True once the server took the mail; False when it refused the address for good
        (a 5xx for the recipient: retrying cannot help, and the case must not wait on it)."""
        assert row.recipient is not None
        message = compose(
            key=row.key,
            sender=self._settings.mail_from,
            recipient=row.recipient,
            subject=row.subject,
            body=row.body,
            written_at=row.created_at,
        )
        try:
            smtp.send(message)
        except smtplib.SMTPRecipientsRefused as refused:
            codes = [code for code, _ in refused.recipients.values()]
            detail = f"recipient refused: {refused.recipients}"
            outbox.mark_failed(self._sessions, row.key, detail)
            if all(code >= 500 for code in codes):
                log.error("notice refused for good by the mail server", error=detail)
                return False
            log.warning("notice delivery failed; the workflow retries", error=detail)
            raise
        except (smtplib.SMTPException, OSError) as error:
            detail = f"{type(error).__name__}: {error}"
            outbox.mark_failed(self._sessions, row.key, detail)
            log.warning("notice delivery failed; the workflow retries", error=detail)
            raise
        outbox.mark_delivered(self._sessions, row.key, datetime.now(UTC))
        log.info("notice sent", recipient=row.recipient, channel="smtp")
        return True


def _result(row: Notice, delivered: bool) -> NoticeResult:
    channel = "smtp" if delivered else "outbox"
    return NoticeResult(key=row.key, recipient=row.recipient, channel=channel, delivered=delivered)
