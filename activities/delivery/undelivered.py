"""Which cases have something not delivered: a letter still pending or refused for good in the
outbox, or a finance event finance has not accepted. `repairdesk list --undelivered` shows them,
open or ended (an ended case cannot take the `delivery_problem` warning any more)."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from activities.finance import ledger
from activities.notices import outbox

UNSENT = (outbox.PENDING, outbox.FAILED)  # a letter kept in the outbox has no address to go to


def cases_with_undelivered(sessions: sessionmaker[Session]) -> set[str]:
    """The ids of the cases (IP disputes' rows excluded) with an undelivered letter or charge."""
    letters = [n for n in outbox.listing(sessions, pending=True) if n.status in UNSENT]
    charges = ledger.entries(sessions, undelivered=True)
    return {row.case_id for row in [*letters, *charges] if not row.kind.startswith("ip_")}
