"""Contract v1.2's corrections in the workflow, on a time-skipping server, from a raw client in
plain JSON: the on-site clock of an offered visit, clause 7 downtime counted once across cases,
an id that names an earlier case, and an action's lean answer."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from tests.fake_activities import ArchiveCase
from tests.workflow_harness import IN_WARRANTY, desk, kinds
from workflows.messages import CaseState, Status

HOUR = timedelta(hours=1)
REPLY = {"by": "Zhang", "message": "Try a restart first"}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


async def test_a_visit_the_office_offers_later_is_due_three_hours_after_its_dispatch(
    env, task_queue
):
    """The audit's probe: in warranty, neither asked for nor an emergency, reply in time, a
    technician dispatched at report + 4 h: no breach then, the on-site clock runs 3 h."""
    async with desk(env, task_queue) as d:
        _, handle = await d.open()
        await handle.execute_update("reply", REPLY)
        await env.sleep(HOUR * 4)
        answer = await handle.execute_update("dispatch", {"technician_id": "T-3"})
        assert answer["breaches"] == []
        due = at(answer["deadlines"]["onsite_due"])
        assert due == at(answer["onsite_clock_from"]) + 3 * HOUR
        assert due >= at(answer["reported_at"]) + 7 * HOUR
        await env.sleep(HOUR * 2.9)
        assert (await d.state(handle))["breaches"] == []
        await env.sleep(HOUR * 0.2)
        state = await d.state(handle)
    assert [b["sla"] for b in state["breaches"]] == ["onsite"]
    assert at(state["breaches"][0]["due"]) == due


async def test_an_onsite_request_still_runs_from_the_report(env, task_queue):
    async with desk(env, task_queue) as d:
        _, handle = await d.open(onsite_requested=True)
        await handle.execute_update("reply", REPLY)
        answer = await handle.execute_update("dispatch", {"technician_id": "T-3"})
    assert answer["onsite_clock_from"] is None
    assert at(answer["deadlines"]["onsite_due"]) == at(answer["reported_at"]) + 3 * HOUR


def stopped(start: datetime, for_hours: float) -> dict[str, str]:
    return {
        "equipment_stopped_at": start.isoformat(),
        "equipment_restored_at": (start + for_hours * HOUR).isoformat(),
    }


async def repaired_with(handle, downtime: dict[str, str]) -> dict:
    await handle.execute_update("dispatch", {"technician_id": "T-3"})
    await handle.execute_update("arrive", {"technician_id": "T-3"})
    return await handle.execute_update(
        "repaired", {"technician_id": "T-3", "cause": "product_defect", **downtime}
    )


async def two_cases(d) -> tuple:
    d.archive.machines[IN_WARRANTY].warranty_ends_on = date(2027, 1, 1)
    _, first = await d.open()
    _, second = await d.open()
    reported = at((await d.state(first))["reported_at"]).replace(microsecond=0)
    return first, second, reported - 36 * HOUR


async def test_one_stoppage_reported_by_two_cases_is_counted_once(env, task_queue):
    """The audit's probe: two cases on one serial report the same 24 h stoppage."""
    async with desk(env, task_queue) as d:
        first, second, start = await two_cases(d)
        await repaired_with(first, stopped(start, 24))
        answer = await repaired_with(second, stopped(start, 24))
        one, two = await first.result(), await second.result()
    claims = [c for s in (one, two) for c in s["charges"] if c["kind"] == "compensation_claim"]
    assert [(c["downtime_hours"], c["warranty_extension_days"]) for c in claims] == [("24.00", 1)]
    assert one["warranty_ends_on"] == two["warranty_ends_on"] == "2027-01-02"
    assert d.archive.machines[IN_WARRANTY].warranty_ends_on == date(2027, 1, 2)
    assert answer["warranty_ends_on"] == "2027-01-02"
    [counted_before] = [e for e in two["timeline"] if e["kind"] == "warranty_extended"]
    assert "counted before" in counted_before["detail"]


async def test_an_overlapping_stoppage_claims_only_the_downtime_not_claimed_before(env, task_queue):
    async with desk(env, task_queue) as d:
        first, second, start = await two_cases(d)
        await repaired_with(first, stopped(start, 24))
        await repaired_with(second, stopped(start + 12 * HOUR, 24))
        two = await second.result()
    [claim] = [c for c in two["charges"] if c["kind"] == "compensation_claim"]
    assert (claim["downtime_hours"], claim["warranty_extension_days"]) == ("12.00", 1)
    assert two["warranty_ends_on"] == "2027-01-03"


async def test_an_id_that_names_an_earlier_case_is_refused_and_writes_nothing(env, task_queue):
    async with desk(env, task_queue) as d:
        case_id, handle = await d.open()
        await handle.execute_update("cancel", {"by": "Li Wei", "reason": "fixed"})
        first = await handle.result()
        earlier = d.archive.archived[case_id]
        letters = len(d.archive.notices)
        again = await env.client.start_workflow(
            "RepairCase",
            {
                "case_id": case_id,
                "customer_id": "CUST-7",
                "equipment_serial": IN_WARRANTY,
                "fault": "again",
            },
            id=f"case-{case_id}",
            task_queue=task_queue,
        )
        state = await again.result()
    assert state["status"] == "rejected"
    assert f"case id {case_id} names an earlier case" in state["outcome"]["reason"]
    assert kinds(state) == ["closed"]
    assert d.archive.archived[case_id] == earlier and len(d.archive.notices) == letters
    assert earlier.state.status is Status.cancelled and first["status"] == "cancelled"
    assert isinstance(earlier, ArchiveCase)


async def test_an_action_answers_the_summary_and_the_query_the_whole_case(env, task_queue):
    async with desk(env, task_queue) as d:
        _, handle = await d.open()
        answer = await handle.execute_update("reply", REPLY)
        whole = await d.state(handle)
    assert "timeline" not in answer and whole["timeline"]
    assert answer == {k: v for k, v in whole.items() if k != "timeline"}
    assert set(answer) == set(CaseState.model_fields) - {"timeline"}
