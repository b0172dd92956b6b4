"""The figures: percentiles and the table of RepairCase beside the bare baseline."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

CASES_RATE_TARGET = 0.8
UPDATE_P50_TARGET = 1.5
HOLD_RSS_TARGET_MIB = 1024.0


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile (share 0.5 is the median); NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


@dataclass(frozen=True)
class Row:
    metric: str
    repairdesk: float | None
    bare: float | None
    target: str = ""
    met: bool | None = None

    @property
    def ratio(self) -> float | None:
        if self.repairdesk is None or not self.bare:
            return None
        return self.repairdesk / self.bare


def _figure(value: float | None) -> str:
    if value is None or math.isnan(value):
        return "—"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}"


def _met(met: bool | None) -> str:
    return "" if met is None else ("yes" if met else "NO")


def table(rows: Sequence[Row]) -> str:
    """A Markdown table: metric | repairdesk | bare | ratio | target | met?"""
    lines = [
        "| metric | repairdesk | bare | ratio | target | met? |",
        "| --- | ---: | ---: | ---: | --- | --- |",
    ]
    for r in rows:
        ratio = "—" if r.ratio is None else f"{r.ratio:.2f}"
        cells = [r.metric, _figure(r.repairdesk), _figure(r.bare), ratio, r.target, _met(r.met)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
