"""Why a case was rejected, as `repairdesk open` says it: every validation error named once."""

from __future__ import annotations

from datetime import UTC, datetime

from client.cases import rejection
from workflows.case_file import CaseFile
from workflows.messages import FieldError

NOW = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


def test_a_rejection_names_each_error_once() -> None:
    errors = [FieldError(field="reported_at", message="is in the future")]
    case = CaseFile.invalid("C-1", errors, NOW, "run-1")
    assert rejection(case.state) == ("the request does not validate: reported_at: is in the future")
