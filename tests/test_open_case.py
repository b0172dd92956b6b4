"""open_case (v1.3) on real archives (SQLite file and PostgreSQL): it places a new case and, in
the same transaction, writes the case row and the first letters of the case as the workflow
opens it, once however often it runs."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from activities.archive.db import archive
from activities.archive.schema import CaseRecord, Notice
from tests import case_events
from tests.test_case_event import count, recorder
from workflows.activity_io import OpenCase
from workflows.case_events import digest, opened_case
from workflows.messages import CaseRequest, Contact, Coverage, Status

AT = datetime(2026, 11, 24, 8, 0, 5, tzinfo=UTC)
RUN_ID = "run-1"


def order(serial: str = "SN-42", customer_id: str = "CUST-7") -> OpenCase:
    request = CaseRequest(
        case_id="C-1",
        customer_id=customer_id,
        equipment_serial=serial,
        fault="Chiller trips on high pressure",
        onsite_requested=True,
        contact=Contact(name="Li Wei", email="liwei@example.com"),
    )
    return OpenCase(run_id=RUN_ID, at=AT, request=request, reported_at=AT.replace(second=0))


def test_a_case_is_placed_and_its_opening_recorded_once(database_url: str) -> None:
    case_events.sample_archive(database_url)
    first = recorder(database_url).open_case(order())
    assert recorder(database_url).open_case(order()) == first
    assert first.facts.found and first.facts.coverage is Coverage.in_warranty
    expected = opened_case(order(), first.facts).state
    assert first.digest == digest(expected)
    assert first.warranty_ends_on == expected.warranty_ends_on
    with archive(database_url)() as session:
        row = session.get_one(CaseRecord, "C-1")
        assert (row.run_id, row.status) == (RUN_ID, Status.awaiting_reply.value)
        assert row.state == expected.model_dump(mode="json")
        letters = {(n.key, n.kind) for n in session.scalars(select(Notice))}
    assert letters == {
        (f"C-1/{RUN_ID}/opened/customer", "acknowledgement"),
        (f"C-1/{RUN_ID}/opened/office", "new_case"),
    }


def test_equipment_of_another_customer_is_refused_and_nothing_is_written(
    database_url: str,
) -> None:
    case_events.sample_archive(database_url)
    opened = recorder(database_url).open_case(order(serial="SN-50"))
    assert not opened.facts.found and opened.digest is None
    assert opened.facts.reason and "belongs to customer CUST-8" in opened.facts.reason
    assert count(database_url, CaseRecord) == count(database_url, Notice) == 0
