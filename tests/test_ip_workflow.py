"""IpDispute on the time-skipping test server, with stand-in local activities: every path,
misfits as updates and as signals, repeats, an action that comes before the look-up."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError

from tests.ip_fakes import SETTLE, ip_desk, kinds
from workflows.validation import REJECTED

NOTE = {"by": "Wang", "text": "Counsel instructed; Acme's claim covers firmware 2.1 only"}
WITHDRAW = {"by": "Zhang Ming", "reason": "Acme dropped the claim"}


async def refused(
    handle: WorkflowHandle[Any, Any], name: str, payload: Any, kind: str = REJECTED
) -> str:
    with pytest.raises(WorkflowUpdateFailedError) as failure:
        await handle.execute_update(name, payload)
    cause = failure.value.cause
    assert isinstance(cause, ApplicationError) and cause.type == kind
    return cause.message


async def test_open_note_settle_books_the_costs_once_for_the_vendor(env, task_queue):
    async with ip_desk(env, task_queue) as d:
        handle = await d.open(dispute_id="IP-7")
        state = await d.state(handle)
        assert state["status"] == "open" and state["customer_name"] == "Test Customer"
        assert d.archive.notices() == [
            ("ip_opened", "executive"),
            ("ip_opened", "manager"),
            ("ip_acknowledgement", "customer"),
        ]
        assert d.archive.events[0].notices[0].key.startswith("ip-IP-7/")

        noted = await handle.execute_update("note", NOTE)
        assert noted["status"] == "open" and kinds(noted)[-1] == "note"
        settled = await handle.execute_update("settle", SETTLE)
        result = await handle.result()

    assert settled["status"] == result["status"] == "settled"
    [charge] = result["charges"]
    assert (charge["kind"], charge["payer"], charge["amount"]) == (
        "ip_indemnity",
        "vendor",
        "15450.50",
    )
    assert (charge["coverage"], charge["cause"]) == (None, None)
    assert [c.id for c in d.archive.charges()] == [charge["id"]]
    assert d.archive.notices()[3:] == [("ip_settled", "customer"), ("ip_settled", "executive")]
    assert result["outcome"]["reason"] == "settled by Zhang Ming: Licence agreed with Acme"
    assert d.archive.events[-1].state.status == "settled"
    attributes = (await handle.describe()).search_attributes
    assert attributes["CaseStatus"] == ["settled"]
    assert attributes["CustomerId"] == ["CUST-7"]
    assert attributes["EquipmentSerial"] == ["SN-42"]


async def test_withdraw_ends_it_without_a_charge(env, task_queue):
    async with ip_desk(env, task_queue) as d:
        handle = await d.open(equipment_serial=None)
        await handle.execute_update("withdraw", WITHDRAW)
        result = await handle.result()
    assert result["status"] == "withdrawn" and result["charges"] == []
    assert result["outcome"]["reason"] == "withdrawn by Zhang Ming: Acme dropped the claim"
    assert "EquipmentSerial" not in (await handle.describe()).search_attributes


async def test_an_invalid_request_is_rejected_with_every_error(env, task_queue):
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    async with ip_desk(env, task_queue) as d:
        handle = await d.start(right="design", claimant="", reported_at=future)
        result = await handle.result()
    assert result["status"] == "rejected"
    fields = {error["field"] for error in result["outcome"]["errors"]}
    assert fields == {"right", "claimant"}  # reported_at is checked once the model validates
    assert d.archive.lookups == 0 and d.archive.events == []


@pytest.mark.parametrize(
    ("when", "message"),
    [
        (timedelta(hours=1), "is in the future"),
        (timedelta(days=-8), "is more than 7 days in the past"),
    ],
)
async def test_an_implausible_report_time_is_rejected(env, task_queue, when, message):
    async with ip_desk(env, task_queue) as d:
        handle = await d.start(reported_at=(datetime.now(UTC) + when).isoformat())
        result = await handle.result()
    assert result["outcome"]["errors"] == [{"field": "reported_at", "message": message}]


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"customer_id": "CUST-404"}, "customer CUST-404 unknown"),
        ({"equipment_serial": "SN-50"}, "SN-50 is not the customer's"),
    ],
)
async def test_parties_the_archive_does_not_know_reject_it(env, task_queue, fields, reason):
    async with ip_desk(env, task_queue) as d:
        handle = await d.start(**fields)
        result = await handle.result()
    assert (result["status"], result["outcome"]["reason"]) == ("rejected", reason)
    assert d.archive.notices() == [] and d.archive.charges() == []
    assert [e.state.status for e in d.archive.events] == ["rejected"]
    assert (await handle.describe()).search_attributes["CaseStatus"] == ["rejected"]


@pytest.mark.parametrize(
    ("name", "payload", "why"),
    [
        ("settle", {**SETTLE, "costs": []}, "costs: List should have at least 1 item"),
        ("settle", {**SETTLE, "costs": [{"description": "x", "amount": "-1"}]}, "costs.0.amount"),
        ("settle", {**SETTLE, "costs": [{"description": "x", "amount": "1.005"}]}, "decimal"),
        ("settle", {**SETTLE, "currency": "XYZ"}, "unknown ISO 4217 currency"),
        ("note", {"by": "Wang"}, "text: Field required"),
    ],
)
async def test_a_misfit_update_is_refused_and_changes_nothing(env, task_queue, name, payload, why):
    async with ip_desk(env, task_queue) as d:
        handle = await d.open()
        before = await d.state(handle)
        message = await refused(handle, name, payload, REJECTED)
        assert (
            message.startswith(f"{name} rejected: the payload does not validate") and why in message
        )
        assert await d.state(handle) == before


async def test_a_misfit_signal_is_recorded_once_in_the_timeline(env, task_queue):
    async with ip_desk(env, task_queue) as d:
        handle = await d.open()
        for _ in range(2):
            await handle.signal("settle", {**SETTLE, "costs": []})
        await handle.execute_update("note", NOTE)
        state = await d.state(handle)
    rejected = [e for e in state["timeline"] if e["kind"] == "rejected"]
    assert len(rejected) == 1 and rejected[0]["detail"].startswith("settle rejected: the payload")
    assert state["status"] == "open" and state["charges"] == []


async def test_an_action_after_the_end_is_a_misfit_as_a_signal(env, task_queue):
    async with ip_desk(env, task_queue) as d:
        handle = await d.open(dispute_id="IP-LATE")
        await handle.signal("settle", SETTLE)
        await handle.signal("withdraw", WITHDRAW)
        result = await handle.result()
    assert result["status"] == "settled"
    assert result["timeline"][-1]["kind"] == "rejected"
    assert result["timeline"][-1]["detail"] == (
        "withdraw rejected: dispute IP-LATE is closed (settled); it takes no more actions"
    )


async def test_a_repeated_action_changes_nothing(env, task_queue):
    async with ip_desk(env, task_queue) as d:
        handle = await d.open()
        await handle.execute_update("note", NOTE)
        recorded = len(d.archive.events)
        await handle.execute_update("note", NOTE)
        await handle.signal("note", NOTE)
        again = await handle.execute_update("note", NOTE)
        assert kinds(again).count("note") == 1 and len(d.archive.events) == recorded
        await handle.execute_update("note", {**NOTE, "text": "Hearing set"})
        await handle.execute_update("note", NOTE)  # a note again after another: not a repeat
        state = await d.state(handle)
    assert kinds(state).count("note") == 3


async def test_an_action_before_the_look_up_waits_for_it(env, task_queue):
    async with ip_desk(env, task_queue) as d:
        d.archive.hold_lookup = asyncio.Event()
        handle = await d.start()
        noting = asyncio.create_task(handle.execute_update("note", NOTE))
        await asyncio.sleep(0.3)
        assert not noting.done() and (await d.state(handle))["status"] == "opening"
        d.archive.hold_lookup.set()
        noted = await noting
    assert noted["status"] == "open"
    assert kinds(noted)[0] == "opened" and kinds(noted)[-1] == "note"


async def test_an_early_action_on_a_dispute_that_is_rejected_is_refused(env, task_queue):
    archive_hold = asyncio.Event()
    async with ip_desk(env, task_queue) as d:
        d.archive.hold_lookup = archive_hold
        handle = await d.start(customer_id="CUST-404")
        noting = asyncio.create_task(refused(handle, "note", NOTE))
        await asyncio.sleep(0.3)
        archive_hold.set()
        assert "is closed (rejected)" in await noting
        assert (await handle.result())["status"] == "rejected"
