"""`Idempotency-Key`s bound to their request (contract v1.2): the first request sent with a key
binds it, for every `repairdesk serve` process on the archive and across restarts; the same key
sent with another case, action or payload is refused. A true retry goes on to Temporal, whose
update id (the key) answers it with the first result."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from activities.archive.once import insert_once
from activities.archive.schema import IdempotencyKey


def request_digest(noun: str, object_id: str, action: str, payload: dict[str, Any]) -> str:
    """The request a key is bound to: the case or dispute, the action and the payload as read."""
    request = {"kind": noun, "id": object_id, "action": action, "payload": payload}
    return hashlib.sha256(json.dumps(request, sort_keys=True).encode()).hexdigest()


def bound_elsewhere(sessions: sessionmaker[Session], key: str, digest: str) -> bool:
    """Bind `key` to the request `digest` unless it is bound already; whether it was bound to
    another request."""
    with sessions.begin() as session:
        values = {"key": key, "request_digest": digest, "created_at": datetime.now(UTC)}
        if insert_once(session, IdempotencyKey, values):
            return False
        bound = session.scalar(
            select(IdempotencyKey.request_digest).where(IdempotencyKey.key == key)
        )
    return bound != digest
