"""On a real Temporal dev server: the search attributes as the UI and `repairdesk list` see
them, and `repairdesk dev` starting and stopping the whole local stack.

The time-skipping test server has no visibility store, so these run on the `temporal` CLI's
dev server. Visibility is eventually consistent: every look-up polls, for at most 10 s.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shlex
import signal
import uuid
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import update
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from activities.archive.db import archive
from activities.archive.importer import import_equipment
from activities.archive.schema import Notice
from client.cases import CaseRow, act, list_cases, list_query, open_case
from starter.dev_server import port_in_use
from tests.conftest import make_settings, venv_binary
from tests.ports import free_port
from tests.test_cli import Cli, worker_logs_to_stderr
from worker import build_worker
from workflows.messages import CaseRequest, Status, Terms

SAMPLE = Path(__file__).parent.parent / "starter" / "data" / "sample-archive.csv"
VISIBLE_WITHIN_SECONDS = 10.0
# A reply deadline short enough to be missed while the test watches.
QUICK_TERMS = Terms(reply=timedelta(seconds=2))


async def cases_where(client: Client, query: str) -> list[CaseRow]:
    """The cases matching `query`, once visibility has caught up."""
    for _ in range(int(VISIBLE_WITHIN_SECONDS / 0.2)):
        if found := await list_cases(client, query, limit=10):
            return found
        await asyncio.sleep(0.2)
    raise AssertionError(f"no case matched {query!r} within {VISIBLE_WITHIN_SECONDS} s")


def request(case_id: str, serial: str, **flags: bool) -> CaseRequest:
    return CaseRequest(
        case_id=case_id, customer_id="CUST-7", equipment_serial=serial, fault="trips", **flags
    )


async def test_search_attributes_follow_the_case(
    dev_env: WorkflowEnvironment, sqlite_url: str, task_queue: str
) -> None:
    import_equipment(archive(sqlite_url), SAMPLE)
    client, run = dev_env.client, uuid.uuid4().hex[:6]
    on_site, late = f"C-{run}-A", f"C-{run}-B"
    async with build_worker(client, make_settings(sqlite_url, terms=QUICK_TERMS), task_queue):
        await open_case(client, task_queue, request(on_site, "SN-42", onsite_requested=True))
        await open_case(client, task_queue, request(late, "SN-43", emergency=True))
        await act(client, on_site, "reply", {"by": "Wang", "message": "on our way"})
        await act(client, on_site, "dispatch", {"technician_id": "T-3"})
        await act(client, on_site, "arrive", {"technician_id": "T-3"})

        mine = f"WorkflowId IN ('case-{on_site}', 'case-{late}')"
        [moved] = await cases_where(
            client,
            f"{list_query(Status.on_site, False, 'CUST-7')} AND {mine} AND TechnicianId = 'T-3' "
            "AND Coverage = 'in_warranty' AND Emergency = false",
        )
        [breached] = await cases_where(
            client,
            f"{list_query(None, True, 'CUST-7')} AND {mine} AND Emergency = true "
            "AND Coverage = 'post_warranty' AND CaseStatus = 'awaiting_reply'",
        )

    assert (moved.case_id, moved.technician_id, moved.equipment_serial) == (on_site, "T-3", "SN-42")
    assert (breached.case_id, breached.sla_breached, breached.emergency) == (late, True, True)


async def run(line: str, cwd: Path, env: dict[str, str]) -> str:
    """A `repairdesk` command line in its own process; its stdout, once it succeeded."""
    process = await asyncio.create_subprocess_exec(
        venv_binary("repairdesk"),
        *shlex.split(line),
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 20)
    assert process.returncode == 0, err.decode()
    return out.decode()


async def wait_for_line(stream: asyncio.StreamReader, text: str, seconds: float) -> None:
    async def scan() -> None:
        while line := await stream.readline():
            if text in line.decode():
                return
        raise AssertionError(f"`repairdesk dev` ended before printing {text!r}")

    await asyncio.wait_for(scan(), seconds)


async def test_list_undelivered_finds_the_cases_with_a_letter_not_delivered(
    dev_env: WorkflowEnvironment,
    sqlite_url: str,
    task_queue: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    worker_logs_to_stderr()
    sessions = archive(sqlite_url)
    import_equipment(sessions, SAMPLE)
    client, run = dev_env.client, uuid.uuid4().hex[:6]
    refused, fine = f"C-{run}-R", f"C-{run}-F"
    monkeypatch.setenv("TEMPORAL_ADDRESS", client.service_client.config.target_host)
    monkeypatch.setenv("REPAIRDESK_DATABASE_URL", sqlite_url)
    async with build_worker(client, make_settings(sqlite_url), task_queue):
        await open_case(client, task_queue, request(refused, "SN-42"))
        await open_case(client, task_queue, request(fine, "SN-43"))
        for _ in range(50):  # the opening letters are written just after the case is placed
            with sessions.begin() as session:  # as the relay marks a letter refused for good
                marked = session.execute(
                    update(Notice).where(Notice.case_id == refused).values(status="failed")
                ).rowcount
            if marked:
                break
            await asyncio.sleep(0.2)

        listed: list[str] = []
        for _ in range(int(VISIBLE_WITHIN_SECONDS / 0.2)):
            ran = await Cli(capsys)("list --undelivered --json")
            assert ran.code == 0, ran.err
            listed = [row["case_id"] for row in json.loads(ran.out)]
            if listed:
                break
            await asyncio.sleep(0.2)
    assert marked and listed == [refused]


async def test_repairdesk_dev_runs_the_stack_and_stops_cleanly(tmp_path: Path) -> None:
    port, ui_port, http_port = free_port(), free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEMPORAL_", "REPAIRDESK_"))}
    env["REPAIRDESK_HTTP_ADDRESS"] = f"127.0.0.1:{http_port}"
    with (tmp_path / "dev.err").open("wb") as dev_errors:
        dev = await asyncio.create_subprocess_exec(
            venv_binary("repairdesk"),
            *shlex.split(f"dev --port {port} --ui-port {ui_port}"),
            cwd=tmp_path,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=dev_errors,
        )
    try:
        assert dev.stdout
        await wait_for_line(dev.stdout, "Temporal UI", 30)
        await wait_for_line(dev.stdout, f"HTTP API      http://127.0.0.1:{http_port}/", 5)
        async with httpx.AsyncClient() as http:
            health = await http.get(f"http://127.0.0.1:{http_port}/healthz")
        assert health.json() == {"temporal": "ok", "archive": "ok"}
        to_dev = {**env, "TEMPORAL_ADDRESS": f"localhost:{port}"}
        await run(f"archive import {SAMPLE}", tmp_path, to_dev)
        opened = await run("open --customer CUST-7 --serial SN-42 --fault trips", tmp_path, to_dev)
        case_id = opened.strip()
        assert re.fullmatch(r"C-\d{8}-[0-9A-F]{4}", case_id)
        shown = await run(f"show {case_id}", tmp_path, to_dev)
        assert f"Case {case_id} · awaiting_reply" in shown

        dev.send_signal(signal.SIGINT)
        assert await asyncio.wait_for(dev.wait(), 20) == 0, (tmp_path / "dev.err").read_text()
    finally:
        if dev.returncode is None:  # a failed step: still stop the server it started
            dev.terminate()
            await asyncio.wait_for(dev.wait(), 20)
    assert not any(port_in_use(p) for p in (port, ui_port, http_port))
    assert (tmp_path / ".repairdesk" / "temporal.db").exists()
