"""The messages of a repair case: its input, the actions technicians send, and its state.

Field names are the public contract (snake_case JSON); add fields freely, never rename one.
Every model ignores unknown keys so newer callers do not break older workers.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from workflows.currencies import ISO_4217, minor_unit_problem
from workflows.decimals import plain_decimal, shown

Identifier = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$"),
]


def _no_nul(text: str) -> str:
    """PostgreSQL stores no NUL in text: a case holding one could never be archived there."""
    if "\x00" in text:
        raise ValueError("must not hold a NUL character")
    return text


NoNul = AfterValidator(_no_nul)
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), NoNul]
Text = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000), NoNul
]


MAX_MONEY = Decimal("999999999999.99")
MAX_UNIT_PRICE = Decimal("99999999.99")
MAX_HOURS = Decimal("10000")
MAX_QTY = 100_000
MAX_PARTS = 500


def payload_decimal(value: Any) -> Decimal:
    """Money or hours in a payload: a decimal string of digits with at most two decimals
    (`"320.00"`, `"2.5"`), or a JSON number that reads the same; exponents, booleans, NaN,
    infinities and negatives (`"-0"` too) are refused."""
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise ValueError('must be a decimal string like "320.00"')
    amount = plain_decimal(repr(value) if isinstance(value, float) else str(value), places=2)
    if amount.is_signed():
        raise ValueError("must not be negative")
    return amount


def _cents(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal("0.01"))


# Every limit fits the ledger (NUMERIC(24, 2)): 500 parts x 100 000 x 99 999 999.99 plus labour
# stays below 10^16, so no accepted payload can fail to be booked.
Money = Annotated[
    Decimal, BeforeValidator(payload_decimal), Field(le=MAX_MONEY), AfterValidator(_cents)
]
UnitPrice = Annotated[
    Decimal, BeforeValidator(payload_decimal), Field(le=MAX_UNIT_PRICE), AfterValidator(_cents)
]
Hours = Annotated[Decimal, BeforeValidator(payload_decimal), Field(le=MAX_HOURS)]
Quantity = Annotated[int, Field(strict=True, gt=0, le=MAX_QTY)]


def _known_currency(code: str) -> str:
    if code not in ISO_4217:
        raise ValueError(f"unknown ISO 4217 currency {shown(code)}")
    return code


Currency = Annotated[
    str, StringConstraints(strip_whitespace=True, to_upper=True), AfterValidator(_known_currency)
]


class Message(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Language(StrEnum):
    zh = "zh"
    en = "en"


class Status(StrEnum):
    opening = "opening"
    awaiting_reply = "awaiting_reply"
    awaiting_technician = "awaiting_technician"
    technician_dispatched = "technician_dispatched"
    on_site = "on_site"
    repaired = "repaired"
    third_party = "third_party"
    cancelled = "cancelled"
    rejected = "rejected"


ENDED = frozenset({Status.repaired, Status.third_party, Status.cancelled, Status.rejected})


def case_placed(status: str | None, has_coverage: bool) -> bool:
    """Whether the archive look-up has placed the case, or the case has ended (refused by the
    archive, say). A v1.1 case says `opening` until then; a case of the first release already
    said `awaiting_reply`, with no coverage yet. Every client asks this one question."""
    if status in ENDED:
        return True
    return status != Status.opening and has_coverage


class Coverage(StrEnum):
    in_warranty = "in_warranty"
    post_warranty = "post_warranty"


class Cause(StrEnum):
    product_defect = "product_defect"
    spec_nonconformance = "spec_nonconformance"
    guidance_error = "guidance_error"
    customer_modification = "customer_modification"
    improper_maintenance = "improper_maintenance"
    wear_and_tear = "wear_and_tear"
    unknown = "unknown"


Sla = Literal["reply", "onsite", "repair_24h"]
ChargeKind = Literal[
    "chargeable_repair",
    "warranty_cost",
    "third_party_reimbursement",
    "compensation_claim",
    "ip_indemnity",
]
Payer = Literal["customer", "vendor"]


class Contact(Message):
    name: Name | None = None
    phone: Annotated[str, StringConstraints(strip_whitespace=True, max_length=50), NoNul] | None = (
        None
    )
    email: (
        Annotated[
            str,
            StringConstraints(
                strip_whitespace=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
            ),
            NoNul,
        ]
        | None
    ) = None
    language: Language = Language.zh


class CaseRequest(Message):
    """What the call centre sends to open a case (the workflow's input)."""

    case_id: Identifier
    customer_id: Identifier
    equipment_serial: Identifier
    fault: Text
    reported_at: AwareDatetime | None = None
    onsite_requested: bool = False
    emergency: bool = False
    contact: Contact = Field(default_factory=Contact)


# --- actions: each is both an update and a signal of the same name ---


class Reply(Message):
    by: Name
    message: Text


class Dispatch(Message):
    technician_id: Identifier
    technician_name: Name | None = None
    eta: AwareDatetime | None = None


class Arrive(Message):
    technician_id: Identifier
    at: AwareDatetime | None = None


class Part(Message):
    part_no: Identifier
    description: Name | None = None
    qty: Quantity
    unit_price: UnitPrice


class Repaired(Message):
    technician_id: Identifier
    cause: Cause
    parts: Annotated[list[Part], Field(max_length=MAX_PARTS)] = []
    labour_hours: Hours = Decimal("0")
    equipment_stopped_at: AwareDatetime | None = None
    equipment_restored_at: AwareDatetime | None = None
    notes: Text | None = None


class ThirdPartyRepair(Message):
    vendor: Name
    invoice_ref: Name
    amount: Annotated[Money, Field(gt=0)]
    currency: Currency = "CNY"

    @model_validator(mode="after")
    def _in_minor_units(self) -> ThirdPartyRepair:
        if problem := minor_unit_problem(self.amount, self.currency):
            raise ValueError(problem)
        return self


class Cancel(Message):
    by: Name
    reason: Text


Action = Reply | Dispatch | Arrive | Repaired | ThirdPartyRepair | Cancel

ACTIONS: dict[str, type[Action]] = {
    "reply": Reply,
    "dispatch": Dispatch,
    "arrive": Arrive,
    "repaired": Repaired,
    "third_party_repair": ThirdPartyRepair,
    "cancel": Cancel,
}


class WarrantyNews(Message):
    """*(addition)* The `warranty_extended` signal: a case whose repair extended the
    equipment's warranty (clause 7) tells the other cases open on it the new end."""

    warranty_ends_on: date
    by_case: Identifier | None = None


# --- state: what the `state` query and the workflow result return ---


class Deadlines(Message):
    reply_due: datetime | None = None
    onsite_due: datetime | None = None
    explanation_due: datetime | None = None


class Breach(Message):
    sla: Sla
    due: datetime
    noticed_at: datetime


class ChargeLine(Message):
    description: str
    part_no: str | None = None
    qty: Decimal
    unit_price: Decimal
    amount: Decimal


class Charge(Message):
    id: str
    kind: ChargeKind
    payer: Payer
    lines: list[ChargeLine]
    amount: Decimal
    currency: str
    coverage: Coverage | None = None
    cause: Cause | None = None
    downtime_hours: Decimal | None = None
    warranty_extension_days: int | None = None


class TimelineEntry(Message):
    at: datetime
    kind: str
    detail: str
    data: dict[str, Any] | None = None


class FieldError(Message):
    field: str
    message: str


def listed(errors: list[FieldError]) -> str:
    """Field errors as one line: `field: message; field: message`."""
    return "; ".join(f"{e.field}: {e.message}" for e in errors)


class Outcome(Message):
    status: Status
    reason: str
    at: datetime
    errors: list[FieldError] = []


class Terms(Message):
    """The service terms in force for a case: the worker's defaults, overridden per customer."""

    reply: timedelta = timedelta(hours=1)
    onsite: timedelta = timedelta(hours=3)
    repair: timedelta = timedelta(hours=24)
    emergency_onsite: timedelta = timedelta(hours=4)
    warn_at: Decimal = Decimal("0.75")
    discount: Decimal = Decimal("0.10")
    labour_rate: Decimal = Decimal("300.00")
    currency: str = "CNY"


class CaseState(Message):
    case_id: str
    status: Status
    customer_id: str | None = None
    customer_name: str | None = None
    equipment_serial: str | None = None
    equipment_model: str | None = None
    site: str | None = None
    fault: str | None = None
    reported_at: datetime | None = None
    onsite_requested: bool = False
    emergency: bool = False
    contact: Contact = Field(default_factory=Contact)
    coverage: Coverage | None = None
    warranty_ends_on: date | None = None
    technician_id: str | None = None
    technician_name: str | None = None
    cause: Cause | None = None
    deadlines: Deadlines = Field(default_factory=Deadlines)
    met: dict[str, datetime] = {}
    breaches: list[Breach] = []
    charges: list[Charge] = []
    timeline: list[TimelineEntry] = []
    outcome: Outcome | None = None
    terms: Terms | None = None
    timezone: str | None = None
    version: int = 0
    onsite_clock_from: datetime | None = None


def summary(state: CaseState) -> dict[str, Any]:
    """An action's answer (contract v1.2): every field of the case but its `timeline`, so the
    answer, and the history that keeps it, do not grow with the case."""
    return state.model_dump(mode="json", exclude={"timeline"})
