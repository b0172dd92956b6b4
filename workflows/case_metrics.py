"""repairdesk's own workflow metrics, recorded through the workflow's metric meter.

`workflow.metric_meter()` is replay-safe: nothing is recorded while the worker replays history
(after a restart, or for a query). A workflow task that fails and is retried runs its new code
again without replaying, so each count also names its event in the run (the case opened, its
n-th breach, an update's id, the n-th signal), and the worker's `FIRST_TIME` function (an extern
function its interceptor provides, `activities/worker_metrics.CountOnce`) lets each event count
once in the worker's life. Without that interceptor (a test's worker) every call counts.
With `REPAIRDESK_METRICS_ADDRESS` set the worker serves them at `/metrics`, counters with the
`_total` suffix; every series also carries the SDK's `namespace`, `task_queue` and
`workflow_type` labels. Call these from workflow code only.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

FIRST_TIME = "repairdesk_first_time"  # the extern function: key -> not counted before


def _first_time(event: str) -> bool:
    first_time = workflow.extern_functions().get(FIRST_TIME)
    return first_time is None or bool(first_time(f"{workflow.info().run_id}/{event}"))


def case_opened() -> None:
    """`repairdesk_cases_opened_total`: a case was placed by the archive look-up."""
    if _first_time("opened"):
        workflow.metric_meter().create_counter(
            "repairdesk_cases_opened", "Repair cases opened"
        ).add(1)


def sla_breached(sla: str, index: int) -> None:
    """`repairdesk_sla_breaches_total{sla}`: `reply`, `onsite` or `repair_24h` was missed
    (the case's `index`-th breach)."""
    if _first_time(f"breach/{index}"):
        workflow.metric_meter().create_counter(
            "repairdesk_sla_breaches", "Service deadlines missed"
        ).add(1, {"sla": sla})


def misfit(action: str, event: str) -> None:
    """`repairdesk_actions_rejected_total{action}`: an update or signal that did not fit, named
    by `event` (`update/<update id>`, `signal/<n>`). Call it in the update validator before it
    raises (a rejected update leaves no history, so it is never replayed) and where a misfit
    signal is recorded in the timeline."""
    if _first_time(f"rejected/{event}"):
        workflow.metric_meter().create_counter(
            "repairdesk_actions_rejected", "Actions rejected as misfits"
        ).add(1, {"action": action})


def clock_met(sla: str, after: timedelta) -> None:
    """`repairdesk_sla_met_after_seconds{sla}`: how long after the report a clock was met
    (time to reply, time to on site, time to repair)."""
    if _first_time(f"met/{sla}"):
        workflow.metric_meter().create_histogram_timedelta(
            "repairdesk_sla_met_after", "Time from the report to the action that met a deadline"
        ).record(after, {"sla": sla})


def update_event() -> str:
    """The current update, as `misfit` names it."""
    info = workflow.current_update_info()
    return f"update/{info.id if info else 'unknown'}"
