"""Times shown to people: in the configured zone, named by its IANA name, never a bare "UTC"
or "CST" label on a local time. Pure: no clock is read."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from zoneinfo import ZoneInfo

DEFAULT_ZONE = "Asia/Shanghai"


@cache
def zone(name: str | None) -> ZoneInfo:
    return ZoneInfo(name or DEFAULT_ZONE)


def shown(moment: datetime | None, zone_name: str | None, seconds: bool = False) -> str:
    """`2026-11-24 16:00 Asia/Shanghai`; a dash for no time."""
    if moment is None:
        return "—"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(zone(zone_name))
    return f"{local.strftime('%Y-%m-%d %H:%M:%S' if seconds else '%Y-%m-%d %H:%M')} {local.tzinfo}"
