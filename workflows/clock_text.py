"""Times shown to people: in the configured zone, named by its IANA name, never a bare "UTC"
or "CST" label on a local time; in a zone with daylight saving, with the UTC offset too, so the
hour that repeats when the clocks go back is told apart. Pure: no clock is read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

DEFAULT_ZONE = "Asia/Shanghai"


@cache
def zone(name: str | None) -> ZoneInfo:
    return ZoneInfo(name or DEFAULT_ZONE)


@cache
def keeps_daylight_saving(zone_name: str | None, year: int) -> bool:
    """Whether the zone's offset changes during `year` (its clocks go forward and back)."""
    here = zone(zone_name)
    offsets = {
        datetime(year, month, 1, tzinfo=UTC).astimezone(here).utcoffset() for month in (1, 4, 7, 10)
    }
    return len(offsets) > 1


def shown(moment: datetime | None, zone_name: str | None, seconds: bool = False) -> str:
    """`2026-11-24 16:00 Asia/Shanghai`, or `2026-10-25 02:15 +01:00 Europe/Berlin` in a zone
    with daylight saving; a dash for no time."""
    if moment is None:
        return "—"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(zone(zone_name))
    return f"{wall_clock(local, zone_name, seconds)} {local.tzinfo}"


def wall_clock(local: datetime, zone_name: str | None, seconds: bool = False) -> str:
    """`local` (a time in the zone `zone_name`) as its wall clock reads, with the UTC offset in
    a zone with daylight saving: `2026-10-25 02:15 +01:00`."""
    text = local.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")
    if keeps_daylight_saving(zone_name, local.year):
        text += f" {_offset(local.utcoffset() or timedelta(0))}"
    return text


def _offset(offset: timedelta) -> str:
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def local_time_problem(wall: datetime, zone_name: str | None) -> str | None:
    """Why a wall-clock time typed without a zone names no single moment in the zone: the hour
    skipped when the clocks go forward, or the hour that repeats when they go back."""
    here = zone(zone_name)
    first, second = wall.replace(tzinfo=here, fold=0), wall.replace(tzinfo=here, fold=1)
    if first.utcoffset() == second.utcoffset():
        return None
    round_trip = first.astimezone(UTC).astimezone(here).replace(tzinfo=None)
    if round_trip != wall:
        return f"{wall:%Y-%m-%d %H:%M} does not exist in {here.key} (the clocks go forward then)"
    return (
        f"{wall:%Y-%m-%d %H:%M} happens twice in {here.key} (the clocks go back then): "
        f"write it with its offset, {first.isoformat()} or {second.isoformat()}"
    )
