"""The v1.0 `send_notice` activity, for the cases opened under v1.0 (workflows/v1_0).

It only writes the letter to the outbox, once per key, exactly as `record_case_event` does for
v1.1 cases; the worker's delivery relay sends it. It answers `channel="outbox",
delivered=False`, on which the v1.0 engine records nothing: a letter refused for good reaches
the case as a `delivery_problem` signal from the relay instead.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker
from temporalio import activity

from activities.delivery.doorbell import Doorbell
from activities.logging import case_logger
from activities.notices import outbox
from activities.settings import Settings
from workflows.activity_io import SEND_NOTICE, NoticeRequest, NoticeResult


class NoticeActivities:
    def __init__(
        self, settings: Settings, sessions: sessionmaker[Session], doorbell: Doorbell
    ) -> None:
        self._settings = settings
        self._sessions = sessions
        self._doorbell = doorbell

    def all(self) -> list[Callable[..., Any]]:
        return [self.send_notice]

    @activity.defn(name=SEND_NOTICE)
    def send_notice(self, request: NoticeRequest) -> NoticeResult:
        draft = outbox.draft(
            request.key, request.kind, request.audience, request.sla, request.case, self._settings
        )
        now = datetime.now(UTC)
        with self._sessions.begin() as session:
            written = outbox.record(session, draft, now, now)
        self._doorbell.ring()
        case_logger(request.case.case_id, notice=request.key).info(
            "notice written to the outbox" if written else "notice already in the outbox",
            kind=request.kind,
            audience=request.audience,
            sendable=draft.sendable,
        )
        return NoticeResult(
            key=request.key, recipient=draft.recipient, channel="outbox", delivered=False
        )
