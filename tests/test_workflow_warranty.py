"""A case and the equipment's warranty end as other cases move it (clause 7): learnt from the
case's own records, which the `warranty_extended` signal asks for, a later end that reaches the
case's report brings it under the warranty, once; the date a signal carries is never believed
(contract v1.2: the warranty end a case uses is always the archive's)."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

from tests.test_workflow_open_case import markers_and_activities
from tests.workflow_harness import IN_WARRANTY, POST_WARRANTY, Desk, desk

REPLY = {"by": "Zhang", "message": "We are on it"}
CANCEL = {"by": "Li Wei", "reason": "fixed it ourselves"}


async def learnt(d: Desk, handle: Any, ends_on: str) -> None:
    """Once the case holds `ends_on` (its record's answer: real time, never a deadline)."""
    for _ in range(100):
        if (await d.state(handle))["warranty_ends_on"] == ends_on:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"{handle.id} never learnt the end {ends_on}")


def extensions(state: dict[str, Any]) -> list[str]:
    return [e["detail"] for e in state["timeline"] if e["kind"] == "warranty_extended"]


async def test_a_record_that_reads_a_later_end_brings_the_case_under_the_warranty(env, task_queue):
    async with desk(env, task_queue) as d:
        _, handle = await d.open(equipment_serial=POST_WARRANTY)
        assert (await d.state(handle))["coverage"] == "post_warranty"
        d.archive.machines[POST_WARRANTY].warranty_ends_on = date(2099, 1, 1)  # another case
        await handle.execute_update("reply", REPLY)
        await learnt(d, handle, "2099-01-01")
        await handle.execute_update("cancel", CANCEL)
        state = await handle.result()
        markers, _ = await markers_and_activities(handle)
    assert (state["coverage"], state["warranty_ends_on"]) == ("in_warranty", "2099-01-01")
    assert extensions(state) == [
        "warranty extended to 2099-01-01 (clause 7): this case is now in warranty"
    ]
    assert markers == ["repairdesk-1.4"]


async def test_the_signal_from_another_case_brings_the_case_under_the_warranty(env, task_queue):
    async with desk(env, task_queue) as d:
        _, handle = await d.open(equipment_serial=POST_WARRANTY)
        d.archive.machines[POST_WARRANTY].warranty_ends_on = date(2099, 1, 1)  # by case C-1
        await handle.signal(
            "warranty_extended", {"warranty_ends_on": "2099-01-01", "by_case": "C-1"}
        )
        await handle.signal(
            "warranty_extended", {"warranty_ends_on": "2099-01-01", "by_case": "C-1"}
        )
        await learnt(d, handle, "2099-01-01")
        await handle.execute_update("cancel", CANCEL)
        state = await handle.result()
    assert state["coverage"] == "in_warranty"
    assert extensions(state) == [
        "warranty extended to 2099-01-01 (clause 7): this case is now in warranty"
    ]


async def test_a_date_the_archive_does_not_hold_is_not_believed(env, task_queue):
    """The audit's probe: any Temporal client (or the UI) can send the signal; a post-warranty
    repair the customer pays stays the customer's, with the archive's warranty end."""
    async with desk(env, task_queue) as d:
        _, handle = await d.open(equipment_serial=POST_WARRANTY)
        await handle.signal("warranty_extended", {"warranty_ends_on": "2099-12-31"})
        await handle.execute_update("dispatch", {"technician_id": "T-3"})
        await handle.execute_update("arrive", {"technician_id": "T-3"})
        answer = await handle.execute_update(
            "repaired",
            {"technician_id": "T-3", "cause": "product_defect", "labour_hours": "2"},
        )
        state = await handle.result()
    assert (state["coverage"], state["warranty_ends_on"]) == ("post_warranty", "2020-01-01")
    [charge] = state["charges"]
    assert (charge["kind"], charge["payer"], charge["amount"]) == (
        "chargeable_repair",
        "customer",
        "540.00",
    )
    assert not extensions(state) and answer["charges"] == state["charges"]


async def test_an_end_short_of_the_report_or_a_case_in_warranty_changes_no_coverage(
    env, task_queue
):
    async with desk(env, task_queue) as d:
        _, late = await d.open(equipment_serial=POST_WARRANTY)
        d.archive.machines[POST_WARRANTY].warranty_ends_on = date(2021, 1, 1)
        await late.signal("warranty_extended", {"warranty_ends_on": "2021-01-01"})
        _, covered = await d.open(equipment_serial=IN_WARRANTY)
        d.archive.machines[IN_WARRANTY].warranty_ends_on = date(2099, 2, 1)
        await covered.signal("warranty_extended", {"warranty_ends_on": "2099-02-01"})
        for handle in (late, covered):
            await handle.execute_update("cancel", CANCEL)
        still_late, still_covered = [await h.result() for h in (late, covered)]
        markers = [(await markers_and_activities(h))[0] for h in (late, covered)]
    assert (still_late["coverage"], still_late["warranty_ends_on"]) == (
        "post_warranty",
        "2021-01-01",
    )
    assert (still_covered["coverage"], still_covered["warranty_ends_on"]) == (
        "in_warranty",
        "2099-02-01",
    )
    assert not extensions(still_late) and not extensions(still_covered)
    assert markers == [["repairdesk-1.4"]] * 2


NOT_NEWS = [
    None,
    "2099-01-01",
    {},
    {"warranty_ends_on": "soon"},
    {"warranty_ends_on": "2099-13-01"},
    {"warranty_ends_on": "2099-01-01", "by_case": "C 1; DROP"},
    {"warranty_ends_on": ["2099-01-01"]},
]


async def test_whatever_a_signal_carries_it_only_makes_the_case_read_the_archive(env, task_queue):
    async with desk(env, task_queue) as d:
        _, handle = await d.open(equipment_serial=POST_WARRANTY)
        for payload in NOT_NEWS:
            await handle.signal("warranty_extended", payload)
        await handle.execute_update("cancel", CANCEL)
        state = await handle.result()
        markers, _ = await markers_and_activities(handle)
    assert (state["coverage"], state["warranty_ends_on"]) == ("post_warranty", "2020-01-01")
    assert not [e for e in state["timeline"] if e["kind"] == "warning"]
    assert not extensions(state) and markers == ["repairdesk-1.4"]
