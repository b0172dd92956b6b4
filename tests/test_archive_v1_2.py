"""Contract v1.2's corrections in the archive (SQLite file and PostgreSQL): a case id names one
case for ever, and clause 7 counts each stretch of downtime of a serial once, also when two
cases commit at the same moment."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from activities.archive.db import archive
from activities.archive.disputes import DisputeActivities
from activities.archive.downtime import DowntimeActivities
from activities.archive.schema import CaseRecord, DisputeRecord, Equipment, Notice
from activities.delivery.doorbell import Doorbell
from tests import case_events
from tests.conftest import make_settings
from tests.test_case_event import count, recorder
from tests.test_open_case import RUN_ID, order
from workflows.activity_io import CaseEvent, DowntimeStretch
from workflows.ip_activity_io import PartiesRequest

STOP = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
H = timedelta(hours=1)


def stretch(case_id: str, start: datetime, hours: float) -> DowntimeStretch:
    return DowntimeStretch(
        key=f"{case_id}/run-1/downtime",
        case_id=case_id,
        equipment_serial="SN-42",
        stopped_at=start,
        restored_at=start + hours * H,
    )


def extension_days(database_url: str) -> int:
    with archive(database_url)() as session:
        return session.get_one(Equipment, "SN-42").extension_days


def test_a_stretch_is_counted_once_and_a_retry_gets_the_first_count(database_url: str):
    case_events.sample_archive(database_url)
    counter = DowntimeActivities(archive(database_url))
    first = counter.count_downtime(stretch("C-1", STOP, 24))
    assert counter.count_downtime(stretch("C-1", STOP, 24)) == first
    same = counter.count_downtime(stretch("C-2", STOP, 24))
    half = counter.count_downtime(stretch("C-3", STOP + 12 * H, 24))
    assert [(c.downtime, c.days) for c in (first, same, half)] == [
        (24 * H, 1),
        (timedelta(0), 0),
        (12 * H, 1),
    ]
    assert extension_days(database_url) == 2  # 36 h in all, once
    assert str(half.warranty_ends_on) == "2028-01-17"


def test_two_cases_committing_at_once_count_one_stoppage_once(database_url: str):
    """A lock, not luck: eight cases report the same 24 h at the same moment."""
    case_events.sample_archive(database_url)
    counter = DowntimeActivities(archive(database_url))
    start, results = threading.Barrier(8), []

    def count_one(n: int) -> None:
        start.wait()
        results.append(counter.count_downtime(stretch(f"C-{n}", STOP, 24)))

    threads = [threading.Thread(target=count_one, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted((c.downtime, c.days) for c in results) == [(timedelta(0), 0)] * 7 + [(24 * H, 1)]
    assert extension_days(database_url) == 1


def test_an_id_the_archive_holds_from_another_run_is_refused_before_anything_is_written(
    database_url: str,
):
    case_events.sample_archive(database_url)
    recorder(database_url).open_case(order())
    letters = count(database_url, Notice)
    again = recorder(database_url).open_case(order().model_copy(update={"run_id": "run-2"}))
    assert not again.facts.found and again.facts.id_taken and again.digest is None
    assert again.facts.reason and "case id C-1 already names a case (awaiting_reply" in (
        again.facts.reason
    )
    with archive(database_url)() as session:
        assert session.get_one(CaseRecord, "C-1").run_id == RUN_ID
    assert count(database_url, Notice) == letters


def test_a_record_of_another_run_is_refused_and_changes_nothing(database_url: str):
    case_events.sample_archive(database_url)
    opened = recorder(database_url).open_case(order())
    assert opened.facts.found
    with archive(database_url)() as session:
        held = session.get_one(CaseRecord, "C-1").state
    stranger = CaseEvent.model_validate(
        {"run_id": "run-2", "at": STOP, "case_id": "C-1", "version": 99, "state": held}
    )
    with pytest.raises(Exception, match="already names a case"):
        recorder(database_url).record_case_event(stranger)
    with archive(database_url)() as session:
        row = session.get_one(CaseRecord, "C-1")
        assert (row.run_id, row.version) == (RUN_ID, held["version"])


def test_a_dispute_id_the_archive_holds_is_refused(database_url: str):
    """The audit's probe: IP-7 settled, then opened again, booked a second indemnity."""
    case_events.sample_archive(database_url)
    with archive(database_url).begin() as session:
        session.add(
            DisputeRecord(
                dispute_id="IP-7",
                run_id="run-1",
                version=5,
                status="settled",
                customer_id="CUST-7",
                reported_at=STOP,
                state={"dispute_id": "IP-7", "status": "settled"},
                updated_at=STOP,
            )
        )
    activities = DisputeActivities(make_settings(database_url), archive(database_url), Doorbell())
    mine = PartiesRequest(dispute_id="IP-7", customer_id="CUST-7", run_id="run-1")
    again = PartiesRequest(dispute_id="IP-7", customer_id="CUST-7", run_id="run-2")
    assert activities.lookup_dispute_parties(mine).found
    refused = activities.lookup_dispute_parties(again)
    assert not refused.found and refused.id_taken
    assert refused.reason and "dispute id IP-7 already names a dispute (settled" in refused.reason
