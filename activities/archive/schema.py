"""The archive's tables. Change them only together with a migration under `migrations/`."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import DateTime, TypeDecorator


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware datetimes in every database (SQLite keeps no zone: store UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime stored in the archive")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


# 22 integer digits: far more than any amount validation accepts (500 parts of 100 000 at the
# largest unit price, plus 10 000 h at the largest labour rate), so a booking never overflows.
AMOUNT_DIGITS, AMOUNT_PLACES = 24, 2
CENT = Decimal(1).scaleb(-AMOUNT_PLACES)


class ExactAmount(TypeDecorator[Decimal]):
    """Money, exact to the cent, in every database: NUMERIC(24, 2) on PostgreSQL. SQLite has no
    exact decimal (its NUMERIC keeps a float, wrong beyond 15 digits), so there the amount is
    kept as its decimal text. An amount too wide for the column is refused, on both, before it
    reaches the database."""

    impl = Numeric(AMOUNT_DIGITS, AMOUNT_PLACES)
    cache_ok = True

    def load_dialect_impl(self, dialect: Any) -> Any:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(AMOUNT_DIGITS + 2))
        return dialect.type_descriptor(Numeric(AMOUNT_DIGITS, AMOUNT_PLACES))

    def process_bind_param(self, value: Decimal | None, dialect: Any) -> Decimal | str | None:
        if value is None:
            return None
        if Decimal(value).adjusted() >= AMOUNT_DIGITS - AMOUNT_PLACES:
            raise ValueError(f"amount {value} is wider than the archive's {AMOUNT_DIGITS} digits")
        amount = Decimal(value).quantize(CENT)
        return str(amount) if dialect.name == "sqlite" else amount

    def process_result_value(self, value: Any, dialect: Any) -> Decimal | None:
        return None if value is None else Decimal(str(value)).quantize(CENT)


class Base(DeclarativeBase):
    pass


class Customer(Base):
    __tablename__ = "customers"
    customer_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Equipment(Base):
    __tablename__ = "equipment"
    serial: Mapped[str] = mapped_column(String(64), primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.customer_id"), index=True)
    model: Mapped[str | None] = mapped_column(String(200))
    site: Mapped[str | None] = mapped_column(String(500))
    warranty_start: Mapped[date] = mapped_column(Date)
    warranty_months: Mapped[int] = mapped_column(Integer)
    extension_days: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class WarrantyExtensionRecord(Base):
    """Clause 7: one row per extension, keyed by the case event that earned it."""

    __tablename__ = "warranty_extensions"
    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    serial: Mapped[str] = mapped_column(ForeignKey("equipment.serial"), index=True)
    case_id: Mapped[str] = mapped_column(String(64))
    days: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class DowntimeStretch(Base):
    """Clause 7: one stretch of downtime of one piece of equipment, as one case claimed it. The
    warranty is extended by the union of a serial's stretches; `claimed_seconds` is the part of
    this stretch no earlier stretch held, and `days` what this claim added to the warranty."""

    __tablename__ = "downtime_stretches"
    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    serial: Mapped[str] = mapped_column(ForeignKey("equipment.serial"), index=True)
    case_id: Mapped[str] = mapped_column(String(64))
    stopped_at: Mapped[datetime] = mapped_column(UtcDateTime())
    restored_at: Mapped[datetime] = mapped_column(UtcDateTime())
    claimed_seconds: Mapped[int] = mapped_column(Integer)
    days: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class IdempotencyKey(Base):
    """An HTTP `Idempotency-Key`, bound to the one request it was first sent with (the case or
    dispute, the action and the payload, as a digest)."""

    __tablename__ = "idempotency_keys"
    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    request_digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Contract(Base):
    """Per-customer terms; a null column keeps the worker's default."""

    __tablename__ = "contracts"
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.customer_id"), primary_key=True)
    reply_seconds: Mapped[int | None] = mapped_column(Integer)
    onsite_seconds: Mapped[int | None] = mapped_column(Integer)
    repair_seconds: Mapped[int | None] = mapped_column(Integer)
    emergency_onsite_seconds: Mapped[int | None] = mapped_column(Integer)
    warn_at: Mapped[Decimal | None] = mapped_column(Numeric(5, 4))
    discount: Mapped[Decimal | None] = mapped_column(Numeric(5, 4))
    labour_rate: Mapped[Decimal | None] = mapped_column(ExactAmount())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class CaseRecord(Base):
    """Every case, kept current by the workflow; `state` holds the full CaseState JSON."""

    __tablename__ = "cases"
    case_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    run_id: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(32), index=True)
    customer_id: Mapped[str | None] = mapped_column(String(64), index=True)
    equipment_serial: Mapped[str | None] = mapped_column(String(64), index=True)
    coverage: Mapped[str | None] = mapped_column(String(32))
    emergency: Mapped[bool] = mapped_column(Boolean, default=False)
    technician_id: Mapped[str | None] = mapped_column(String(64))
    cause: Mapped[str | None] = mapped_column(String(32))
    reported_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), index=True)
    reply_due: Mapped[datetime | None] = mapped_column(UtcDateTime())
    onsite_due: Mapped[datetime | None] = mapped_column(UtcDateTime())
    explanation_due: Mapped[datetime | None] = mapped_column(UtcDateTime())
    breached: Mapped[bool] = mapped_column(Boolean, default=False)
    breaches: Mapped[list[Any]] = mapped_column(JSON, default=list)
    met: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    outcome: Mapped[str | None] = mapped_column(Text)
    state: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Notice(Base):
    """The outbox: every notice, written before it is sent, keyed by case, run and event; the
    delivery relay sends the `pending` ones (`next_attempt_at`, leased by `claimed_until`)."""

    __tablename__ = "notices"
    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(64))
    audience: Mapped[str] = mapped_column(String(32))
    recipient: Mapped[str | None] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(8))
    channel: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    # pending (the relay sends it), delivered, failed (refused for good), outbox (no SMTP server
    # or no address: kept, never sent)
    status: Mapped[str] = mapped_column(String(16), default="pending", server_default="pending")
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    claimed_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    warned_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


