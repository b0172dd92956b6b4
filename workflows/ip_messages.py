"""The messages of an intellectual-property dispute (clause 10): its input, actions and state.

Field names are the public contract (snake_case JSON); add fields freely, never rename one.
The identifiers, names, texts, contact and money read exactly as a repair case's do.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import AwareDatetime, Field, model_validator

from workflows.currencies import minor_unit_problem
from workflows.messages import (
    Charge,
    Contact,
    Currency,
    FieldError,
    Identifier,
    Message,
    Money,
    Name,
    Text,
    TimelineEntry,
)

# What the ledger's Numeric(14, 2) holds: a settlement that could not be booked is refused.
MAX_SETTLEMENT = Decimal("999999999999.99")
MAX_COSTS = 100


class Right(StrEnum):
    patent = "patent"
    copyright = "copyright"
    trademark = "trademark"
    other = "other"


class DisputeStatus(StrEnum):
    opening = "opening"
    open = "open"
    settled = "settled"
    withdrawn = "withdrawn"
    rejected = "rejected"


DISPUTE_ENDED = frozenset({DisputeStatus.settled, DisputeStatus.withdrawn, DisputeStatus.rejected})


class DisputeRequest(Message):
    """What the office sends to open a dispute (the workflow's input)."""

    dispute_id: Identifier
    customer_id: Identifier
    equipment_serial: Identifier | None = None
    claimant: Name
    right: Right
    description: Text
    reported_at: AwareDatetime | None = None
    contact: Contact = Field(default_factory=Contact)


# --- actions: each is both an update and a signal of the same name ---


class Note(Message):
    by: Name
    text: Text


class Cost(Message):
    description: Name
    amount: Money


class Settle(Message):
    """Ends the dispute; the vendor bears every cost listed (at least one)."""

    by: Name
    outcome: Text
    costs: Annotated[list[Cost], Field(min_length=1, max_length=MAX_COSTS)]
    currency: Currency = "CNY"

    @model_validator(mode="after")
    def _bookable(self) -> Settle:
        total = sum((cost.amount for cost in self.costs), Decimal("0.00"))
        if total > MAX_SETTLEMENT:
            raise ValueError(f"the costs add up to {total}, more than the ledger holds")
        if total <= 0:
            raise ValueError(
                "the costs add up to 0: a dispute is settled only with something to pay; "
                "with nothing to pay, withdraw it"
            )
        for cost in self.costs:
            if problem := minor_unit_problem(cost.amount, self.currency):
                raise ValueError(problem)
        return self


class Withdraw(Message):
    by: Name
    reason: Text


DisputeAction = Note | Settle | Withdraw

DISPUTE_ACTIONS: dict[str, type[DisputeAction]] = {
    "note": Note,
    "settle": Settle,
    "withdraw": Withdraw,
}


# --- state: what the `state` query and the workflow result return ---


class DisputeOutcome(Message):
    status: DisputeStatus
    reason: str
    at: datetime
    errors: list[FieldError] = []


class DisputeState(Message):
    dispute_id: str
    status: DisputeStatus
    customer_id: str | None = None
    customer_name: str | None = None
    equipment_serial: str | None = None
    equipment_model: str | None = None
    site: str | None = None
    claimant: str | None = None
    right: Right | None = None
    description: str | None = None
    reported_at: datetime | None = None
    contact: Contact = Field(default_factory=Contact)
    charges: list[Charge] = []
    timeline: list[TimelineEntry] = []
    outcome: DisputeOutcome | None = None
    version: int = 0
