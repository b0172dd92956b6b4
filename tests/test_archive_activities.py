"""The archive activities, called directly (they are plain sync methods) on real archives."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select
from temporalio.exceptions import ApplicationError

from activities.archive.activities import ArchiveActivities
from activities.archive.contracts import import_contracts
from activities.archive.importer import import_equipment
from activities.archive.schema import CaseRecord, Equipment, WarrantyExtensionRecord
from tests.conftest import make_settings
from workflows.activity_io import ArchiveCase, CaseFacts, LookupRequest, WarrantyExtension
from workflows.messages import (
    Breach,
    CaseState,
    Coverage,
    Deadlines,
    Outcome,
    Status,
    Terms,
)

REPORTED = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
ARCHIVE = """customer_id,customer_name,serial,model,site,warranty_start,warranty_months
CUST-7,北京华信制冷工程有限公司,SN-42,Chiller CW-400,北京 3号机房,2026-01-15,24
CUST-7,北京华信制冷工程有限公司,SN-43,Chiller CW-250,北京 1号机房,2022-03-01,12
CUST-8,Pudong DC,SN-50,Air Handler AH-90,Shanghai,2025-06-01,36
"""
CONTRACTS = """customer_id,reply,onsite,repair,emergency_onsite,warn_at,discount,labour_rate
CUST-8,30m,2h,,,0.5,,280.00
"""


def loaded(database_url: str, tmp_path: Path, **settings: object) -> ArchiveActivities:
    activities = ArchiveActivities(make_settings(database_url, **settings))
    (tmp_path / "archive.csv").write_text(ARCHIVE, encoding="utf-8")
    (tmp_path / "contracts.csv").write_text(CONTRACTS, encoding="utf-8")
    import_equipment(activities.sessions, tmp_path / "archive.csv")
    import_contracts(activities.sessions, tmp_path / "contracts.csv")
    return activities


def lookup(
    activities: ArchiveActivities, serial: str, customer: str = "CUST-7", at: datetime = REPORTED
) -> CaseFacts:
    request = LookupRequest(
        case_id="C-1", customer_id=customer, equipment_serial=serial, reported_at=at
    )
    return activities.lookup_equipment(request)


def test_lookup_places_equipment_in_warranty(database_url: str, tmp_path: Path) -> None:
    activities = loaded(database_url, tmp_path)
    facts = lookup(activities, "SN-42")
    assert facts.found and facts.reason is None
    assert (facts.customer_name, facts.equipment_model, facts.site) == (
        "北京华信制冷工程有限公司",
        "Chiller CW-400",
        "北京 3号机房",
    )
    assert facts.warranty_ends_on == date(2028, 1, 15)
    assert facts.coverage is Coverage.in_warranty
    assert facts.terms == activities.settings.terms


def test_lookup_after_the_warranty(database_url: str, tmp_path: Path) -> None:
    facts = lookup(loaded(database_url, tmp_path), "SN-43")
    assert facts.found and facts.coverage is Coverage.post_warranty
    assert facts.warranty_ends_on == date(2023, 3, 1)


def test_unknown_serial_is_an_answer_not_an_error(database_url: str, tmp_path: Path) -> None:
    facts = lookup(loaded(database_url, tmp_path), "SN-99")
    assert not facts.found
    assert facts.reason == "equipment serial SN-99 is not in the archive"


def test_serial_of_another_customer_names_both(database_url: str, tmp_path: Path) -> None:
    facts = lookup(loaded(database_url, tmp_path), "SN-50", customer="CUST-7")
    assert not facts.found
    assert facts.reason == (
        "equipment serial SN-50 belongs to customer CUST-8 (Pudong DC), "
        "not to customer CUST-7 (北京华信制冷工程有限公司)"
    )


@pytest.mark.parametrize(
    ("timezone", "reported_at", "coverage"),
    [
        ("Asia/Shanghai", "2028-01-15T15:59:59Z", Coverage.in_warranty),
        ("Asia/Shanghai", "2028-01-15T16:00:00Z", Coverage.post_warranty),
        ("UTC", "2028-01-15T16:00:00Z", Coverage.in_warranty),
        ("UTC", "2028-01-16T00:00:00Z", Coverage.post_warranty),
    ],
)
def test_coverage_on_the_last_day_counts_in_the_configured_zone(
    database_url: str, tmp_path: Path, timezone: str, reported_at: str, coverage: Coverage
) -> None:
    activities = loaded(database_url, tmp_path, timezone=timezone)
    facts = lookup(activities, "SN-42", at=datetime.fromisoformat(reported_at))
    assert facts.coverage is coverage


def test_contract_overrides_only_its_non_empty_columns(database_url: str, tmp_path: Path) -> None:
    defaults = Terms(repair=timedelta(hours=12), discount=Decimal("0.20"))
    facts = lookup(loaded(database_url, tmp_path, terms=defaults), "SN-50", customer="CUST-8")
    assert facts.terms == Terms(
        reply=timedelta(minutes=30),
        onsite=timedelta(hours=2),
        repair=timedelta(hours=12),
        emergency_onsite=timedelta(hours=4),
        warn_at=Decimal("0.5"),
        discount=Decimal("0.20"),
        labour_rate=Decimal("280.00"),
    )


# --- archive_case ---


def snapshot(version: int, status: Status, run_id: str = "run-1") -> ArchiveCase:
    breaches = (
        [Breach(sla="reply", due=REPORTED + timedelta(hours=1), noticed_at=REPORTED)]
        if version >= 3
        else []
    )
    state = CaseState(
        case_id="C-1",
        status=status,
        customer_id="CUST-7",
        equipment_serial="SN-42",
        reported_at=REPORTED,
        coverage=Coverage.in_warranty,
        deadlines=Deadlines(
            reply_due=REPORTED + timedelta(hours=1), onsite_due=REPORTED + timedelta(hours=3)
        ),
        met={"reply": REPORTED + timedelta(minutes=20)} if version >= 2 else {},
        breaches=breaches,
        outcome=Outcome(status=status, reason="cancelled by the customer", at=REPORTED)
        if status is Status.cancelled
        else None,
        version=version,
    )
    return ArchiveCase(state=state, run_id=run_id)


def case_record(activities: ArchiveActivities) -> CaseRecord:
    with activities.sessions() as session:
        assert session.scalar(select(func.count()).select_from(CaseRecord)) == 1
        return session.get_one(CaseRecord, "C-1")


def test_archive_case_keeps_the_newest_snapshot_of_a_run(database_url: str, tmp_path: Path) -> None:
    activities = loaded(database_url, tmp_path)
    activities.archive_case(snapshot(3, Status.technician_dispatched))
    activities.archive_case(snapshot(2, Status.awaiting_technician))
    row = case_record(activities)
    assert (row.version, row.status, row.run_id) == (3, "technician_dispatched", "run-1")
    assert row.breached and row.breaches[0]["sla"] == "reply"
    assert row.met == {"reply": "2026-11-24T08:20:00Z"}
    assert row.reply_due == REPORTED + timedelta(hours=1)
    assert row.explanation_due is None and row.coverage == "in_warranty"
    assert row.state["version"] == 3 and row.state["customer_id"] == "CUST-7"

    activities.archive_case(snapshot(4, Status.cancelled))
    activities.archive_case(snapshot(4, Status.cancelled))
    row = case_record(activities)
    assert (row.version, row.status, row.outcome) == (4, "cancelled", "cancelled by the customer")


def test_archive_case_from_a_new_run_never_replaces_the_row(
    database_url: str, tmp_path: Path
) -> None:
    """A case id names one case for ever (contract v1.2): the ended case's record stays."""
    activities = loaded(database_url, tmp_path)
    activities.archive_case(snapshot(9, Status.cancelled, run_id="run-1"))
    activities.archive_case(snapshot(1, Status.awaiting_reply, run_id="run-2"))
    row = case_record(activities)
    assert (row.run_id, row.version, row.status, row.breached) == (
        "run-1",
        9,
        "cancelled",
        True,
    )


