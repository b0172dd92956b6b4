"""Reading a dispute's input and actions: what does not validate, and how a refusal fails.

Pure functions over the pydantic models, shared by the workflow's validators and handlers.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from workflows import validation
from workflows.dispute_file import WORKFLOW_ID_PREFIX
from workflows.ip_messages import DISPUTE_ACTIONS, DisputeAction, DisputeRequest
from workflows.messages import FieldError
from workflows.rules import reported_at_problem


def read_action(name: str, payload: Any) -> DisputeAction | str:
    return validation.read_action(DISPUTE_ACTIONS, name, payload)


def parse_action(name: str, payload: Any) -> DisputeAction:
    return validation.parse_action(DISPUTE_ACTIONS, name, payload)


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
    if request.reported_at and (problem := reported_at_problem(request.reported_at, now)):
        problems.append(FieldError(field="reported_at", message=problem))
    return problems
