"""Prometheus metrics: the SDK's under the names Temporal's dashboards query, and repairdesk's
own, scraped from `/metrics` as Prometheus would."""

from __future__ import annotations

import asyncio
import re
import socket
import urllib.request
import uuid
from pathlib import Path
from typing import Any

from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.archive.db import archive
from activities.archive.importer import import_equipment
from activities.archive.schema import CaseRecord
from activities.worker_metrics import CountOnce, metrics_runtime
from client.cases import act, open_case
from tests.conftest import make_settings
from tests.metrics_probe import FailOnce, MetricsProbe
from tests.ports import free_port
from tests.test_deploy import dashboard_metrics
from tests.worker_process import worker_process
from worker import build_worker
from workflows.messages import CaseRequest

SAMPLE = Path(__file__).parent.parent / "starter" / "data" / "sample-archive.csv"
SCRAPE_WITHIN_SECONDS = 20.0


async def scrape_until(address: str, *patterns: str) -> str:
    """The /metrics text once every pattern (a regex) matches a line of it."""
    text = ""
    for _ in range(int(SCRAPE_WITHIN_SECONDS / 0.25)):
        try:
            with urllib.request.urlopen(f"http://{address}/metrics", timeout=5) as answer:
                text = answer.read().decode()
        except OSError:
            text = ""
        if all(re.search(p, text, re.MULTILINE) for p in patterns):
            return text
        await asyncio.sleep(0.25)
    missing = [p for p in patterns if not re.search(p, text, re.MULTILINE)]
    raise AssertionError(f"/metrics lacks {missing}:\n{text[:3000]}")


# Only a case opened under v1.1 runs local activities; this test's case is a v1.2 one.
V1_1_ONLY = {"temporal_local_activity_execution_latency_seconds_bucket"}


def sdk_names_the_dashboard_queries() -> list[str]:
    queried = {name for name in dashboard_metrics() if name.startswith("temporal_")}
    assert queried >= V1_1_ONLY
    names = sorted(queried - V1_1_ONLY)
    assert "temporal_workflow_task_schedule_to_start_latency_seconds_bucket" in names
    return names


async def archived_as(database_url: str, case_id: str, status: str) -> None:
    """Wait for the archive's record of the case to reach `status` (an activity writes it)."""
    sessions = archive(database_url)
    for _ in range(int(SCRAPE_WITHIN_SECONDS / 0.1)):
        with sessions() as session:
            record = session.get(CaseRecord, case_id)
        if record is not None and record.status == status:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"case {case_id} not archived as {status}")


async def test_worker_process_serves_sdk_and_backlog_metrics(
    dev_env: WorkflowEnvironment, sqlite_url: str, task_queue: str, tmp_path: Path
) -> None:
    import_equipment(archive(sqlite_url), SAMPLE)
    metrics_address = f"127.0.0.1:{free_port()}"
    env = {
        "TEMPORAL_ADDRESS": dev_env.client.service_client.config.target_host,
        "REPAIRDESK_DATABASE_URL": sqlite_url,
        "REPAIRDESK_TASK_QUEUE": task_queue,
        "REPAIRDESK_METRICS_ADDRESS": metrics_address,
    }
    case_id = f"C-MET-{uuid.uuid4().hex[:8]}"
    request = CaseRequest(
        case_id=case_id, customer_id="CUST-7", equipment_serial="SN-42", fault="trips"
    )
    # Opened by an earlier worker, so the archive has a backlog when this one starts counting.
    async with build_worker(dev_env.client, make_settings(sqlite_url), task_queue):
        await open_case(dev_env.client, task_queue, request)
        await act(dev_env.client, case_id, "dispatch", {"technician_id": "T-3"})
        await archived_as(sqlite_url, case_id, "technician_dispatched")
    with worker_process(env, tmp_path / "worker.log"):
        await act(dev_env.client, case_id, "reply", {"by": "Wang", "message": "on our way"})
        await scrape_until(
            metrics_address,
            r"^temporal_request_total\{",
            *(rf"^{name}\{{" for name in sdk_names_the_dashboard_queries()),
            r"^repairdesk_notices_pending(\{.*\})? [1-9]",
            r"^repairdesk_finance_events_undelivered(\{.*\})? 0",
            r'^repairdesk_cases\{.*status="technician_dispatched".*\} 1',
        )


async def test_workflow_metrics_are_counted_with_their_labels(
    dev_env: WorkflowEnvironment, task_queue: str
) -> None:
    address = f"127.0.0.1:{free_port()}"
    client = await Client.connect(
        dev_env.client.service_client.config.target_host,
        data_converter=pydantic_data_converter,
        runtime=metrics_runtime(address),
    )
    counted = (
        r"^repairdesk_cases_opened_total\{.*workflow_type=\"MetricsProbe\".*\} (\d+)$",
        r"^repairdesk_sla_breaches_total\{.*sla=\"reply\".*\} (\d+)$",
        r"^repairdesk_actions_rejected_total\{.*action=\"arrive\".*\} (\d+)$",
        r"^repairdesk_sla_met_after_seconds_bucket\{.*sla=\"onsite\".*le=\"7200\"\} (\d+)$",
    )
    async with Worker(
        client,
        task_queue=task_queue,
        workflows=[MetricsProbe],
        max_cached_workflows=0,
        interceptors=[CountOnce(), FailOnce()],
    ):
        handle = await client.start_workflow(
            MetricsProbe.run, id=f"probe-{uuid.uuid4()}", task_queue=task_queue
        )
        await rejected_once_retried(handle)
        await handle.signal(MetricsProbe.finish)
        await handle.result()
        before = values(await scrape_until(address, *counted), counted)
        # A query on the closed workflow replays its whole history: nothing is counted again.
        await handle.query("__temporal_workflow_metadata")
        after = values(await scrape_until(address, *counted), counted)
    # Once each (contract v1.2), though the first workflow task failed and was retried.
    assert before == [1, 1, 1, 1] and after == before


async def rejected_once_retried(handle: WorkflowHandle[Any, Any]) -> None:
    """The rejected update, sent again while the server refuses updates to a workflow whose
    task failed (until the retried task completes)."""
    for _ in range(150):
        try:
            await handle.execute_update(MetricsProbe.arrive)
        except WorkflowUpdateFailedError:
            return
        except RPCError:
            await asyncio.sleep(0.2)
    raise AssertionError("the probe never took the update")


def values(text: str, patterns: tuple[str, ...]) -> list[int]:
    found = (re.search(p, text, re.MULTILINE) for p in patterns)
    return [int(match.group(1)) for match in found if match]


def test_a_taken_metrics_port_is_one_clear_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        address = f"127.0.0.1:{taken.getsockname()[1]}"
        env = {"REPAIRDESK_METRICS_ADDRESS": address, "REPAIRDESK_DATABASE_URL": "sqlite://"}
        with worker_process(env, tmp_path / "worker.log") as process:
            assert process.wait(60) == 1
    said = (tmp_path / "worker.log").read_text()
    assert f"repairdesk worker: REPAIRDESK_METRICS_ADDRESS={address}: " in said
    assert "Traceback" not in said
