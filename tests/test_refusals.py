"""A refused action is told by its failure's type and details, never by the words of its
message: the API's status code and the command line's answer follow them whatever the message
says. Raw Temporal clients keep the one type they match on, `ActionRejected`."""

from __future__ import annotations

import pytest
from temporalio.exceptions import ApplicationError

from client.answers import ActionRefused, CaseError, Named, refused_error
from web.gateway import refused_error as api_error
from workflows.messages import FieldError
from workflows.validation import REJECTED, InvalidPayload, refusal, refusal_of

FIELD = {"field": "technician_id", "message": "Field required"}
CASE = Named("case", "C-1", "case-C-1")
INVALID = {"action": "dispatch", "invalid": True, "errors": [FIELD]}
MISFIT = {"action": "dispatch", "invalid": False, "errors": []}


def failed(message: str, kind: str, *details: object) -> ApplicationError:
    return ApplicationError(message, *details, type=kind, non_retryable=True)


def test_a_payload_that_does_not_validate_is_refused_as_invalid_with_its_fields() -> None:
    reason = InvalidPayload([FieldError.model_validate(FIELD)])
    refused = refusal("dispatch", reason)
    assert (refused.type, refused.non_retryable) == (REJECTED, True)
    assert refused.message == (
        "dispatch rejected: the payload does not validate: technician_id: Field required"
    )
    assert refused.details == (INVALID,)


def test_a_misfit_is_refused_with_no_field_errors() -> None:
    refused = refusal("arrive", "no technician has been dispatched yet")
    assert refused.type == REJECTED
    assert refused.details == ({"action": "arrive", "invalid": False, "errors": []},)
    assert refused.message == "arrive rejected: no technician has been dispatched yet"


@pytest.mark.parametrize(
    ("details", "message", "status"),
    [
        (INVALID, "dispatch rejected: reworded, no usual phrase", 422),
        (MISFIT, "dispatch rejected: the payload does not validate: worded like one", 409),
        (MISFIT, "arrive rejected: no technician has been dispatched yet", 409),
    ],
)
def test_the_api_answers_by_the_details_not_the_words(details, message: str, status: int) -> None:
    answer = api_error(failed(message, REJECTED, details))
    assert answer is not None and (answer.code, answer.error) == (status, message)


def test_a_refusal_of_the_frozen_v1_0_engine_has_no_details_and_is_a_misfit() -> None:
    answer = api_error(failed("arrive rejected: before dispatch", REJECTED))
    assert answer is not None and answer.code == 409


def test_the_api_gives_the_field_errors_of_an_invalid_payload() -> None:
    answer = api_error(failed("anything", REJECTED, INVALID))
    assert answer is not None and answer.errors == [FieldError.model_validate(FIELD)]


@pytest.mark.parametrize("other", ["RetryCannotFix", "ActionRejectedLater", None])
def test_any_other_failure_is_no_refusal(other: str | None) -> None:
    failure = failed("the payload does not validate: looks like a refusal", other or "")
    assert refusal_of(failure) is None and api_error(failure) is None
    assert refusal_of(RuntimeError("dispatch rejected")) is None
    told = refused_error(CASE, failure)
    assert type(told) is CaseError and str(told).startswith("case C-1: the action failed: ")


@pytest.mark.parametrize("details", [INVALID, MISFIT])
def test_the_command_line_tells_a_refusal_by_its_type(details) -> None:
    told = refused_error(CASE, failed("reworded reason", REJECTED, details))
    assert isinstance(told, ActionRefused) and str(told) == "reworded reason"
