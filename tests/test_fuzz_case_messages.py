"""Fuzzing a live RepairCase with every action, valid and subtly invalid, as plain JSON from a
raw client: as updates and as signals; and `CaseRequest` at start.

One test server and one worker serve the module; REPAIRDESK_FUZZ_EXAMPLES sets how many inputs
each test tries (default 40: the module takes well under a minute).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowUpdateFailedError

from tests.fuzz_harness import (
    Handle,
    completed,
    healthy,
    misfit_reason,
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
from tests.payloads import CASE_ACTIONS, CASE_REQUEST, REPORTED_AGO
from tests.strategies import EXAMPLES, Broken, invalid, iso, now, valid
from tests.workflow_harness import desk

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
COMPLETED = WorkflowExecutionStatus.COMPLETED
ENDED = ("repaired", "third_party", "cancelled", "rejected")


class Desk:
    def __init__(self, client: Client, task_queue: str) -> None:
        self.client, self.task_queue, self.opened = client, task_queue, []

    async def start(self, request: Any, case_id: str) -> Handle:
        handle = await self.client.start_workflow(
            "RepairCase", request, id=f"case-{case_id}", task_queue=self.task_queue
        )
        self.opened.append(handle)
        return handle

    async def late(self) -> Handle:
        """A case reported 4 h ago: its reply and on-site clocks are missed."""
        case_id = unique("C")
        request = {
            "case_id": case_id, "customer_id": "CUST-7", "equipment_serial": "SN-42",
            "fault": "Chiller trips", "onsite_requested": True,
            "reported_at": iso(now() - REPORTED_AGO),
        }  # fmt: skip
        handle = await self.start(request, case_id)
        await placed(handle)
        return handle

    async def on_site(self) -> Handle:
        """A late case with technician T-3 on site."""
        handle = await self.late()
        await handle.execute_update("reply", {"by": "Zhang", "message": "On it"})
        await handle.execute_update("dispatch", {"technician_id": "T-3"})
        await handle.execute_update("arrive", {"technician_id": "T-3"})
        return handle


@pytest.fixture(scope="module")
async def cases() -> AsyncIterator[Desk]:
    async with time_skipping_server() as env:
        task_queue = unique("fuzz-cases")
        async with desk(env, task_queue):
            d = Desk(raw_client(env), task_queue)
            yield d
            for handle in d.opened:
                await healthy(handle, COMPLETED, WorkflowExecutionStatus.TERMINATED)


@pytest.fixture(scope="module")
async def live_case(cases: Desk) -> Handle:
    return await cases.on_site()


async def misfit_changes_nothing(handle: Handle, name: str, broken: Broken, barrier: str) -> None:
    """Refused as an update with the reason, recorded as a signal; nothing else changes."""
    before = await state(handle)
    reason = await refusal(handle, name, broken.payload)
    if "does not validate" in reason:
        assert broken.field in reason, reason
    assert await state(handle) == before
    await signal_applied(handle, name, broken.payload, barrier)
    after = await state(handle)
    assert without_rejections(after) == without_rejections(before)
    assert len(new_rejections(before, after)) <= 1
    assert reason in [e["detail"] for e in after["timeline"] if e["kind"] == "rejected"]


@pytest.mark.parametrize("name", sorted(CASE_ACTIONS))
@FUZZ
@given(data=st.data())
async def test_an_invalid_action_is_refused_and_changes_nothing(live_case, name, data):
    broken = data.draw(invalid(CASE_ACTIONS[name]))
    note(repr(broken)[:2000])
    await misfit_changes_nothing(live_case, name, broken, barrier="reply")


ACTION_NAMES = st.sampled_from(sorted(CASE_ACTIONS))
STEPS = st.lists(
    st.tuples(ACTION_NAMES, st.booleans()).flatmap(
        lambda t: st.tuples(st.just(t[0]), st.just(t[1]), valid(CASE_ACTIONS[t[0]]))
    ),
    min_size=1,
    max_size=5,
)


async def take(handle: Handle, name: str, as_update: bool, payload: Any) -> None:
    """A valid action either fits (applied) or not (refused, nothing changed)."""
    before = await state(handle)
    if as_update:
        try:
            answer = await handle.execute_update(name, payload)
        except WorkflowUpdateFailedError as failed:
            misfit_reason(failed, name)
            assert await state(handle) == before
            return
        whole = await state(handle)
        assert answer == {key: value for key, value in whole.items() if key != "timeline"}
        assert name in [e["kind"] for e in whole["timeline"]]
        return
    await signal_applied(handle, name, payload, barrier="reply")
    after = await state(handle)
    if after["version"] != before["version"] and not new_rejections(before, after):
        assert name in [e["kind"] for e in after["timeline"]]


@FUZZ
@given(on_site=st.booleans(), steps=STEPS)
async def test_valid_actions_fit_or_are_refused_and_never_fail_a_task(cases, on_site, steps):
    handle = await (cases.on_site() if on_site else cases.late())
    for name, as_update, payload in steps:
        await take(handle, name, as_update, payload)
        if (await state(handle))["status"] in ENDED:
            break
    await healthy(handle, WorkflowExecutionStatus.COMPLETED)


@FUZZ
@given(broken=invalid(CASE_REQUEST))
async def test_an_invalid_request_ends_the_case_rejected_with_its_errors(cases, broken):
    case_id = unique("C")
    note(repr(broken)[:2000])
    if isinstance(broken.payload, dict) and broken.field not in ("case_id", "payload"):
        broken.payload["case_id"] = case_id
    handle = await cases.start(broken.payload, case_id)
    found = await placed(handle)
    assert found["status"] == "rejected"
    errors = found["outcome"]["errors"]
    assert errors, found["outcome"]
    if broken.field != "payload":
        assert broken.field in [e["field"].split(".")[0] for e in errors], errors
    await completed(handle)


@FUZZ
@given(request=valid(CASE_REQUEST))
async def test_a_valid_request_opens_the_case_or_the_archive_refuses_it(cases, request):
    case_id = request["case_id"] = unique(request["case_id"][:20])
    handle = await cases.start(request, case_id)
    found = await placed(handle)
    known = (request["customer_id"], request["equipment_serial"]) in (
        ("CUST-7", "SN-42"), ("CUST-7", "SN-43"), ("CUST-8", "SN-50")
    )  # fmt: skip
    assert found["status"] == ("awaiting_reply" if known else "rejected"), found["outcome"]
    assert not (found["outcome"] or {}).get("errors")
    await healthy(handle, WorkflowExecutionStatus.COMPLETED)
    if known:
        await handle.terminate("fuzzed")
