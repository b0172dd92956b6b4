"""Sending one letter over SMTP, as REPAIRDESK_SMTP_URL says.

`smtp://host:port` talks plain SMTP and upgrades with STARTTLS when the server offers it;
`smtps://host:port` uses implicit TLS; `user:password@` in the URL logs in. The Message-ID
and Date come from the outbox row, so a letter sent again after a lost acknowledgement is the
same message and the receiving side can drop the copy.
"""

from __future__ import annotations

import hashlib
import smtplib
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from urllib.parse import unquote, urlsplit

from activities.settings import SettingsError
from activities.tls import client_tls

# Below the activity's 60 s start-to-close timeout: a stuck server ends this attempt before
# Temporal starts the next one, so two attempts never talk to the server at once.
SMTP_TIMEOUT_SECONDS = 30
_DEFAULT_PORTS = {"smtp": 25, "smtps": 465}


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    implicit_tls: bool
    user: str | None = None
    password: str | None = field(default=None, repr=False)

    @classmethod
    def from_url(cls, url: str) -> SmtpServer:
        """Parse the URL; a bad one is reported without echoing the password it may hold."""
        parts = urlsplit(url)
        if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
            raise SettingsError(
                "REPAIRDESK_SMTP_URL must look like smtp://host:port or "
                "smtps://user:password@host:port"
            )
        try:
            port = parts.port or _DEFAULT_PORTS[parts.scheme]
        except ValueError:
            raise SettingsError("REPAIRDESK_SMTP_URL has a port that is not a number") from None
        return cls(
            host=parts.hostname,
            port=port,
            implicit_tls=parts.scheme == "smtps",
            user=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
        )

    def connect(self) -> smtplib.SMTP:
        """A connection ready to take messages (greeted, TLS started where offered, logged
        in); any refusal or network trouble raises."""
        context = client_tls()
        if self.implicit_tls:
            connection: smtplib.SMTP = smtplib.SMTP_SSL(
                self.host, self.port, timeout=SMTP_TIMEOUT_SECONDS, context=context
            )
        else:
            connection = smtplib.SMTP(self.host, self.port, timeout=SMTP_TIMEOUT_SECONDS)
        try:
            connection.ehlo()
            if not self.implicit_tls and connection.has_extn("starttls"):
                connection.starttls(context=context)
                connection.ehlo()
            if self.user:
                connection.login(self.user, self.password or "")
        except BaseException:
            connection.close()
            raise
        return connection


def message_id(key: str, sender: str) -> str:
    """A Message-ID that is the same for every attempt at the notice `key`."""
    domain = sender.rpartition("@")[2] or "repairdesk"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"


def compose(
    *, key: str, sender: str, recipient: str, subject: str, body: str, written_at: datetime
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = subject
    message["Date"] = format_datetime(written_at)
    message["Message-ID"] = message_id(key, sender)
    message.set_content(body, charset="utf-8")
    return message
