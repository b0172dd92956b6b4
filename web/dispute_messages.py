"""The `IpDispute` workflow's messages as contract v1.1 writes them (clause 10), for
validating requests and describing them in OpenAPI. The workflow owns the rules; these models
only check the shape before anything reaches Temporal."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AwareDatetime, Field

from workflows.messages import (
    Charge,
    Contact,
    Currency,
    Identifier,
    Message,
    Money,
    Name,
    Text,
    TimelineEntry,
)


class Right(StrEnum):
    patent = "patent"
    copyright = "copyright"
    trademark = "trademark"
    other = "other"


class DisputeRequest(Message):
    dispute_id: Identifier | None = None
    customer_id: Identifier
    equipment_serial: Identifier | None = None
    claimant: Name
    right: Right
    description: Text
    reported_at: AwareDatetime | None = None
    contact: Contact = Field(default_factory=Contact)


class Note(Message):
    by: Name
    text: Text


class Cost(Message):
    description: Name
    amount: Money


class Settle(Message):
    by: Name
    outcome: Text
    costs: Annotated[list[Cost], Field(max_length=500)] = []
    currency: Currency = "CNY"


class Withdraw(Message):
    by: Name
    reason: Text


DISPUTE_ACTIONS: dict[str, type[Message]] = {"note": Note, "settle": Settle, "withdraw": Withdraw}


class DisputeState(Message):
    dispute_id: str
    status: str
    customer_id: str | None = None
    equipment_serial: str | None = None
    claimant: str | None = None
    right: str | None = None
    charges: list[Charge] = []
    timeline: list[TimelineEntry] = []
    outcome: dict[str, Any] | None = None
    reported_at: datetime | None = None
