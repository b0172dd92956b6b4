"""The bare baseline's messages: one small pydantic input, action and result, like a case's."""

from __future__ import annotations

from pydantic import BaseModel


class BareRequest(BaseModel):
    case_id: str


class BareAction(BaseModel):
    by: str


class BareState(BaseModel):
    case_id: str
    finished_by: str | None = None
