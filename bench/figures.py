"""What one benchmark run measured, and its three tables: RepairCase beside the bare workflow
(with the CPU time per case that explains the rate), the open-case holds, and the issue's
targets met or not."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from bench.history import HistorySize
from bench.hold import HoldResult
from bench.load import DriveResult
from bench.report import figure, mean, met, percentile, ratio, table
from bench.scenarios import CASE_STEPS

REPAIRDESK, BARE = "repairdesk", "bare"
UP, DOWN = "repairdesk, SMTP and finance up", "repairdesk, SMTP and finance down"
# The drives of RepairCase with somewhere to deliver, and how their rows are labelled.
DELIVERY = ((UP, "SMTP and finance up"), (DOWN, "SMTP and finance down"))
WORKER, SERVER = "worker", "server"  # whose CPU time

RATE_TARGET = 0.8  # × bare, at least
UPDATE_P50_TARGET = 1.5  # × bare, at most
UPDATE_P99_TARGET = 3.0
HISTORY_EVENTS_TARGET = 3.0
HISTORY_KIB_TARGET = 48.0
HOLD_RSS_TARGET_MIB = 1024.0
FLAT_TOLERANCE = 1.25  # per-case RSS at the largest hold within 1.25× the smallest per-case
BREACH_LATE_TARGET = 1.0  # seconds after due, at most
RESULT_TARGET = 1.5  # last update -> result p99 with delivery down, × the normal p99


@dataclass
class Measured:
    drives: dict[str, DriveResult] = field(default_factory=dict)
    rss_after_mib: dict[str, float] = field(default_factory=dict)
    histories: dict[str, list[HistorySize]] = field(default_factory=dict)
    holds: dict[int, HoldResult] = field(default_factory=dict)
    cache_sizes: dict[str, int | None] = field(default_factory=dict)
    # CPU seconds of each counted drive, by WORKER and SERVER (absent when not found)
    cpu_seconds: dict[str, dict[str, float]] = field(default_factory=dict)

    def updates(self, label: str, share: float, step: str | None = None) -> float:
        drive = self.drives.get(label)
        if drive is None:
            return math.nan
        times = drive.updates[step] if step else drive.all_updates
        return 1000 * percentile(times, share)

    def result_wait(self, label: str, share: float) -> float:
        drive = self.drives.get(label)
        return 1000 * percentile(drive.result_waits, share) if drive else math.nan

    def rate(self, label: str) -> float:
        return self.drives[label].rate if label in self.drives else math.nan

    def history(self, label: str, value: Callable[[HistorySize], float]) -> float:
        return mean([value(h) for h in self.histories.get(label, [])])

    def history_kib(self, label: str) -> float:
        return self.history(label, lambda h: h.json_bytes / 1024)

    def history_server_kib(self, label: str) -> float:
        return self.history(label, lambda h: h.server_bytes / 1024)

    def history_events(self, label: str) -> float:
        return self.history(label, lambda h: h.events)

    def cpu_ms_per_case(self, label: str, *processes: str) -> float:
        """CPU milliseconds per driven case, summed over `processes`; NaN when one is missing."""
        drive, used = self.drives.get(label), self.cpu_seconds.get(label, {})
        if drive is None or not drive.cases or any(p not in used for p in processes):
            return math.nan
        return 1000 * sum(used[p] for p in processes) / drive.cases


def _row(metric: str, rd: float, bare: float) -> list[str]:
    r = ratio(rd, bare)
    return [metric, figure(rd), figure(bare), "—" if r is None else f"{r:.2f}"]


def beside_bare(m: Measured) -> str:
    rows = [
        _row("cases/s, start to finish", m.rate(REPAIRDESK), m.rate(BARE)),
        _row("update round trip p50 (ms)", m.updates(REPAIRDESK, 0.5), m.updates(BARE, 0.5)),
        _row("update round trip p99 (ms)", m.updates(REPAIRDESK, 0.99), m.updates(BARE, 0.99)),
    ]
    for step, _ in CASE_STEPS:
        for share, label in ((0.5, "p50"), (0.99, "p99")):
            rd, bare = m.updates(REPAIRDESK, share, step), m.updates(BARE, share, step)
            rows.append(_row(f"  `{step}` {label} (ms)", rd, bare))
    for share, label in ((0.5, "p50"), (0.99, "p99")):
        rd, bare = m.result_wait(REPAIRDESK, share), m.result_wait(BARE, share)
        rows.append(_row(f"last update → result {label} (ms)", rd, bare))
        for drive, delivery in DELIVERY:
            if drive in m.drives:
                rows.append(
                    _row(f"  same, {delivery} {label} (ms)", m.result_wait(drive, share), bare)
                )
    rows += [
        _row("history of a finished case: events (mean)",
             m.history_events(REPAIRDESK), m.history_events(BARE)),
        _row("history of a finished case: JSON KiB (mean)",
             m.history_kib(REPAIRDESK), m.history_kib(BARE)),
        _row("history of a finished case: server's count, KiB (mean)",
             m.history_server_kib(REPAIRDESK), m.history_server_kib(BARE)),
        _row("worker RSS after the drive (MiB)",
             m.rss_after_mib.get(REPAIRDESK, math.nan), m.rss_after_mib.get(BARE, math.nan)),
    ]  # fmt: skip
    for drive, delivery in DELIVERY:
        if drive in m.drives:
            rows.append(_row(f"cases/s, {delivery}", m.rate(drive), m.rate(BARE)))
    rows += _cpu_rows(m)
    return table(["metric", "repairdesk", "bare", "ratio"], rows)


def _cpu_rows(m: Measured) -> list[list[str]]:
    """CPU time per case of the worker, the server and both, during the counted drives."""
    rows = []
    for name, processes in ((WORKER, (WORKER,)), (SERVER, (SERVER,)), ("total", (WORKER, SERVER))):
        rd, bare = (m.cpu_ms_per_case(label, *processes) for label in (REPAIRDESK, BARE))
        rows.append(_row(f"{name} CPU per case (ms)", rd, bare))
        for drive, delivery in DELIVERY:
            if drive in m.drives:
                used = m.cpu_ms_per_case(drive, *processes)
                rows.append(_row(f"  same, {delivery} (ms)", used, bare))
    return rows


def per_case_kib(h: HoldResult) -> float:
    """RSS per case the worker holds (placed), in KiB."""
    return 1024 * h.rss_mib / h.placed if h.placed else math.nan


def holds(m: Measured) -> str:
    rows, before = [], None
    for _, h in sorted(m.holds.items()):
        if before is None:
            step = "—"
        else:
            grown = (h.rss_mib - before.rss_mib) * 1024 / max(1, h.placed - before.placed)
            step = figure(grown)
        rows.append([
            f"{h.open_cases:,}", figure(h.idle_rss_mib), figure(h.rss_mib), figure(h.peak_mib),
            figure(per_case_kib(h)), step, f"{h.placed:,}", f"{h.placed_seconds:,.0f}",
            f"{h.probes_breached:,} of {h.probes:,}",
            *(figure(1000 * percentile(h.lateness, s)) for s in (0.5, 0.99, 1.0)),
        ])  # fmt: skip
        before = h
    header = [
        "open cases", "idle RSS MiB", "RSS MiB", "peak MiB", "RSS/case KiB",
        "KiB/case since the size above", "placed", "s to place", "probes breached",
        "probe noticed−due p50 ms", "probe p99 ms", "probe max ms",
    ]  # fmt: skip
    return table(header, rows)


def _at_most(value: float, limit: float) -> bool | None:
    return None if math.isnan(value) or math.isnan(limit) else value <= limit


def targets(m: Measured) -> str:
    rate, rate_bare = m.rate(REPAIRDESK), m.rate(BARE)
    p50, p50_bare = m.updates(REPAIRDESK, 0.5), m.updates(BARE, 0.5)
    p99, p99_bare = m.updates(REPAIRDESK, 0.99), m.updates(BARE, 0.99)
    events, events_bare = m.history_events(REPAIRDESK), m.history_events(BARE)
    kib = m.history_kib(REPAIRDESK)
    down, normal = m.result_wait(DOWN, 0.99), m.result_wait(REPAIRDESK, 0.99)
    rows = [
        ["start-to-finish rate ≥ 0.8× bare", f"{ratio(rate, rate_bare) or math.nan:.2f}×",
         met(_at_most(RATE_TARGET * rate_bare, rate))],
        ["update p50 ≤ 1.5× bare", f"{ratio(p50, p50_bare) or math.nan:.2f}×",
         met(_at_most(p50, UPDATE_P50_TARGET * p50_bare))],
        ["update p99 ≤ 3× bare", f"{ratio(p99, p99_bare) or math.nan:.2f}×",
         met(_at_most(p99, UPDATE_P99_TARGET * p99_bare))],
        ["history ≤ 3× bare events", f"{ratio(events, events_bare) or math.nan:.2f}×",
         met(_at_most(events, HISTORY_EVENTS_TARGET * events_bare))],
        ["history ≤ 48 KiB", f"{figure(kib)} KiB", met(_at_most(kib, HISTORY_KIB_TARGET))],
    ]  # fmt: skip
    if m.holds:
        sizes = sorted(m.holds)
        largest = m.holds[sizes[-1]]
        smallest = min(per_case_kib(m.holds[s]) for s in sizes[:-1]) if len(sizes) > 1 else None
        late = max(largest.lateness) if largest.lateness else math.nan
        all_breached = largest.probes_breached == largest.probes > 0
        all_placed = largest.placed == largest.open_cases
        rows += [
            [f"{largest.open_cases:,} open cases in ≤ 1 GiB RSS",
             f"{figure(largest.rss_mib)} MiB ({largest.placed:,} placed)",
             met(largest.rss_mib <= HOLD_RSS_TARGET_MIB and all_placed)],
            [f"cost per case flat {sizes[0]:,} → {largest.open_cases:,} "
             f"(≤ {FLAT_TOLERANCE}× the lowest per-case RSS of a smaller size)",
             f"{figure(per_case_kib(largest))} KiB vs {figure(smallest)} KiB",
             met(None if smallest is None
                 else all_placed and per_case_kib(largest) <= FLAT_TOLERANCE * smallest)],
            [f"breach noticed ≤ 1 s after due at {largest.open_cases:,} open (max of its probes)",
             f"{figure(1000 * late)} ms "
             f"({largest.probes_breached:,} of {largest.probes:,} probes breached)",
             met(_at_most(late, BREACH_LATE_TARGET) if all_breached else False)],
        ]  # fmt: skip
    if DOWN in m.drives:
        rows.append([
            "result at once with SMTP and finance down (last update → result p99 ≤ 1.5× normal)",
            f"{figure(down)} ms vs {figure(normal)} ms",
            met(_at_most(down, RESULT_TARGET * normal)),
        ])  # fmt: skip
    return table(["target (issue 10)", "measured", "met?"], rows)
