"""Actions as updates and as signals: fits, misfits, repeats and early arrivals."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError

from tests.workflow_harness import REPAIR, desk, kinds

REPLY = {"by": "Zhang", "message": "We are on it"}


async def rejected(handle: Any, name: str, payload: Any) -> str:
    with pytest.raises(WorkflowUpdateFailedError) as failure:
        await handle.execute_update(name, payload)
    return str(failure.value.cause)


async def on_site(handle: Any) -> None:
    await handle.execute_update("reply", REPLY)
    await handle.execute_update("dispatch", {"technician_id": "T-3", "technician_name": "Wang"})
    await handle.execute_update("arrive", {"technician_id": "T-3"})


@pytest.mark.parametrize(
    ("name", "payload", "reason"),
    [
        ("arrive", {"technician_id": "T-3"}, "no technician has been dispatched"),
        ("repaired", {"technician_id": "T-3", "cause": "unknown"}, "no technician"),
        (
            "third_party_repair",
            {"vendor": "Acme", "invoice_ref": "I-1", "amount": "10.00"},
            "clause 4",
        ),
        ("dispatch", {"technician_name": "Wang"}, "technician_id"),
        ("reply", {"by": "Zhang"}, "message"),
        ("reply", "not an object", "payload"),
        ("repaired", {**REPAIR, "cause": "lightning"}, "cause"),
        (
            "repaired",
            {**REPAIR, "parts": [{"part_no": "P-1", "qty": -1, "unit_price": "1.00"}]},
            "qty",
        ),
        (
            "repaired",
            {**REPAIR, "parts": [{"part_no": "P-1", "qty": 1, "unit_price": "1.005"}]},
            "decimal",
        ),
        (
            "repaired",
            {**REPAIR, "parts": [{"part_no": "P-1", "qty": 1, "unit_price": "-1"}]},
            "unit_price",
        ),
        (
            "third_party_repair",
            {"vendor": "A", "invoice_ref": "I", "amount": "1", "currency": "XXX"},
            "currency",
        ),
    ],
)
async def test_a_misfit_update_is_refused_and_changes_nothing(
    env, task_queue, name, payload, reason
):
    async with desk(env, task_queue) as d:
        _, handle = await d.open()
        before = await d.state(handle)
        message = await rejected(handle, name, payload)
        assert reason in message
        assert await d.state(handle) == before


async def test_wrong_technician_and_double_arrival_are_refused(env, task_queue):
    async with desk(env, task_queue) as d:
        _, handle = await d.open()
        await handle.execute_update("dispatch", {"technician_id": "T-3"})
        assert "not the one dispatched (T-3)" in await rejected(
            handle, "arrive", {"technician_id": "T-9"}
        )
        await handle.execute_update("arrive", {"technician_id": "T-3"})
        assert "already on site" in await rejected(
            handle, "arrive", {"technician_id": "T-3", "at": "2020-01-01T00:00:00Z"}
        )
        assert "not the one dispatched" in await rejected(
            handle, "repaired", {**REPAIR, "technician_id": "T-9"}
        )


async def failure(handle: Any, name: str, payload: Any) -> ApplicationError:
    with pytest.raises(WorkflowUpdateFailedError) as failed:
        await handle.execute_update(name, payload)
    assert isinstance(failed.value.cause, ApplicationError)
    return failed.value.cause


async def test_a_refusal_says_why_by_its_type_and_details(env, task_queue):
    async with desk(env, task_queue) as d:
        _, handle = await d.open()
        invalid = await failure(handle, "dispatch", {"technician_name": "Wang"})
        assert invalid.type == "ActionRejected"
        required = {"field": "technician_id", "message": "Field required"}
        assert invalid.details == ({"action": "dispatch", "invalid": True, "errors": [required]},)
        misfit = await failure(handle, "arrive", {"technician_id": "T-3"})
        assert misfit.type == "ActionRejected"
        assert misfit.details == ({"action": "arrive", "invalid": False, "errors": []},)
        await handle.signal("dispatch", {"technician_name": "Wang"})
        await handle.execute_update("reply", REPLY)
        misfits = [e for e in (await d.state(handle))["timeline"] if e["kind"] == "rejected"]
        assert [e["detail"] for e in misfits] == [
            "dispatch rejected: the payload does not validate: technician_id: Field required"
        ]


async def test_a_misfit_signal_is_recorded_once_and_never_fails_the_case(env, task_queue):
    async with desk(env, task_queue) as d:
        _, handle = await d.open()
        for _ in range(2):
            await handle.signal("arrive", {"technician_id": "T-3"})
            await handle.signal("repaired", {"technician_id": "T-3", "cause": "lightning"})
        await handle.execute_update("reply", REPLY)
        state = await d.state(handle)
        misfits = [e for e in state["timeline"] if e["kind"] == "rejected"]
        assert len(misfits) == 2
        assert "arrive rejected: no technician has been dispatched" in misfits[0]["detail"]
        assert "cause" in misfits[1]["detail"]
        assert state["status"] == "awaiting_technician"


async def test_a_repeated_action_changes_nothing(env, task_queue):
    async with desk(env, task_queue) as d:
        case_id, handle = await d.open()
        first = await handle.execute_update("reply", REPLY)
        second = await handle.execute_update("reply", REPLY)
        await handle.signal("reply", REPLY)
        await handle.execute_update("dispatch", {"technician_id": "T-3"})
        await handle.signal("dispatch", {"technician_id": "T-3"})
        state = await d.state(handle)
        assert first["version"] == second["version"]
        assert kinds(state).count("reply") == 1 and kinds(state).count("dispatch") == 1
        assert d.archive.notices_of(case_id).count(("reply", "customer")) == 1


async def test_signals_take_the_same_path_as_updates(env, task_queue):
    async with desk(env, task_queue) as d:
        _, handle = await d.open()
        await handle.signal("reply", REPLY)
        await handle.signal("dispatch", {"technician_id": "T-3"})
        await handle.signal("arrive", {"technician_id": "T-3"})
        await handle.signal("repaired", REPAIR)
        result = await handle.result()
        assert result["status"] == "repaired"
        assert [c["amount"] for c in result["charges"]] == ["1070.00"]


async def test_an_action_sent_with_the_start_waits_for_the_case_to_open(env, task_queue):
    async with desk(env, task_queue) as d:
        from tests.workflow_harness import new_case_id, request

        case_id = new_case_id()
        handle = await env.client.start_workflow(
            "RepairCase",
            request(case_id),
            id=f"case-{case_id}",
            task_queue=task_queue,
            start_signal="dispatch",
            start_signal_args=[{"technician_id": "T-3"}],
        )
        d.handles.append(handle)
        await handle.execute_update("arrive", {"technician_id": "T-3"})
        state = await d.state(handle)
        assert state["status"] == "on_site"
        assert kinds(state)[:2] == ["opened", "notice"] and "rejected" not in kinds(state)


async def test_an_early_action_on_a_refused_case_is_refused(env, task_queue):
    async with desk(env, task_queue):
        from tests.workflow_harness import new_case_id, request

        case_id = new_case_id()
        handle = await env.client.start_workflow(
            "RepairCase",
            request(case_id, equipment_serial="SN-UNKNOWN"),
            id=f"case-{case_id}",
            task_queue=task_queue,
            start_signal="reply",
            start_signal_args=[REPLY],
        )
        result = await handle.result()
        assert result["status"] == "rejected"
        assert (
            "reply rejected: case"
            in [e for e in result["timeline"] if e["kind"] == "rejected"][0]["detail"]
        )


async def test_cancel_ends_the_case(env, task_queue):
    async with desk(env, task_queue) as d:
        case_id, handle = await d.open()
        state = await handle.execute_update(
            "cancel", {"by": "Li Wei", "reason": "fixed it ourselves"}
        )
        assert state["status"] == "cancelled"
        result = await handle.result()
        assert (
            result["outcome"]["status"] == "cancelled"
            and "fixed it ourselves" in result["outcome"]["reason"]
        )
        assert ("cancelled", "customer") in d.archive.notices_of(case_id)


async def test_third_party_after_a_missed_reply_is_reimbursed(env, task_queue):
    async with desk(env, task_queue) as d:
        case_id, handle = await d.open()
        await env.sleep(timedelta(hours=1, minutes=5))
        claim = {
            "vendor": "Acme Chillers",
            "invoice_ref": "INV-9",
            "amount": "1250.00",
            "currency": "CNY",
        }
        state = await handle.execute_update("third_party_repair", claim)
        assert state["status"] == "third_party"
        [charge] = state["charges"]
        assert (charge["kind"], charge["payer"], charge["amount"]) == (
            "third_party_reimbursement",
            "vendor",
            "1250.00",
        )
        await handle.result()
        assert ("third_party_repair", "executive") in d.archive.notices_of(case_id)
        assert [c.charge.id for c in d.archive.charges] == [charge["id"]]


async def test_vendor_caused_downtime_extends_the_warranty(env, task_queue):
    async with desk(env, task_queue) as d:
        _, handle = await d.open()
        await on_site(handle)
        now = await env.get_current_time()
        report = {
            **REPAIR,
            "cause": "product_defect",
            "equipment_stopped_at": (now - timedelta(hours=30)).isoformat(),
            "equipment_restored_at": now.isoformat(),
        }
        answer = await handle.execute_update("repaired", report)
        state = await handle.result()
        assert state["warranty_ends_on"] == answer["warranty_ends_on"] == "2099-01-03"
        kinds_of_charges = [(c["kind"], c["payer"], c["amount"]) for c in state["charges"]]
        assert kinds_of_charges == [
            ("warranty_cost", "vendor", "1070.00"),
            ("compensation_claim", "vendor", "0.00"),
        ]
        assert answer["charges"] == state["charges"]
        assert "warranty_extended" in kinds(state)
        [stretch] = d.archive.stretches.values()
        assert stretch.restored_at - stretch.stopped_at == timedelta(hours=30)


async def test_restored_before_stopped_is_refused(env, task_queue):
    async with desk(env, task_queue) as d:
        _, handle = await d.open()
        await on_site(handle)
        now = await env.get_current_time()
        report = {
            **REPAIR,
            "equipment_stopped_at": now.isoformat(),
            "equipment_restored_at": (now - timedelta(hours=1)).isoformat(),
        }
        refusal = await rejected(handle, "repaired", report)
        assert "must come before equipment_restored_at" in refusal


async def test_a_delivery_the_relay_could_not_make_is_a_warning_on_the_case(env, task_queue):
    """The worker's relay delivers letters and finance events after the fact; what it cannot
    deliver it reports to the open case with the `delivery_problem` signal."""
    async with desk(env, task_queue) as d:
        _, handle = await d.open()
        await handle.signal("delivery_problem", {"detail": "finance event x refused: HTTP 400"})
        await handle.execute_update("reply", {"by": "Zhang", "message": "on it"})
        state = await d.state(handle)
        warnings = [e["detail"] for e in state["timeline"] if e["kind"] == "warning"]
        assert warnings == ["finance event x refused: HTTP 400"]
