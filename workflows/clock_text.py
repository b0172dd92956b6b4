"""A time shown to a person: in the zone the people agree on, the zone named by its IANA name.

`2026-11-24 16:00 Asia/Shanghai`: never `CST` (China, Cuba or the US Midwest?) and never a UTC
label on a local time. Used by the command line, the report, the letters and the workflow's UI
texts alike. Pure: give it a `ZoneInfo` (or the zone's name) and an aware datetime.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo


def shown_time(moment: datetime, zone: ZoneInfo | str) -> str:
    """`moment` to the minute in `zone`, followed by the zone's IANA name."""
    if moment.tzinfo is None:
        raise ValueError(f"{moment} has no zone: repairdesk keeps every time with its zone")
    local_zone = zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)
    return f"{moment.astimezone(local_zone):%Y-%m-%d %H:%M} {local_zone.key}"
