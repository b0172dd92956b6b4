"""Which cases have something not delivered: a letter still pending or refused for good in the
outbox, or a finance event finance has not accepted. `repairdesk list --undelivered` shows them,
open or ended (an ended case cannot take the `delivery_problem` warning any more)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from activities.archive.schema import LedgerEntry, Notice
from activities.finance.ledger import UNDELIVERED
from activities.notices.outbox import FAILED, PENDING


def cases_with_undelivered(sessions: sessionmaker[Session]) -> set[str]:
    """The ids of the cases (IP disputes' rows excluded) with an undelivered letter or charge."""
    letters = select(Notice.case_id).where(
        Notice.status.in_((PENDING, FAILED)), Notice.kind.not_like("ip\\_%", escape="\\")
    )
    charges = select(LedgerEntry.case_id).where(
        LedgerEntry.delivery_status.in_(UNDELIVERED),
        LedgerEntry.kind.not_like("ip\\_%", escape="\\"),
    )
    with sessions() as session:
        return set(session.scalars(letters.distinct())) | set(session.scalars(charges.distinct()))