Index("ix_notices_due", Notice.status, Notice.next_attempt_at)


class LedgerEntry(Base):
    """One row per charge; `event` is the exact CloudEvent body, so redelivery is identical."""

    __tablename__ = "ledger"
    charge_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(64), index=True)
    customer_id: Mapped[str | None] = mapped_column(String(64), index=True)
    equipment_serial: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    payer: Mapped[str] = mapped_column(String(16))
    amount: Mapped[Decimal] = mapped_column(ExactAmount())
    currency: Mapped[str] = mapped_column(String(3))
    coverage: Mapped[str | None] = mapped_column(String(32))
    cause: Mapped[str | None] = mapped_column(String(32))
    lines: Mapped[list[Any]] = mapped_column(JSON)
    booked_at: Mapped[datetime] = mapped_column(UtcDateTime())
    event: Mapped[str] = mapped_column(Text)
    delivery_status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    claimed_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    warned_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


Index("ix_ledger_delivery", LedgerEntry.delivery_status)
Index("ix_ledger_due", LedgerEntry.delivery_status, LedgerEntry.next_attempt_at)


class DisputeRecord(Base):
    """Every IP dispute (clause 10), kept current by its workflow; `state` is the DisputeState."""

    __tablename__ = "disputes"
    dispute_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    run_id: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(32), index=True)
    customer_id: Mapped[str | None] = mapped_column(String(64), index=True)
    equipment_serial: Mapped[str | None] = mapped_column(String(64))
    claimant: Mapped[str | None] = mapped_column(String(200))
    right: Mapped[str | None] = mapped_column(String(32))
    reported_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    outcome: Mapped[str | None] = mapped_column(Text)
    state: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class ApiToken(Base):
    """A bearer token of the HTTP API: only its SHA-256 hash is kept, never the token."""

    __tablename__ = "api_tokens"
    token_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(32))
    technician_id: Mapped[str | None] = mapped_column(String(64))
    name: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
