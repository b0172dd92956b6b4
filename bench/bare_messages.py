"""The bare baseline's messages: the case's start input and the four actions' payloads are
taken as they come (any JSON object, as a RepairCase takes them before it validates them), and
its state is small."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class BareRequest(BaseModel):
    model_config = ConfigDict(extra="allow")

    case_id: str


class BareState(BaseModel):
    case_id: str
    status: str = "open"
    actions: list[str] = []
    last: dict[str, Any] | None = None
