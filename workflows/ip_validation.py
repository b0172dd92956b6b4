"""Reading a dispute's input and actions: what does not validate, and how a refusal fails.

Pure functions over the pydantic models, shared by the workflow's validators and handlers.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import ValidationError
from temporalio.exceptions import ApplicationError

from workflows.dispute_file import WORKFLOW_ID_PREFIX
from workflows.ip_messages import DISPUTE_ACTIONS, DisputeAction, DisputeRequest
from workflows.messages import FieldError
from workflows.rules import CLOCK_SKEW, IP_REPORT_MAX_AGE

# The same error type as a case's refusals, so callers handle both alike.
REJECTED = "ActionRejected"


def field_errors(error: ValidationError) -> list[FieldError]:
    return [
        FieldError(field=".".join(str(p) for p in e["loc"]) or "payload", message=e["msg"])
        for e in error.errors(include_url=False, include_input=False)
    ]


def read_action(name: str, payload: Any) -> DisputeAction | str:
    """The action, or why its payload does not validate."""
    try:
        return DISPUTE_ACTIONS[name].model_validate(payload)
    except ValidationError as e:
        listed = "; ".join(f"{f.field}: {f.message}" for f in field_errors(e))
        return f"the payload does not validate: {listed}"


def rejection(name: str, reason: str) -> ApplicationError:
    return ApplicationError(f"{name} rejected: {reason}", type=REJECTED, non_retryable=True)


def parse_action(name: str, payload: Any) -> DisputeAction:
    action = read_action(name, payload)
    if isinstance(action, str):
        raise rejection(name, action)
    return action


def request_problems(request: DisputeRequest, dispute_id: str, now: datetime) -> list[FieldError]:
    """What the model cannot check alone: the workflow id, and a plausible report time."""
    problems = []
    if request.dispute_id != dispute_id:
        problems.append(
            FieldError(
                field="dispute_id",
                message=f"{request.dispute_id} does not match workflow id "
                f"{WORKFLOW_ID_PREFIX}{dispute_id}; start it as "
                f"{WORKFLOW_ID_PREFIX}{request.dispute_id}",
            )
        )
    if request.reported_at and request.reported_at > now + CLOCK_SKEW:
        problems.append(FieldError(field="reported_at", message="is in the future"))
    if request.reported_at and request.reported_at < now - IP_REPORT_MAX_AGE:
        problems.append(FieldError(field="reported_at", message="is more than 7 days ago"))
    return problems
