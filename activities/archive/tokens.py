"""Bearer tokens of the HTTP API, kept in the archive as SHA-256 hashes only.

A token is shown once, when it is made; the archive keeps its hash, its role (and for a
technician the technician id it is bound to), a name, and when it expires or was revoked.
Checking a token hashes what was presented and compares hashes in constant time; a revoked
or expired token stops working on the next request (nothing is cached).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from activities.archive.schema import ApiToken

TOKEN_PREFIX = "rdt_"


class Role(StrEnum):
    call_centre = "call_centre"
    office = "office"
    technician = "technician"
    manager = "manager"


class TokenError(ValueError):
    """A token that cannot be made or revoked as asked; the message says why."""


@dataclass(frozen=True)
class Holder:
    """Who a valid token speaks for."""

    token_id: str
    role: Role
    technician_id: str | None
    name: str | None


@dataclass(frozen=True)
class Made:
    token: str
    record: ApiToken


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(
    sessions: sessionmaker[Session],
    role: Role,
    technician_id: str | None = None,
    name: str | None = None,
    lifetime: timedelta | None = None,
    now: datetime | None = None,
) -> Made:
    if role is Role.technician and technician_id is None:
        raise TokenError("a technician token needs --technician T-… (the technician it acts for)")
    if role is not Role.technician and technician_id is not None:
        raise TokenError(
            f"only a technician token takes --technician; the {role.value} role does not"
        )
    now = now or datetime.now(UTC)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    record = ApiToken(
        token_id=f"tok-{secrets.token_hex(4)}",
        token_hash=token_hash(token),
        role=role.value,
        technician_id=technician_id,
        name=name,
        created_at=now,
        expires_at=now + lifetime if lifetime else None,
    )
    with sessions.begin() as session:
        session.add(record)
    return Made(token, record)


def list_tokens(sessions: sessionmaker[Session]) -> list[ApiToken]:
    with sessions() as session:
        return list(session.scalars(select(ApiToken).order_by(ApiToken.created_at)))


def revoke_token(sessions: sessionmaker[Session], token_id: str) -> ApiToken:
    with sessions.begin() as session:
        record = session.get(ApiToken, token_id)
        if record is None:
            raise TokenError(f"no token {token_id} (see `repairdesk token list`)")
        if record.revoked_at is None:
            record.revoked_at = datetime.now(UTC)
        return record


def holder_of(sessions: sessionmaker[Session], token: str) -> Holder | None:
    """Who `token` speaks for, or None when it is unknown, expired or revoked."""
    presented = token_hash(token)
    with sessions() as session:
        record = session.scalars(select(ApiToken).where(ApiToken.token_hash == presented)).first()
    if record is None or not hmac.compare_digest(record.token_hash, presented):
        return None
    now = datetime.now(UTC)
    if record.revoked_at is not None or (record.expires_at and record.expires_at <= now):
        return None
    return Holder(record.token_id, Role(record.role), record.technician_id, record.name)
