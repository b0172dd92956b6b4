"""record_case_event on real archives (SQLite file and PostgreSQL): one transaction writes the
case row, its letters, its charges and its warranty extension, once however often it runs."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker
from structlog.testing import capture_logs
from temporalio.exceptions import ApplicationError

from activities.archive.case_event import (
    ARCHIVE_UNAVAILABLE,
    EVENT_REFUSED,
    CaseEventActivities,
)
from activities.archive.db import archive, create_archive_engine
from activities.archive.schema import (
    Base,
    CaseRecord,
    Equipment,
    LedgerEntry,
    Notice,
    WarrantyExtensionRecord,
)
from activities.delivery.doorbell import Doorbell
from tests import case_events, notice_cases
from tests.conftest import make_settings
from tests.ports import free_port
from workflows.activity_io import WarrantyExtension
from workflows.messages import Language, Status

OFFICE = "office@vendor.test"
# SN-42 in starter/data/sample-archive.csv: from 2026-01-15 for 24 months
WARRANTY_END = date(2028, 1, 15)


def recorder(database_url: str, **settings: object) -> CaseEventActivities:
    options = {"smtp_url": "smtp://127.0.0.1:2525", "office_email": OFFICE} | settings
    return CaseEventActivities(
        make_settings(database_url, **options), archive(database_url), Doorbell()
    )


def count(database_url: str, model: type[Base]) -> int:
    with archive(database_url)() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_an_event_is_written_once_however_often_it_is_recorded(database_url: str) -> None:
    case_events.sample_archive(database_url)
    event = case_events.event_of(notice_cases.late_repair(Language.en), extension_days=3)
    first = recorder(database_url).record_case_event(event)
    later = event.model_copy(update={"at": event.at.replace(year=2027)})
    assert recorder(database_url).record_case_event(event) == first
    assert recorder(database_url).record_case_event(later) == first
    assert first.warranty_ends_on == date(2028, 1, 18)
    assert count(database_url, Notice) == len(event.notices) == 11
    assert count(database_url, LedgerEntry) == len(event.charges) == 1
    assert count(database_url, WarrantyExtensionRecord) == 1
    with archive(database_url)() as session:
        equipment = session.get_one(Equipment, "SN-42")
        assert equipment.extension_days == 3
        case = session.get_one(CaseRecord, "C-1001")
        assert case.state["warranty_ends_on"] == "2028-01-18"
        assert case.status == event.state.status.value
        entry = session.get_one(LedgerEntry, event.charges[0].id)
        assert entry.booked_at == event.at and entry.delivery_status == "pending"
        assert entry.next_attempt_at is not None and entry.attempts == 0
        rows = list(session.scalars(select(Notice)))
    assert {row.key for row in rows} == {order.key for order in event.notices}
    assert all(row.created_at == event.at for row in rows)


def test_an_extension_names_the_other_cases_still_open_on_the_equipment(
    database_url: str,
) -> None:
    case_events.sample_archive(database_url)
    open_on_sn42, ended_on_sn42 = case_events.cancelled("C-2001"), case_events.cancelled("C-2002")
    open_on_sn43 = case_events.cancelled("C-2003")
    assert open_on_sn42.state and open_on_sn43.state
    for event in (
        open_on_sn42.model_copy(
            update={"state": open_on_sn42.state.model_copy(update={"status": Status.on_site})}
        ),
        ended_on_sn42,
        open_on_sn43.model_copy(
            update={
                "state": open_on_sn43.state.model_copy(
                    update={"status": Status.awaiting_reply, "equipment_serial": "SN-43"}
                )
            }
        ),
    ):
        recorder(database_url).record_case_event(event)
    extended = case_events.event_of(notice_cases.late_repair(Language.en), extension_days=3)
    assert recorder(database_url).record_case_event(extended).also_open == ["C-2001"]
    plain = case_events.late_repair("C-1009")
    assert recorder(database_url).record_case_event(plain).also_open == []


def test_letters_are_rendered_in_the_addressees_language(database_url: str) -> None:
    case_events.sample_archive(database_url)
    recorder(database_url).record_case_event(case_events.cancelled())
    with archive(database_url)() as session:
        rows = {row.kind: row for row in session.scalars(select(Notice))}
    assert rows["cancelled"].subject == "[C-1004] Your repair request is cancelled"
    assert rows["cancelled"].language == "en" and rows["new_case"].language == "zh"
    assert rows["new_case"].recipient == OFFICE and rows["new_case"].status == "pending"
    assert "The fault cleared after a restart." in rows["cancelled"].body


def test_unsendable_letters_are_kept_in_the_outbox(database_url: str) -> None:
    case_events.sample_archive(database_url)
    event = case_events.cancelled(email=None)
    recorder(database_url, office_email=None).record_case_event(event)
    with archive(database_url)() as session:
        rows = list(session.scalars(select(Notice)))
    assert {(row.status, row.channel, row.next_attempt_at) for row in rows} == {
        ("outbox", "outbox", None)
    }


def test_an_older_version_of_the_case_changes_nothing(database_url: str) -> None:
    case_events.sample_archive(database_url)
    event = case_events.cancelled()
    newer = event.model_copy(update={"state": event.state.model_copy(update={"version": 9})})
    recorder(database_url).record_case_event(newer)
    recorder(database_url).record_case_event(event)
    with archive(database_url)() as session:
        assert session.get_one(CaseRecord, "C-1004").version == 9


def test_a_serial_the_archive_does_not_know_has_no_warranty_end(database_url: str) -> None:
    event = case_events.cancelled()
    assert recorder(database_url).record_case_event(event).warranty_ends_on is None
    with archive(database_url)() as session:
        case = session.get_one(CaseRecord, "C-1004")
    assert case.state["warranty_ends_on"] == event.state.warranty_ends_on.isoformat()


def test_another_customers_serial_has_no_warranty_end(database_url: str) -> None:
    case_events.sample_archive(database_url)
    event = case_events.cancelled()
    stranger = event.model_copy(
        update={"state": event.state.model_copy(update={"customer_id": "CUST-8"})}
    )
    assert recorder(database_url).record_case_event(stranger).warranty_ends_on is None


def test_the_warranty_end_is_read_back_without_an_extension(database_url: str) -> None:
    case_events.sample_archive(database_url)
    recorded = recorder(database_url).record_case_event(case_events.cancelled())
    assert recorded.warranty_ends_on == WARRANTY_END


def test_bad_data_is_refused_without_retry_and_writes_nothing(database_url: str) -> None:
    event = case_events.cancelled()
    unknown = WarrantyExtension(
        key="C-1004/run-1/x", case_id="C-1004", equipment_serial="SN-0", days=2
    )
    with pytest.raises(ApplicationError) as refused:
        recorder(database_url).record_case_event(event.model_copy(update={"extension": unknown}))
    assert refused.value.non_retryable and refused.value.type == EVENT_REFUSED
    assert "SN-0 is not in the archive" in refused.value.message
    assert count(database_url, Notice) == count(database_url, CaseRecord) == 0


def test_a_database_that_is_down_is_retried(sqlite_url: str) -> None:
    down = create_archive_engine(f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/archive")
    activities = CaseEventActivities(make_settings(sqlite_url), sessionmaker(down), Doorbell())
    with pytest.raises(ApplicationError) as retried:
        activities.record_case_event(case_events.cancelled())
    assert not retried.value.non_retryable and retried.value.type == ARCHIVE_UNAVAILABLE
    assert "C-1004" in retried.value.message


def test_each_failed_attempt_is_logged_with_its_case(sqlite_url: str) -> None:
    """The workflow retries a record while the archive is down without end: every attempt is a
    warning in the worker's log, with the case, so the loop is seen."""
    down = create_archive_engine(f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/archive")
    activities = CaseEventActivities(make_settings(sqlite_url), sessionmaker(down), Doorbell())
    with capture_logs() as logs, pytest.raises(ApplicationError):
        activities.record_case_event(case_events.cancelled())
    [line] = [entry for entry in logs if entry["log_level"] == "warning"]
    assert line["case_id"] == "C-1004" and "archive is retried" in line["event"]


def test_an_event_carrying_only_what_changed_builds_on_the_archived_row(
    database_url: str,
) -> None:
    case_events.sample_archive(database_url)
    whole = case_events.late_repair()
    entries = whole.state.timeline
    assert len(entries) > 3
    earlier = whole.state.model_copy(
        update={"timeline": entries[:3], "version": 1, "status": Status.on_site}
    )
    first = whole.model_copy(update={"state": earlier, "version": 1, "notices": []})
    recorder(database_url).record_case_event(first)
    as_json = whole.state.model_dump(mode="json")
    rest = whole.model_copy(
        update={
            "state": None,
            "changed": {
                "status": as_json["status"],
                "version": as_json["version"],
                "timeline": as_json["timeline"][3:],
            },
            "timeline_from": 3,
        }
    )
    recorder(database_url).record_case_event(rest)
    with archive(database_url)() as session:
        row = session.get_one(CaseRecord, whole.state.case_id)
    assert row.state == {**as_json, "warranty_ends_on": WARRANTY_END.isoformat()}
    assert count(database_url, Notice) == len(whole.notices)


def test_changes_to_a_row_the_archive_lacks_are_refused_and_write_nothing(
    database_url: str,
) -> None:
    case_events.sample_archive(database_url)
    whole = case_events.late_repair()
    for orphan in (
        whole.model_copy(update={"state": None, "changed": {"version": 9}}),
        whole.model_copy(update={"state": None, "changed": {"version": 9}, "run_id": "other"}),
    ):
        with pytest.raises(ApplicationError) as refused:
            recorder(database_url).record_case_event(orphan)
        assert refused.value.non_retryable and "no row of run" in refused.value.message
    assert count(database_url, Notice) == count(database_url, CaseRecord) == 0
