"""The deadlines of clauses 2, 3 and 9 on a time-skipping server, at their real durations."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.workflow_harness import POST_WARRANTY, desk, kinds

HOUR = timedelta(hours=1)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


async def test_reply_breach_is_recorded_once_at_one_hour(env, task_queue):
    async with desk(env, task_queue) as d:
        case_id, handle = await d.open()
        await env.sleep(HOUR * 0.8)
        state = await d.state(handle)
        assert "warning" in kinds(state) and state["breaches"] == []
        await env.sleep(HOUR * 0.4)
        state = await d.state(handle)
        [breach] = state["breaches"]
        assert breach["sla"] == "reply"
        assert at(breach["due"]) == at(state["reported_at"]) + HOUR
        assert (
            at(breach["due"]) <= at(breach["noticed_at"]) < at(breach["due"]) + timedelta(seconds=5)
        )
        await env.sleep(HOUR * 2)
        state = await d.state(handle)
        assert [b["sla"] for b in state["breaches"]] == ["reply"]
        assert ("breach", "manager") in d.archive.notices_of(case_id)
        assert ("warning", "office") in d.archive.notices_of(case_id)
        description = await handle.describe()
        assert description.search_attributes["SlaBreached"] == [True]


async def test_reply_in_time_stops_the_clock(env, task_queue):
    async with desk(env, task_queue) as d:
        _, handle = await d.open()
        await env.sleep(HOUR * 0.5)
        await handle.execute_update("reply", {"by": "Zhang", "message": "We are on it"})
        await env.sleep(HOUR * 3)
        state = await d.state(handle)
        assert state["breaches"] == []
        assert state["status"] == "awaiting_technician"
        assert state["deadlines"]["onsite_due"] is None
        assert "reply" in state["met"]


async def test_onsite_breach_at_three_hours_when_requested(env, task_queue):
    async with desk(env, task_queue) as d:
        _, handle = await d.open(onsite_requested=True)
        await handle.execute_update("reply", {"by": "Zhang", "message": "sending someone"})
        await env.sleep(HOUR * 2.9)
        assert (await d.state(handle))["breaches"] == []
        await env.sleep(HOUR * 0.2)
        state = await d.state(handle)
        assert [b["sla"] for b in state["breaches"]] == ["onsite"]
        assert at(state["breaches"][0]["due"]) == at(state["reported_at"]) + 3 * HOUR


async def test_a_dispatch_the_customer_did_not_ask_for_starts_the_onsite_clock(env, task_queue):
    """Contract v1.2: in warranty, a visit neither asked for nor needed by an emergency runs
    3 h from its dispatch (tests/test_workflow_v1_2.py has the late dispatch)."""
    async with desk(env, task_queue) as d:
        _, handle = await d.open()
        await handle.execute_update("reply", {"by": "Zhang", "message": "ok"})
        await env.sleep(HOUR * 2)
        state = await handle.execute_update("dispatch", {"technician_id": "T-3"})
        assert at(state["deadlines"]["onsite_due"]) == at(state["onsite_clock_from"]) + 3 * HOUR
        await env.sleep(HOUR * 2.5)
        await handle.execute_update("arrive", {"technician_id": "T-3"})
        await env.sleep(HOUR * 2)
        state = await d.state(handle)
        assert state["breaches"] == [] and state["status"] == "on_site"


async def test_written_explanation_at_24_hours(env, task_queue):
    async with desk(env, task_queue) as d:
        case_id, handle = await d.open(onsite_requested=True)
        await handle.execute_update("reply", {"by": "Zhang", "message": "ok"})
        await handle.execute_update("dispatch", {"technician_id": "T-3"})
        await handle.execute_update("arrive", {"technician_id": "T-3"})
        await env.sleep(HOUR * 23.9)
        assert ("written_explanation", "customer") not in d.archive.notices_of(case_id)
        await env.sleep(HOUR * 0.2)
        state = await d.state(handle)
        assert [b["sla"] for b in state["breaches"]] == ["repair_24h"]
        notices = d.archive.notices_of(case_id)
        assert ("written_explanation", "customer") in notices
        assert ("written_explanation", "executive") in notices
        assert state["status"] == "on_site"


async def test_no_explanation_when_repaired_in_time(env, task_queue):
    async with desk(env, task_queue) as d:
        case_id, handle = await d.open(onsite_requested=True)
        await handle.execute_update("reply", {"by": "Zhang", "message": "ok"})
        await handle.execute_update("dispatch", {"technician_id": "T-3"})
        await handle.execute_update("arrive", {"technician_id": "T-3"})
        await env.sleep(HOUR * 20)
        await handle.execute_update("repaired", {"technician_id": "T-3", "cause": "product_defect"})
        result = await handle.result()
        assert result["breaches"] == [] and result["status"] == "repaired"
        assert ("written_explanation", "customer") not in d.archive.notices_of(case_id)


async def test_post_warranty_emergency_has_four_hours_on_site(env, task_queue):
    async with desk(env, task_queue) as d:
        case_id, handle = await d.open(equipment_serial=POST_WARRANTY, emergency=True)
        state = await d.state(handle)
        assert state["coverage"] == "post_warranty"
        assert at(state["deadlines"]["onsite_due"]) == at(state["reported_at"]) + 4 * HOUR
        assert ("remote_support", "customer") in d.archive.notices_of(case_id)
        await handle.execute_update("reply", {"by": "Zhang", "message": "remote session now"})
        await env.sleep(HOUR * 3.5)
        assert (await d.state(handle))["breaches"] == []
        await env.sleep(HOUR * 0.6)
        assert [b["sla"] for b in (await d.state(handle))["breaches"]] == ["onsite"]


async def test_post_warranty_visit_is_agreed_not_timed(env, task_queue):
    async with desk(env, task_queue) as d:
        _, handle = await d.open(equipment_serial=POST_WARRANTY, onsite_requested=True)
        await handle.execute_update("reply", {"by": "Zhang", "message": "visit on Friday"})
        state = await handle.execute_update("dispatch", {"technician_id": "T-3"})
        assert state["deadlines"]["onsite_due"] is None
        await env.sleep(HOUR * 10)
        assert (await d.state(handle))["breaches"] == []


async def test_deadlines_count_from_reported_at(env, task_queue):
    async with desk(env, task_queue) as d:
        reported = (await env.get_current_time()) - 2 * HOUR
        _, handle = await d.open(reported_at=reported.isoformat())
        await env.sleep(timedelta(seconds=1))
        state = await d.state(handle)
        assert at(state["deadlines"]["reply_due"]) == reported + HOUR
        assert [b["sla"] for b in state["breaches"]] == ["reply"]


@pytest.mark.parametrize("warn_at", ["0.5", "0.9"])
async def test_warning_at_the_configured_share_of_the_span(env, task_queue, warn_at):
    from decimal import Decimal

    async with desk(env, task_queue) as d:
        d.archive.terms = d.archive.terms.model_copy(update={"warn_at": Decimal(warn_at)})
        _, handle = await d.open()
        await env.sleep(HOUR * (float(warn_at) - 0.05))
        assert "warning" not in kinds(await d.state(handle))
        await env.sleep(HOUR * 0.1)
        assert "warning" in kinds(await d.state(handle))
