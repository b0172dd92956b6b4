"""What one benchmark run measured, and the rows of its table."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from bench.hold import HoldResult
from bench.load import DriveResult
from bench.report import (
    CASES_RATE_TARGET,
    HOLD_RSS_TARGET_MIB,
    UPDATE_P50_TARGET,
    Row,
    percentile,
)
from bench.scenarios import CASE_STEPS

KINDS = ("repairdesk", "bare")
T = TypeVar("T")


@dataclass
class Measured:
    drives: dict[str, DriveResult] = field(default_factory=dict)
    rss_after_mib: dict[str, float] = field(default_factory=dict)
    holds: dict[str, HoldResult] = field(default_factory=dict)
    cache_sizes: dict[str, int | None] = field(default_factory=dict)


def pair(source: Mapping[str, T], value: Callable[[T], float]) -> tuple[float | None, float | None]:
    """The figure for RepairCase and for the bare baseline; None where it was not measured."""
    rd, bare = (value(source[k]) if k in source else None for k in KINDS)
    return rd, bare


def _ms(share: float) -> Callable[[DriveResult], float]:
    return lambda d: 1000 * percentile(d.all_updates, share)


def drive_rows(m: Measured) -> list[Row]:
    rate_rd, rate_bare = pair(m.drives, lambda d: d.rate)
    p50_rd, p50_bare = pair(m.drives, _ms(0.5))
    rows = [
        Row("cases/s, start to finish", rate_rd, rate_bare, f"≥ {CASES_RATE_TARGET} × bare",
            _at_least(rate_rd, rate_bare, CASES_RATE_TARGET)),
        Row("update round trip p50 (ms)", p50_rd, p50_bare, f"≤ {UPDATE_P50_TARGET} × bare",
            _at_most(p50_rd, p50_bare, UPDATE_P50_TARGET)),
        Row("update round trip p99 (ms)", *pair(m.drives, _ms(0.99))),
    ]  # fmt: skip
    bare = m.drives.get("bare")
    for name, _ in CASE_STEPS if "repairdesk" in m.drives else ():
        times = m.drives["repairdesk"].updates[name]
        base = bare.all_updates if bare else []
        for share, label in ((0.5, "p50"), (0.99, "p99")):
            b = 1000 * percentile(base, share) if base else None
            rows.append(Row(f"  `{name}` {label} (ms)", 1000 * percentile(times, share), b))
    rows.append(Row("worker RSS after the run (MiB)", *pair(m.rss_after_mib, float)))
    return rows


def hold_rows(m: Measured) -> list[Row]:
    if not m.holds:
        return []
    held = max(h.open_cases for h in m.holds.values())
    rss_rd, rss_bare = pair(m.holds, lambda h: h.rss_mib)
    target_met = None if rss_rd is None else rss_rd <= HOLD_RSS_TARGET_MIB
    return [
        Row(f"worker RSS holding {held:,} open (MiB)", rss_rd, rss_bare,
            f"≤ {HOLD_RSS_TARGET_MIB:,.0f} MiB", target_met),
        Row("worker peak RSS (VmHWM) in the hold (MiB)", *pair(m.holds, lambda h: h.peak_mib)),
        Row("worker RSS idle, before the hold (MiB)", *pair(m.holds, lambda h: h.idle_rss_mib)),
        Row("seconds to start and place them all", *pair(m.holds, lambda h: h.placed_seconds)),
    ]  # fmt: skip


def _at_least(value: float | None, base: float | None, share: float) -> bool | None:
    return None if value is None or not base else value >= share * base


def _at_most(value: float | None, base: float | None, times: float) -> bool | None:
    return None if value is None or not base else value <= times * base
