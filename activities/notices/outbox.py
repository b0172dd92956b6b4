"""The outbox: every notice is written to the archive before it is sent, once per key.

The row is the record of what was said to whom; a retried or replayed activity finds the row
an earlier attempt wrote and never writes a second letter for the same event. The delivery
relay (activities/delivery) sends the `pending` rows; `outbox` rows (no SMTP server or no
address when written) stay as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from activities.archive.once import insert_once
from activities.archive.schema import Notice
from activities.notices.audiences import addressee
from activities.notices.context import LetterRequest
from activities.notices.letters import render
from activities.public_link import case_link
from activities.settings import Settings
from workflows.activity_io import Audience
from workflows.messages import CaseState, Sla

PENDING, DELIVERED, FAILED, KEPT = "pending", "delivered", "failed", "outbox"


@dataclass(frozen=True)
class Draft:
    key: str
    case_id: str
    kind: str
    audience: str
    recipient: str | None
    language: str
    subject: str
    body: str
    sendable: bool


def draft(
    key: str, kind: str, audience: Audience, sla: Sla | None, case: CaseState, settings: Settings
) -> Draft:
    """The letter for the notice `key`, rendered from `case` in its addressee's language; it is
    sendable when an SMTP server is configured and the addressee has an address. A letter to
    the customer carries the link to their case's page when REPAIRDESK_PUBLIC_URL is set."""
    to = addressee(audience, case, settings)
    link = (
        case_link(settings.public_url, settings.public_link_secret, case)
        if audience == "customer"
        else None
    )
    letter = render(LetterRequest(kind, audience, case, sla), to.language, settings.zone, link)
    return Draft(
        key=key,
        case_id=case.case_id,
        kind=kind,
        audience=audience,
        recipient=to.email,
        language=to.language.value,
        subject=letter.subject,
        body=letter.body,
        sendable=bool(settings.smtp_url and to.email),
    )


def record(session: Session, draft: Draft, written_at: datetime, now: datetime) -> bool:
    """Write the outbox row for `draft.key` in the caller's transaction, unless an earlier
    attempt wrote it. Returns whether this call wrote it."""
    values = {
        "key": draft.key,
        "case_id": draft.case_id,
        "kind": draft.kind,
        "audience": draft.audience,
        "recipient": draft.recipient,
        "language": draft.language,
        "channel": "smtp" if draft.sendable else "outbox",
        "subject": draft.subject,
        "body": draft.body,
        "created_at": written_at,
        "attempts": 0,
        "status": PENDING if draft.sendable else KEPT,
        "next_attempt_at": now if draft.sendable else None,
    }
    return insert_once(session, Notice, values)


def listing(
    sessions: sessionmaker[Session], case_id: str | None = None, pending: bool = False
) -> list[Notice]:
    """The outbox, oldest first; `pending` keeps the notices not delivered (yet, or for good)."""
    query = select(Notice).order_by(Notice.created_at, Notice.key)
    if case_id:
        query = query.where(Notice.case_id == case_id)
    if pending:
        query = query.where(Notice.status != DELIVERED)
    with sessions() as session:
        return list(session.scalars(query))
