"""Reading a workflow's input and actions: what does not validate, and how a refusal fails.

Shared by RepairCase and IpDispute, so a caller handles both workflows' refusals alike. An
update refused fails with an `ApplicationError` of type `ActionRejected`, never retried (the
contract makes a payload that does not validate "a misfit like any other", and raw clients
match on that one type). Its details say why, as `RefusalDetails`: `invalid` with every field
error when the payload does not validate, else a misfit of the case or dispute as it stands.
The message says why in words; a client decides by the type and details (`refusal_of`), never
the words.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from temporalio.exceptions import ApplicationError

from workflows.messages import FieldError, Message, listed

REJECTED = "ActionRejected"
A = TypeVar("A", bound=BaseModel)


class InvalidPayload(str):
    """Why a payload does not validate: as text, what a misfit signal keeps in the timeline;
    `errors`, the field errors an update's refusal carries as its details."""

    errors: list[FieldError]

    def __new__(cls, errors: list[FieldError]) -> InvalidPayload:
        reason = super().__new__(cls, f"the payload does not validate: {listed(errors)}")
        reason.errors = errors
        return reason


class RefusalDetails(Message):
    """The details of a refused update's failure: the action, whether its payload did not
    validate, and then every field error."""

    action: str
    invalid: bool = False
    errors: list[FieldError] = []


@dataclass(frozen=True)
class Refusal:
    """A refused update as a client reads it: `invalid` when the payload did not validate
    (`errors` then names every field), else a misfit; `reason` is the failure's message."""

    invalid: bool
    reason: str
    errors: list[FieldError]


# pydantic puts this before the message of a validator that raised ValueError: our own words
PYDANTIC_PREFIX = "Value error, "


def field_errors(error: ValidationError) -> list[FieldError]:
    """Each error as the contract's `{field, message}`, in repairdesk's own words."""
    return [
        FieldError(
            field=".".join(str(p) for p in e["loc"]) or "payload",
            message=e["msg"].removeprefix(PYDANTIC_PREFIX),
        )
        for e in error.errors(include_url=False, include_input=False)
    ]


def read_action(actions: Mapping[str, type[A]], name: str, payload: Any) -> A | InvalidPayload:
    """The action, or why its payload does not validate."""
    try:
        return actions[name].model_validate(payload)
    except ValidationError as e:
        return InvalidPayload(field_errors(e))


def refusal(name: str, reason: str) -> ApplicationError:
    """How a refused update fails: `ActionRejected` with the reason, its details saying
    whether the payload did not validate (an `InvalidPayload`) and how; never retried."""
    invalid = isinstance(reason, InvalidPayload)
    details = RefusalDetails(action=name, invalid=invalid, errors=reason.errors if invalid else [])
    return ApplicationError(
        f"{name} rejected: {reason}",
        details.model_dump(mode="json"),
        type=REJECTED,
        non_retryable=True,
    )


def parse_action(actions: Mapping[str, type[A]], name: str, payload: Any) -> A:
    """The action of an update; a payload that does not validate refuses the update."""
    action = read_action(actions, name, payload)
    if isinstance(action, InvalidPayload):
        raise refusal(name, action)
    return action


def refusal_of(failure: BaseException | None) -> Refusal | None:
    """The refusal an update failed with, read from the failure's type and details (a case of
    the frozen v1.0 engine gives none: a misfit); None when it failed for another reason."""
    if not isinstance(failure, ApplicationError) or failure.type != REJECTED:
        return None
    details = RefusalDetails.model_validate(failure.details[0]) if failure.details else None
    return Refusal(
        invalid=details.invalid if details else False,
        reason=failure.message,
        errors=details.errors if details else [],
    )
