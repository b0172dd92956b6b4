"""repairdesk's own workflow metrics, recorded through the workflow's metric meter.

`workflow.metric_meter()` is replay-safe: nothing is recorded while the worker replays history
(after a restart, or for a query), so each case is counted once however often it is replayed.
With `REPAIRDESK_METRICS_ADDRESS` set the worker serves them at `/metrics`, counters with the
`_total` suffix; every series also carries the SDK's `namespace`, `task_queue` and
`workflow_type` labels. Call these from workflow code only.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow


def case_opened() -> None:
    """`repairdesk_cases_opened_total`: a case was placed by the archive look-up."""
    workflow.metric_meter().create_counter("repairdesk_cases_opened", "Repair cases opened").add(1)


def sla_breached(sla: str) -> None:
    """`repairdesk_sla_breaches_total{sla}`: `reply`, `onsite` or `repair_24h` was missed."""
    workflow.metric_meter().create_counter(
        "repairdesk_sla_breaches", "Service deadlines missed"
    ).add(1, {"sla": sla})


def action_rejected(action: str) -> None:
    """`repairdesk_actions_rejected_total{action}`: an update or signal that did not fit. Call
    it in the update validator before it raises (a rejected update leaves no history, so it is
    never replayed) and where a misfit signal is recorded in the timeline."""
    workflow.metric_meter().create_counter(
        "repairdesk_actions_rejected", "Actions rejected as misfits"
    ).add(1, {"action": action})


def clock_met(sla: str, after: timedelta) -> None:
    """`repairdesk_sla_met_after_seconds{sla}`: how long after the report a clock was met
    (time to reply, time to on site, time to repair)."""
    workflow.metric_meter().create_histogram_timedelta(
        "repairdesk_sla_met_after", "Time from the report to the action that met a deadline"
    ).record(after, {"sla": sla})
