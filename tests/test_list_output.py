"""`repairdesk list` tells endings apart at a glance on a terminal: each ending and a breach in a
colour of its own; in a pipe, plain text."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from client.cases import CaseRow
from starter.output import PAINT, table

ZONE = ZoneInfo("Asia/Shanghai")


def case(status: str, breached: bool = False) -> CaseRow:
    return CaseRow(
        case_id=f"C-{status}",
        status=status,
        customer_id="CUST-7",
        equipment_serial="SN-42",
        coverage="in_warranty",
        technician_id="T-3",
        sla_breached=breached,
        emergency=False,
        started_at=datetime(2026, 11, 24, 8, 0, tzinfo=UTC),
        closed_at=None,
    )


def test_each_ending_has_its_own_colour_on_a_terminal() -> None:
    endings = ["repaired", "third_party", "cancelled", "rejected"]
    lines = table([case(s) for s in endings], ZONE, colour=True).splitlines()[1:]
    painted = [next(code for code in PAINT.values() if f"\033[{code}m" in line) for line in lines]
    assert len(set(painted)) == len(endings)
    assert f"\033[{PAINT['BREACHED']}mBREACHED" in table([case("on_site", True)], ZONE, True)


def test_a_pipe_gets_plain_text() -> None:
    plain = table([case("repaired", True)], ZONE)
    assert "\033[" not in plain and "repaired" in plain and "BREACHED" in plain
