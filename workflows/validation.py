"""Reading a workflow's input and actions: what does not validate, and how a refusal fails.

Shared by RepairCase and IpDispute, so a caller handles both workflows' refusals alike: an
update refused fails with an `ApplicationError` of type `ActionRejected` whose message says why.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from temporalio.exceptions import ApplicationError

from workflows.messages import FieldError, listed

REJECTED = "ActionRejected"
A = TypeVar("A", bound=BaseModel)


def field_errors(error: ValidationError) -> list[FieldError]:
    return [
        FieldError(field=".".join(str(p) for p in e["loc"]) or "payload", message=e["msg"])
        for e in error.errors(include_url=False, include_input=False)
    ]


def read_action(actions: Mapping[str, type[A]], name: str, payload: Any) -> A | str:
    """The action, or why its payload does not validate."""
    try:
        return actions[name].model_validate(payload)
    except ValidationError as e:
        return f"the payload does not validate: {listed(field_errors(e))}"


def rejection(name: str, reason: str) -> ApplicationError:
    """How a refused update fails: the reason, never retried."""
    return ApplicationError(f"{name} rejected: {reason}", type=REJECTED, non_retryable=True)


def parse_action(actions: Mapping[str, type[A]], name: str, payload: Any) -> A:
    """The action of an update; a payload that does not validate refuses the update."""
    action = read_action(actions, name, payload)
    if isinstance(action, str):
        raise rejection(name, action)
    return action
