"""Sending one outbox row over SMTP, and what the attempt came to.

The Message-ID is made from the notice's key and the Date from its row, so a letter sent
again after a lost acknowledgement (or a worker killed between sending and marking it) is the
same message, and the receiving side can drop the copy.
"""

from __future__ import annotations

import smtplib

from activities.archive.schema import Notice
from activities.delivery.outcome import Result
from activities.notices.mailer import SmtpServer, compose


def send(smtp: SmtpServer, sender: str, row: Notice) -> Result:
    """One attempt; a 5xx for the recipient is a refusal for good, any other trouble a retry.
    A server that cannot be reached or logged in to fails the whole channel, and the letter is
    not even composed."""
    assert row.recipient is not None, "only rows with an address are pending"
    try:
        connection = smtp.connect()
    except (smtplib.SMTPException, OSError) as error:
        return Result("retry", f"{type(error).__name__}: {error}", whole_channel=True)
    try:
        with connection:
            connection.send_message(
                compose(
                    key=row.key,
                    sender=sender,
                    recipient=row.recipient,
                    subject=row.subject,
                    body=row.body,
                    written_at=row.created_at,
                )
            )
    except smtplib.SMTPRecipientsRefused as refused:
        detail = f"recipient refused: {refused.recipients}"
        codes = [code for code, _ in refused.recipients.values()]
        return Result("refused" if all(code >= 500 for code in codes) else "retry", detail)
    except (smtplib.SMTPException, OSError) as error:
        return Result("retry", f"{type(error).__name__}: {error}")
    return Result("delivered", f"accepted by {smtp.host}:{smtp.port}")
