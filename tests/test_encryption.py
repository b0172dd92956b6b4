"""With REPAIRDESK_PAYLOAD_KEYS, Temporal's history holds no contact detail or fault text,
while `repairdesk show` and the remote codec endpoint read them; keys rotate under an open case.

On the dev server, as an operator would see it: `temporal workflow show -o json`.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from activities.archive.db import archive
from activities.archive.importer import import_equipment
from activities.encryption import ENCODING, KEY_ID, EncryptionCodec, new_key_entry, parse_keys
from client.cases import act, open_case
from client.connection import connect
from starter.cli import main
from starter.dev import codec_endpoint
from starter.dev_server import DevServer
from tests.codec_app import codec_client
from tests.conftest import make_settings, venv_binary
from worker import build_worker
from workflows.messages import CaseRequest, CaseState, Contact, Status

SAMPLE = Path(__file__).parent.parent / "starter" / "data" / "sample-archive.csv"
KEY_A, KEY_B = new_key_entry("2026-a"), new_key_entry("2026-b")
FAULT = "Compressor knocks loudly beside the cold room door"
CONTACT = Contact(name="Zhang Xiuying", phone="+86 10 5555 0177", email="zxy@example.com")
SECRETS = [FAULT, CONTACT.name, CONTACT.phone, CONTACT.email, "Meet at the north gate"]


def payloads_in(node: Any) -> Iterator[dict[str, Any]]:
    """Every payload-shaped object (`metadata` and `data`) in a JSON history, but those plain
    by design: the search attributes (Temporal indexes them; they hold no personal data) and
    the SDK's own bookkeeping in markers (a local activity's sequence number, type and
    attempt; the `repairdesk-1.1` patch id). A local activity's `result` is repairdesk's and
    is encrypted."""
    if isinstance(node, dict):
        if "metadata" in node and "data" in node:
            yield node
        if "markerName" in node:
            yield from payloads_in(node.get("details", {}).get("result"))
            return
        for key, value in node.items():
            if key != "searchAttributes":
                yield from payloads_in(value)
    elif isinstance(node, list):
        for value in node:
            yield from payloads_in(value)


def base64_texts(history: str) -> str:
    """Every base64 string of the history decoded, where plain JSON payloads would show."""
    found = re.findall(r'"([A-Za-z0-9+/]{8,}={0,2})"', history)
    return "\n".join(
        base64.b64decode(text).decode(errors="replace") for text in found if len(text) % 4 == 0
    )


async def no_activity_in_flight(client: Client, workflow_id: str) -> None:
    """Wait until the case's letters and archive writes are done, so the worker stops idle: a
    task handed to a worker in the instant it stops waits out its start-to-close timeout."""
    for _ in range(100):
        described = await client.get_workflow_handle(workflow_id).describe()
        if not described.raw_description.pending_activities:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{workflow_id} still has activities in flight")


def history_json(address: str, case_id: str) -> str:
    shown = subprocess.run(
        [venv_binary("temporal"), "workflow", "show", "--address", address]
        + ["--workflow-id", f"case-{case_id}", "--output", "json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return shown.stdout


async def test_history_is_unreadable_and_keys_rotate_under_an_open_case(
    dev_env: WorkflowEnvironment,
    sqlite_url: str,
    task_queue: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import_equipment(archive(sqlite_url), SAMPLE)
    address = dev_env.client.service_client.config.target_host
    case_id = f"C-ENC-{uuid.uuid4().hex[:8]}"

    before = make_settings(sqlite_url, temporal_address=address, payload_keys=parse_keys(KEY_A))
    client = await connect(before)
    async with build_worker(client, before, task_queue):
        request = CaseRequest(
            case_id=case_id,
            customer_id="CUST-7",
            equipment_serial="SN-42",
            fault=FAULT,
            onsite_requested=True,
            contact=CONTACT,
        )
        await open_case(client, task_queue, request)
        await act(client, case_id, "reply", {"by": "Wang", "message": "Meet at the north gate"})
        await act(client, case_id, "dispatch", {"technician_id": "T-3"})
        await no_activity_in_flight(client, f"case-{case_id}")

    rotated = make_settings(
        sqlite_url, temporal_address=address, payload_keys=parse_keys(f"{KEY_B},{KEY_A}")
    )
    client = await connect(rotated)
    async with build_worker(client, rotated, task_queue):
        await act(client, case_id, "arrive", {"technician_id": "T-3"})
        await act(client, case_id, "repaired", {"technician_id": "T-3", "cause": "wear_and_tear"})
        handle = client.get_workflow_handle(f"case-{case_id}", result_type=CaseState)
        final = await handle.result()
        monkeypatch.setenv("TEMPORAL_ADDRESS", address)
        monkeypatch.setenv("REPAIRDESK_PAYLOAD_KEYS", f"{KEY_B},{KEY_A}")
        with pytest.raises(SystemExit) as shown_with:  # a query: the worker must be up
            await asyncio.to_thread(main, ["show", case_id])
    assert shown_with.value.code == 0
    shown = capsys.readouterr().out
    assert FAULT in shown and "repaired" in shown
    assert final.status is Status.repaired and final.contact == CONTACT

    history = history_json(address, case_id)
    assert not [secret for secret in SECRETS if secret in history]
    assert not [secret for secret in SECRETS if secret in base64_texts(history)]
    found = list(payloads_in(json.loads(history)))
    encodings = {base64.b64decode(p["metadata"]["encoding"]) for p in found}
    assert encodings == {ENCODING}, "every payload in the history is encrypted"
    assert {base64.b64decode(p["metadata"][KEY_ID]) for p in found} == {b"2026-a", b"2026-b"}

    async with codec_client(EncryptionCodec(parse_keys(f"{KEY_B},{KEY_A}"))) as codec:
        answer = await codec.post(
            "/codec/decode",
            json={"payloads": found},
            headers={"Authorization": "Bearer t-manager", "X-Namespace": "default"},
        )
    decoded = answer.json()["payloads"]
    plain = b"".join(base64.b64decode(p.get("data", "")) for p in decoded).decode()
    assert all(secret in plain for secret in SECRETS)


async def test_a_raw_clients_plain_json_is_still_read(
    dev_env: WorkflowEnvironment, sqlite_url: str, task_queue: str
) -> None:
    import_equipment(archive(sqlite_url), SAMPLE)
    address = dev_env.client.service_client.config.target_host
    keyed = make_settings(sqlite_url, temporal_address=address, payload_keys=parse_keys(KEY_A))
    client = await connect(keyed)
    case_id = f"C-RAW-{uuid.uuid4().hex[:8]}"
    async with build_worker(client, keyed, task_queue):
        raw = dev_env.client  # no codec: what `temporal workflow start --input '{...}'` sends
        handle = await raw.start_workflow(
            "RepairCase",
            {
                "case_id": case_id,
                "customer_id": "CUST-7",
                "equipment_serial": "SN-42",
                "fault": "x",
            },
            id=f"case-{case_id}",
            task_queue=task_queue,
        )
        await handle.signal("cancel", {"by": "Li Wei", "reason": "fixed it ourselves"})
        final = await client.get_workflow_handle(handle.id, result_type=CaseState).result()
    assert final.status is Status.cancelled


def test_dev_gives_the_ui_the_codec_endpoint_when_keys_are_set() -> None:
    keyed = make_settings("sqlite://", payload_keys=parse_keys(KEY_A), http_address="0.0.0.0:8080")
    assert codec_endpoint(keyed) == "http://localhost:8080/codec"
    assert codec_endpoint(make_settings("sqlite://")) is None
    server = DevServer(7233, 8233, "default", Path("/tmp"), codec_endpoint(keyed))
    line = server.command()
    assert line[line.index("--ui-codec-endpoint") + 1] == "http://localhost:8080/codec"


async def test_a_terminal_without_the_key_is_told_which_key_it_lacks(
    dev_env: WorkflowEnvironment,
    sqlite_url: str,
    task_queue: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import_equipment(archive(sqlite_url), SAMPLE)
    address = dev_env.client.service_client.config.target_host
    keyed = make_settings(sqlite_url, temporal_address=address, payload_keys=parse_keys(KEY_A))
    client = await connect(keyed)
    case_id = f"C-KEY-{uuid.uuid4().hex[:8]}"
    request = CaseRequest(
        case_id=case_id, customer_id="CUST-7", equipment_serial="SN-42", fault=FAULT
    )
    async with build_worker(client, keyed, task_queue):
        await open_case(client, task_queue, request)
        monkeypatch.setenv("TEMPORAL_ADDRESS", address)
        monkeypatch.setenv("REPAIRDESK_PAYLOAD_KEYS", KEY_B)
        with pytest.raises(SystemExit) as shown_with:
            await asyncio.to_thread(main, ["show", case_id])
    assert shown_with.value.code != 0
    said = capsys.readouterr().err
    assert "'2026-a'" in said and "REPAIRDESK_PAYLOAD_KEYS" in said, said
