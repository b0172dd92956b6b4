"""`repairdesk report`: SLA compliance counted from real archives (SQLite and PostgreSQL).

The cases are driven through `CaseFile`, the workflow's own case logic, and archived with the
`archive_case` activity, so every row is one the worker would really write.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from activities.archive.activities import ArchiveActivities
from activities.archive.compliance import (
    CaseClocks,
    Tally,
    archived_clocks,
    compliance,
    verdict,
)
from starter import report_commands
from tests.conftest import make_settings
from workflows.activity_io import ArchiveCase, CaseFacts
from workflows.case_file import CaseFile
from workflows.messages import (
    Action,
    Arrive,
    Cancel,
    CaseRequest,
    Cause,
    Coverage,
    Dispatch,
    Repaired,
    Reply,
    Status,
    Terms,
)

ZONE = ZoneInfo("Asia/Shanghai")
OCT_10 = datetime(2026, 10, 10, 2, 0, tzinfo=UTC)
OCT_20 = datetime(2026, 10, 20, 2, 0, tzinfo=UTC)
NOV_1_IN_SHANGHAI = datetime(2026, 10, 31, 17, 0, tzinfo=UTC)  # 2026-11-01 01:00 CST
NOV_10 = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)
NOV_24 = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


def _facts(coverage: Coverage) -> CaseFacts:
    ends_on = date(2027, 6, 30) if coverage is Coverage.in_warranty else date(2026, 1, 31)
    return CaseFacts(found=True, warranty_ends_on=ends_on, coverage=coverage, terms=Terms())


def _repair(technician: str) -> Repaired:
    return Repaired(technician_id=technician, cause=Cause.wear_and_tear, labour_hours=Decimal(1))


def run_case(
    case_id: str,
    customer: str,
    reported_at: datetime,
    steps: list[tuple[float, str, Action | None]],
    coverage: Coverage = Coverage.in_warranty,
) -> CaseFile:
    """A case opened at `reported_at`, then each step `hours` later: an action, or a clock tick
    (None), exactly as the workflow applies them."""
    request = CaseRequest(
        case_id=case_id,
        customer_id=customer,
        equipment_serial="SN-42",
        fault="Chiller trips on high pressure",
        reported_at=reported_at,
        onsite_requested=True,
    )
    case = CaseFile.from_request(request, reported_at, "run-1")
    case.open(_facts(coverage), reported_at)
    for hours, name, action in steps:
        now = reported_at + timedelta(hours=hours)
        if action is None:
            case.tick(now)
        else:
            assert case.misfit(name, action, now) is None, (case_id, name)
            case.take(name, action, now)
    return case


def example_cases() -> list[CaseFile]:
    """A: every deadline met. B: reply and 24 h breached, on site met. C (November in Shanghai,
    October in UTC): reply met, cancelled before the other deadlines. D: open, reply met.
    E: post warranty, no on-site deadline. G: refused at once, no deadlines."""
    reply = Reply(by="Wang Fang", message="A technician is on the way.")
    dispatch = Dispatch(technician_id="T-3", technician_name="Zhao Lei")
    arrive = Arrive(technician_id="T-3")
    unplaced = CaseFile.from_request(
        CaseRequest(case_id="C-G", customer_id="CUST-9", equipment_serial="SN-0", fault="x"),
        NOV_10,
        "run-1",
    )
    unplaced.reject("serial SN-0 is not in the archive", NOV_10)
    return [
        run_case(
            "C-A",
            "CUST-7",
            OCT_10,
            [
                (0.5, "reply", reply),
                (1, "dispatch", dispatch),
                (2, "arrive", arrive),
                (4, "repaired", _repair("T-3")),
            ],
        ),
        run_case(
            "C-B",
            "CUST-7",
            OCT_20,
            [
                (1, "tick", None),
                (1.2, "reply", reply),
                (1.5, "dispatch", dispatch),
                (2.6, "arrive", arrive),
                (24, "tick", None),
                (26, "repaired", _repair("T-3")),
            ],
        ),
        run_case(
            "C-C",
            "CUST-8",
            NOV_1_IN_SHANGHAI,
            [(0.5, "reply", reply), (1, "cancel", Cancel(by="Li Wei", reason="It works again."))],
        ),
        run_case("C-D", "CUST-7", NOV_24, [(0.5, "reply", reply)]),
        run_case(
            "C-E",
            "CUST-8",
            NOV_10,
            [
                (0.2, "reply", reply),
                (1, "dispatch", dispatch),
                (4, "arrive", arrive),
                (5, "repaired", _repair("T-3")),
            ],
            coverage=Coverage.post_warranty,
        ),
        unplaced,
    ]


def archived(database_url: str, cases: list[CaseFile] | None = None) -> str:
    activities = ArchiveActivities(make_settings(database_url))
    for case in example_cases() if cases is None else cases:
        activities.archive_case(ArchiveCase(state=case.state, run_id="run-1"))
    return database_url


def tallies(groups: Mapping[Any, Tally]) -> dict[str, tuple[int, int, int, int]]:
    return {key: (t.met, t.breached, t.excluded, t.open) for key, t in groups.items()}


def test_each_deadline_is_met_breached_excluded_or_open(database_url: str) -> None:
    sessions = ArchiveActivities(make_settings(archived(database_url))).sessions
    result = compliance(archived_clocks(sessions, ZONE), ZONE)
    assert result.cases == 5  # the refused case had no deadline
    assert tallies(result.by_sla) == {
        "reply": (4, 1, 0, 0),
        "onsite": (2, 0, 1, 1),  # E post warranty has no on-site deadline
        "repair_24h": (2, 1, 1, 1),
    }
    assert result.by_sla["reply"].share_met == pytest.approx(0.8)
    assert result.by_sla["onsite"].share_met == 1.0


def test_groups_by_customer_and_by_month_in_the_configured_zone(database_url: str) -> None:
    sessions = ArchiveActivities(make_settings(archived(database_url))).sessions
    result = compliance(archived_clocks(sessions, ZONE), ZONE)
    assert tallies(result.by_customer["reply"]) == {
        "CUST-7": (2, 1, 0, 0),
        "CUST-8": (2, 0, 0, 0),
    }
    assert tallies(result.by_customer["repair_24h"]) == {
        "CUST-7": (1, 1, 0, 1),
        "CUST-8": (1, 0, 1, 0),
    }
    assert tallies(result.by_month["reply"]) == {"2026-10": (1, 1, 0, 0), "2026-11": (3, 0, 0, 0)}
    in_utc = compliance(archived_clocks(sessions, ZoneInfo("UTC")), ZoneInfo("UTC"))
    assert tallies(in_utc.by_month["reply"]) == {"2026-10": (2, 1, 0, 0), "2026-11": (2, 0, 0, 0)}


def test_an_overdue_deadline_is_open_until_the_case_records_its_breach(database_url: str) -> None:
    sessions = ArchiveActivities(make_settings(archived(database_url))).sessions
    before = compliance(archived_clocks(sessions, ZONE), ZONE)
    assert tallies(before.by_sla)["repair_24h"] == (2, 1, 1, 1)  # D: the worker has not seen 24 h
    reply = Reply(by="Wang Fang", message="A technician is on the way.")
    late = run_case("C-D", "CUST-7", NOV_24, [(0.5, "reply", reply), (30, "tick", None)])
    archived(database_url, [late])
    after = compliance(archived_clocks(sessions, ZONE), ZONE)
    assert tallies(after.by_sla) == {
        "reply": (4, 1, 0, 0),
        "onsite": (2, 1, 1, 0),
        "repair_24h": (2, 2, 1, 0),
    }


def test_the_period_is_inclusive_dates_in_the_configured_zone(database_url: str) -> None:
    sessions = ArchiveActivities(make_settings(archived(database_url))).sessions

    def case_ids(start: date | None, end: date | None) -> list[str]:
        return [c.case_id for c in archived_clocks(sessions, ZONE, start, end)]

    assert case_ids(date(2026, 11, 1), date(2026, 11, 30)) == ["C-C", "C-E", "C-D"]
    assert case_ids(None, date(2026, 10, 31)) == ["C-A", "C-B"]
    assert case_ids(date(2026, 10, 20), date(2026, 10, 20)) == ["C-B"]
    assert case_ids(date(2026, 11, 25), None) == []


def clocks(**overrides: Any) -> CaseClocks:
    fields: dict[str, Any] = {
        "case_id": "C-1",
        "customer_id": "CUST-7",
        "status": Status.awaiting_reply,
        "reported_at": NOV_24,
        "due": frozenset({"reply"}),
    }
    return CaseClocks(**(fields | overrides))


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"met": frozenset({"reply"})}, "met"),
        ({"breached": frozenset({"reply"})}, "breached"),
        ({"met": frozenset({"reply"}), "breached": frozenset({"reply"})}, "breached"),
        ({}, "open"),  # not judged yet, even past its due time: the case decides
        ({"status": Status.cancelled}, "excluded"),
        ({"status": Status.third_party, "breached": frozenset({"reply"})}, "breached"),
        ({"due": frozenset()}, None),
    ],
)
def test_verdict_is_the_case_s_own(overrides: dict[str, Any], expected: str | None) -> None:
    assert verdict(clocks(**overrides), "reply") == expected


# --- the command ---


def report(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="repairdesk")
    report_commands.register(parser.add_subparsers(dest="command", required=True))
    parsed = parser.parse_args(["report", *args])
    capsys.readouterr()  # drop the activities' log lines: only the command's output is checked
    code = parsed.handler(parsed)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def in_shanghai(monkeypatch: pytest.MonkeyPatch, database_url: str) -> str:
    monkeypatch.setenv("REPAIRDESK_DATABASE_URL", database_url)
    monkeypatch.setenv("REPAIRDESK_TIMEZONE", "Asia/Shanghai")
    return database_url


def test_json_report_for_a_period(in_shanghai: str, capsys: pytest.CaptureFixture[str]) -> None:
    archived(in_shanghai)
    code, out, _ = report(capsys, "--json", "--from", "2026-10-01", "--to", "2026-10-31")
    assert code == 0
    listing = json.loads(out)
    assert listing["period"] == {"from": "2026-10-01", "to": "2026-10-31", "timezone": ZONE.key}
    assert listing["cases"] == 2
    assert listing["by_sla"][0] == {
        "sla": "reply",
        "met": 1,
        "breached": 1,
        "excluded": 0,
        "open": 0,
        "share_met": 0.5,
    }
    assert [(row["sla"], row["month"]) for row in listing["by_month"]] == [
        ("reply", "2026-10"),
        ("onsite", "2026-10"),
        ("repair_24h", "2026-10"),
    ]
    assert {row["customer_id"] for row in listing["by_customer"]} == {"CUST-7"}


def test_text_report_shows_tables_with_percentages(
    in_shanghai: str, capsys: pytest.CaptureFixture[str]
) -> None:
    archived(in_shanghai)
    code, out, _ = report(capsys, "--to", "2026-11-23")
    assert code == 0
    lines = out.splitlines()
    assert "By SLA and customer" in lines and "By SLA and month" in lines
    assert lines[0] == "SLA compliance: reported up to 2026-11-23 (Asia/Shanghai)"
    row = next(line.split() for line in lines if line.startswith("reply ") and "CUST-7" in line)
    assert row == ["reply", "CUST-7", "1", "1", "50.0%", "0", "0"]
    assert any(line.split() == ["onsite", "2026-11", "0", "0", "-", "1", "0"] for line in lines)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2026-13-01"], "--from '2026-13-01' is not a date (expected YYYY-MM-DD)"),
        (["--to", "yesterday"], "--to 'yesterday' is not a date (expected YYYY-MM-DD)"),
        (["--from", "2026-11-02", "--to", "2026-11-01"], "--to 2026-11-01 is before --from"),
    ],
)
def test_a_bad_period_is_refused(
    in_shanghai: str, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, out, err = report(capsys, *args)
    assert code == 1 and out == ""
    assert err.startswith("repairdesk report: ") and message in err


def test_an_empty_archive_reports_nothing_decided(
    in_shanghai: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    archived(in_shanghai, [])
    code, out, _ = report(capsys, "--json")
    listing = json.loads(out)
    assert code == 0 and listing["cases"] == 0
    assert listing["by_customer"] == [] and listing["by_month"] == []
    assert {row["share_met"] for row in listing["by_sla"]} == {None}
    code, out, _ = report(capsys, "--html", str(tmp_path / "empty.html"))
    assert code == 0 and "no cases with deadlines in this period" in out
    assert "no cases with deadlines" in (tmp_path / "empty.html").read_text(encoding="utf-8")


def test_the_html_page_is_self_contained_with_charts(
    in_shanghai: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    archived(in_shanghai)
    page_path = tmp_path / "report.html"
    code, out, _ = report(capsys, "--html", str(page_path), "--from", "2026-10-01")
    assert code == 0 and f"page written to {page_path}" in out
    page = page_path.read_text(encoding="utf-8")
    assert page.count("<svg") == 6  # by month and by customer, for each of the three SLAs
    assert "reported from 2026-10-01 (Asia/Shanghai)" in page and "generated " in page
    assert "<table>" in page and "CUST-8" in page and "2026-11" in page
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "<script" not in page and "https://" not in page


def test_an_unwritable_html_file_is_an_error(
    in_shanghai: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    archived(in_shanghai, [])
    code, _, err = report(capsys, "--html", str(tmp_path / "missing" / "report.html"))
    assert code == 1 and "cannot write" in err
