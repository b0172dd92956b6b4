"""Fuzzing a live IpDispute with its actions, valid and subtly invalid, as plain JSON from a raw
client (updates and signals), and its input at start. REPAIRDESK_FUZZ_EXAMPLES as for cases."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from temporalio.client import Client, WorkflowExecutionStatus

from tests.fuzz_harness import (
    Handle,
    completed,
    healthy,
    new_rejections,
    placed,
    raw_client,
    refusal,
    signal_applied,
    state,
    time_skipping_server,
    unique,
    without_rejections,
)
from tests.ip_fakes import ip_desk
from tests.payloads import DISPUTE_ACTIONS, DISPUTE_REQUEST
from tests.strategies import EXAMPLES, invalid, valid

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
COMPLETED = WorkflowExecutionStatus.COMPLETED
KNOWN = {
    ("CUST-7", "SN-42"),
    ("CUST-7", "SN-43"),
    ("CUST-7", None),
    ("CUST-8", "SN-50"),
    ("CUST-8", None),
}


class Office:
    def __init__(self, client: Client, task_queue: str) -> None:
        self.client, self.task_queue, self.opened = client, task_queue, []

    async def start(self, request: Any, dispute_id: str) -> Handle:
        handle = await self.client.start_workflow(
            "IpDispute", request, id=f"ip-{dispute_id}", task_queue=self.task_queue
        )
        self.opened.append(handle)
        return handle

    async def open(self) -> Handle:
        dispute_id = unique("IP")
        request = {
            "dispute_id": dispute_id, "customer_id": "CUST-7", "equipment_serial": "SN-42",
            "claimant": "Acme GmbH", "right": "patent", "description": "Firmware",
        }  # fmt: skip
        handle = await self.start(request, dispute_id)
        await placed(handle)
        return handle


@pytest.fixture(scope="module")
async def office() -> AsyncIterator[Office]:
    async with time_skipping_server() as env:
        task_queue = unique("fuzz-disputes")
        async with ip_desk(env, task_queue):
            o = Office(raw_client(env), task_queue)
            yield o
            for handle in o.opened:
                await healthy(handle, COMPLETED, WorkflowExecutionStatus.TERMINATED)


@pytest.fixture(scope="module")
async def live_dispute(office: Office) -> Handle:
    return await office.open()


@pytest.mark.parametrize("name", sorted(DISPUTE_ACTIONS))
@FUZZ
@given(data=st.data())
async def test_an_invalid_dispute_action_is_refused_and_changes_nothing(live_dispute, name, data):
    broken = data.draw(invalid(DISPUTE_ACTIONS[name]))
    note(repr(broken)[:2000])
    before = await state(live_dispute)
    reason = await refusal(live_dispute, name, broken.payload)
    assert broken.field in reason, reason
    assert await state(live_dispute) == before
    await signal_applied(live_dispute, name, broken.payload, barrier="note")
    after = await state(live_dispute)
    assert without_rejections(after) == without_rejections(before)
    assert len(new_rejections(before, after)) <= 1
    assert reason in [e["detail"] for e in after["timeline"] if e["kind"] == "rejected"]


def untimed(found: dict[str, Any]) -> dict[str, Any]:
    entries = [{k: v for k, v in e.items() if k != "at"} for e in found["timeline"]]
    outcome = {k: v for k, v in (found["outcome"] or {}).items() if k != "at"}
    return {**found, "timeline": entries, "outcome": outcome}


@FUZZ
@given(name=st.sampled_from(sorted(DISPUTE_ACTIONS)), data=st.data(), as_update=st.booleans())
async def test_a_valid_dispute_action_is_taken(office, name, data, as_update):
    payload = data.draw(valid(DISPUTE_ACTIONS[name]))
    handle = await office.open()
    if as_update:
        answer = await handle.execute_update(name, payload)
        # Compared without times: read after the dispute ended (replayed from history), the
        # test server's timeline times can differ from the live answer's (see
        # docs/reliability.md, Inputs).
        assert untimed(answer) == untimed(await state(handle))
    else:
        await handle.signal(name, payload)
    if name == "note":
        await refusal(handle, "note", None)
        assert "note" in [e["kind"] for e in (await state(handle))["timeline"]]
        await healthy(handle)
        return
    await completed(handle)
    assert (await state(handle))["status"] == {"settle": "settled", "withdraw": "withdrawn"}[name]


@FUZZ
@given(broken=invalid(DISPUTE_REQUEST))
async def test_an_invalid_dispute_input_ends_it_rejected_with_its_errors(office, broken):
    note(repr(broken)[:2000])
    dispute_id = unique("IP")
    if isinstance(broken.payload, dict) and broken.field not in ("dispute_id", "payload"):
        broken.payload["dispute_id"] = dispute_id
    handle = await office.start(broken.payload, dispute_id)
    found = await placed(handle)
    assert found["status"] == "rejected"
    errors = found["outcome"]["errors"]
    assert errors, found["outcome"]
    if broken.field != "payload":
        assert broken.field in [e["field"].split(".")[0] for e in errors], errors
    await completed(handle)


@FUZZ
@given(request=valid(DISPUTE_REQUEST))
async def test_a_valid_dispute_input_opens_it_or_the_archive_refuses_it(office, request):
    dispute_id = request["dispute_id"] = unique(request["dispute_id"][:20])
    handle = await office.start(request, dispute_id)
    found = await placed(handle)
    known = (request["customer_id"], request.get("equipment_serial")) in KNOWN
    assert found["status"] == ("open" if known else "rejected"), found["outcome"]
    assert not (found["outcome"] or {}).get("errors")
    await healthy(handle, COMPLETED)
    if known:
        await handle.terminate("fuzzed")