# --- extend_warranty ---


def extension(key: str, days: int) -> WarrantyExtension:
    return WarrantyExtension(key=key, case_id="C-1", equipment_serial="SN-42", days=days)


def test_extend_warranty_once_per_key(database_url: str, tmp_path: Path) -> None:
    activities = loaded(database_url, tmp_path)
    first = activities.extend_warranty(extension("C-1/run-1/repaired", 2))
    repeat = activities.extend_warranty(extension("C-1/run-1/repaired", 2))
    assert first.warranty_ends_on == repeat.warranty_ends_on == date(2028, 1, 17)
    later = activities.extend_warranty(extension("C-2/run-1/repaired", 1))
    assert later.warranty_ends_on == date(2028, 1, 18)
    with activities.sessions() as session:
        assert session.get_one(Equipment, "SN-42").extension_days == 3
        records = session.scalar(select(func.count()).select_from(WarrantyExtensionRecord))
        assert records == 2
    assert lookup(activities, "SN-42").warranty_ends_on == date(2028, 1, 18)


def test_extend_warranty_survives_a_reimport(database_url: str, tmp_path: Path) -> None:
    activities = loaded(database_url, tmp_path)
    activities.extend_warranty(extension("C-1/run-1/repaired", 5))
    import_equipment(activities.sessions, tmp_path / "archive.csv")
    assert lookup(activities, "SN-42").warranty_ends_on == date(2028, 1, 20)


def test_extend_warranty_of_unknown_equipment_is_not_retried(
    database_url: str, tmp_path: Path
) -> None:
    activities = loaded(database_url, tmp_path)
    unknown = WarrantyExtension(key="k", case_id="C-1", equipment_serial="SN-99", days=1)
    with pytest.raises(ApplicationError) as caught:
        activities.extend_warranty(unknown)
    assert caught.value.non_retryable


def test_concurrent_retries_extend_once_and_keep_the_newest_snapshot(
    database_url: str, tmp_path: Path
) -> None:
    """The worker runs activities in a thread pool: retries and snapshots can overlap."""
    activities = loaded(database_url, tmp_path)
    versions = [5, 1, 4, 2, 3, 5, 1, 4]
    key = "C-1/run-1/repaired"
    with ThreadPoolExecutor(8) as pool:
        extended = pool.map(lambda _: activities.extend_warranty(extension(key, 2)), range(8))
        snapshots = [snapshot(version, Status.on_site) for version in versions]
        archived = pool.map(activities.archive_case, snapshots)
        assert {result.warranty_ends_on for result in extended} == {date(2028, 1, 17)}
        assert list(archived) == [None] * len(versions)
    with activities.sessions() as session:
        assert session.get_one(Equipment, "SN-42").extension_days == 2
    assert case_record(activities).version == 5
