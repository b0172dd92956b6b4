"""A real worker, archive and HTTP app on the session's dev server, for the API and page tests."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy.orm import Session, sessionmaker
from temporalio.testing import WorkflowEnvironment

from activities.archive.db import archive
from activities.archive.importer import import_equipment
from activities.archive.tokens import Role, create_token
from activities.settings import Settings
from web.app import create_app
from worker import build_worker

SAMPLE = Path(__file__).parent.parent / "starter" / "data" / "sample-archive.csv"


@dataclass
class Stack:
    settings: Settings
    sessions: sessionmaker[Session]
    env: WorkflowEnvironment
    tokens: dict[str, str]

    def token(self, role: Role, technician_id: str | None = None, **kwargs: object) -> str:
        return create_token(self.sessions, role, technician_id, **kwargs).token  # type: ignore[arg-type]

    def headers(self, who: str, key: str | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"}
        if key:
            headers["Idempotency-Key"] = key
        return headers


def new_case(
    case_id: str | None = None, serial: str = "SN-42", **extra: object
) -> dict[str, object]:
    body: dict[str, object] = {
        "case_id": case_id or f"C-{uuid.uuid4().hex[:8]}",
        "customer_id": "CUST-7",
        "equipment_serial": serial,
        "fault": "Chiller trips on high pressure",
        "onsite_requested": True,
    }
    return body | extra


async def running_stack(
    env: WorkflowEnvironment, folder: Path, **settings_given: object
) -> AsyncIterator[Stack]:
    """A worker on a fresh task queue and SQLite archive (sample customers loaded), and a
    token for every role (technician T-3; `other_tech` is T-4); `settings_given` are set on
    the settings of both."""
    settings = replace(
        Settings(),
        database_url=f"sqlite:///{folder / 'archive.db'}",
        task_queue=f"web-{uuid.uuid4()}",
        temporal_address=env.client.service_client.config.target_host,
        **settings_given,  # type: ignore[arg-type]
    )
    sessions = archive(settings.database_url)
    import_equipment(sessions, SAMPLE)
    stack = Stack(settings, sessions, env, {})
    stack.tokens = {
        "call_centre": stack.token(Role.call_centre),
        "office": stack.token(Role.office),
        "technician": stack.token(Role.technician, "T-3"),
        "other_tech": stack.token(Role.technician, "T-4"),
        "manager": stack.token(Role.manager),
    }
    async with build_worker(env.client, settings):
        yield stack


def api_client(stack: Stack) -> httpx.AsyncClient:
    app = create_app(stack.settings, client=stack.env.client)
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://repairdesk.test", timeout=60
    )


EXPIRED = timedelta(seconds=-1)
