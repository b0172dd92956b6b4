"""Whole cases through the real worker: archive, SMTP server and finance receiver all real.

A raw client sends plain JSON, as the call centre and the technicians' phones do.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from activities.archive.db import archive
from activities.archive.importer import import_equipment
from activities.archive.schema import CaseRecord, LedgerEntry, Notice
from activities.worker_metrics import backlog
from tests.conftest import make_settings
from tests.finance_receiver import FinanceReceiver
from tests.smtp_inbox import Inbox, free_port, smtp_server
from worker import build_worker

SAMPLE = Path(__file__).parent.parent / "starter" / "data" / "sample-archive.csv"
SECRET = "finance-shared-secret"
OFFICE, MANAGER, EXECUTIVE = "office@vendor.test", "manager@vendor.test", "vp@vendor.test"
CUSTOMER = "liwei@example.com"


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    with smtp_server(free_port()) as messages:
        yield messages


@pytest.fixture
def finance() -> Iterator[FinanceReceiver]:
    with FinanceReceiver(SECRET) as receiver:
        yield receiver


@pytest.fixture
def settings(sqlite_url: str, inbox: Inbox, finance: FinanceReceiver) -> Any:
    import_equipment(archive(sqlite_url), SAMPLE)
    return make_settings(
        sqlite_url,
        smtp_url=f"smtp://127.0.0.1:{inbox.port}",
        office_email=OFFICE,
        manager_email=MANAGER,
        executive_email=EXECUTIVE,
        finance_webhook_url=finance.url,
        finance_webhook_secret=SECRET,
        # the relay retries a 503 after 0.1 s, then 0.2 s, ..., not 5 s, 10 s, ...
        delivery_backoff=timedelta(milliseconds=100),
        delivery_poll=timedelta(milliseconds=200),
    )


@asynccontextmanager
async def running_worker(env: Any, settings: Any, task_queue: str) -> AsyncIterator[None]:
    async with build_worker(env.client, settings, task_queue):
        yield


async def open_case(env: Any, task_queue: str, **fields: Any) -> Any:
    case_id = f"C-{uuid.uuid4().hex[:8]}"
    body = {
        "case_id": case_id,
        "customer_id": "CUST-7",
        "equipment_serial": "SN-42",
        "fault": "Chiller trips on high pressure",
        "onsite_requested": True,
        "contact": {"name": "Li Wei", "email": CUSTOMER, "language": "en"},
        **fields,
    }
    return await env.client.start_workflow(
        "RepairCase", body, id=f"case-{case_id}", task_queue=task_queue
    )


async def until(check: Any, seconds: float = 10) -> None:
    """Wait, in real time, for activities to finish their I/O (never for a deadline)."""
    for _ in range(int(seconds / 0.05)):
        if check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("timed out waiting for the worker")


def mail_to(inbox: Inbox) -> Counter[tuple[str, str]]:
    return Counter((m["To"], m["Subject"]) for m in inbox.messages)


WALK = [
    ("reply", {"by": "Zhang", "message": "We are sending a technician"}),
    ("dispatch", {"technician_id": "T-3", "technician_name": "Zhao Lei"}),
    ("arrive", {"technician_id": "T-3"}),
]
REPAIR = {
    "technician_id": "T-3",
    "cause": "wear_and_tear",
    "parts": [
        {"part_no": "P-100", "description": "pressure switch", "qty": 1, "unit_price": "320.00"}
    ],
    "labour_hours": "2.5",
}


async def test_a_post_warranty_repair_is_charged_mailed_and_archived_once(
    env, task_queue, settings, inbox, finance
):
    async with running_worker(env, settings, task_queue):
        handle = await open_case(env, task_queue, equipment_serial="SN-43")
        for name, payload in WALK:
            await handle.execute_update(name, payload)
            await handle.execute_update(name, payload)
        result = await handle.execute_update("repaired", REPAIR)
        assert result["charges"][0]["amount"] == "963.00"
        await handle.result()
        await until(lambda: len(finance.accepted) == 1 and len(inbox.messages) >= 6)

    [event] = [r.event for r in finance.accepted]
    assert event["type"] == "repairdesk.charge.recorded" and event["source"] == "repairdesk"
    assert event["id"] == result["charges"][0]["id"]
    assert (event["data"]["kind"], event["data"]["payer"], event["data"]["amount"]) == (
        "chargeable_repair",
        "customer",
        "963.00",
    )
    counts = Counter(m["To"] for m in inbox.messages)
    assert counts == {CUSTOMER: 5, OFFICE: 1}
    assert all(n == 1 for n in mail_to(inbox).values())
    sessions = archive(settings.database_url)
    with sessions() as session:
        row = session.get(CaseRecord, handle.id.removeprefix("case-"))
        assert row is not None and row.status == "repaired" and row.coverage == "post_warranty"
        ledger = session.scalars(select(LedgerEntry)).all()
        assert [(e.delivery_status, str(e.amount)) for e in ledger] == [("delivered", "963.00")]
        assert all(n.delivered_at for n in session.scalars(select(Notice)))


async def test_a_worker_stopped_before_delivery_still_delivers_exactly_once(
    dev_env, task_queue, settings, finance, inbox
):
    """On a real dev server: the test server never hands a workflow task on from the sticky
    queue of a worker that has gone, so a restart can only be tried on the real thing."""
    env = dev_env
    finance.answer_next(503, 503)
    async with running_worker(env, settings, task_queue):
        handle = await open_case(env, task_queue)
        for name, payload in WALK:
            await handle.execute_update(name, payload)
        await handle.execute_update("repaired", {**REPAIR, "cause": "improper_maintenance"})
        await until(lambda: len(finance.received) >= 1)
    assert finance.accepted == []
    async with running_worker(env, settings, task_queue):
        result = await handle.result()
        await until(lambda: len(finance.accepted) == 1)
        await until(lambda: len(inbox.messages) >= 6)
    ids = Counter(r.event["id"] for r in finance.accepted)
    assert ids == {result["charges"][0]["id"]: 1}
    assert all(r.signed for r in finance.received)
    assert Counter(m["To"] for m in inbox.messages) == {CUSTOMER: 5, OFFICE: 1}
    assert all(n == 1 for n in mail_to(inbox).values())


async def test_the_written_explanation_reaches_customer_and_executive_in_chinese(
    env, task_queue, settings, inbox
):
    async with running_worker(env, settings, task_queue):
        handle = await open_case(env, task_queue, contact={"email": CUSTOMER, "language": "zh"})
        for name, payload in WALK:
            await handle.execute_update(name, payload)
        await env.sleep(timedelta(hours=24, minutes=1))
        await until(
            lambda: any("书面说明" in m["Subject"] for m in inbox.messages if m["To"] == CUSTOMER)
        )
        await until(lambda: any(m["To"] == EXECUTIVE for m in inbox.messages))
        await handle.execute_update("repaired", REPAIR)
        await handle.result()
    explanations = [m for m in inbox.messages if "书面说明" in m["Subject"]]
    assert sorted(m["To"] for m in explanations) == [CUSTOMER, EXECUTIVE]
    breaches = [m for m in inbox.messages if m["To"] == MANAGER]
    assert len(breaches) == 1


async def test_a_mailbox_refused_for_good_does_not_hold_the_case_open(
    env, task_queue, settings, inbox
):
    """The case ends at once; the relay then marks the refused letters failed in the outbox
    (a case still open would get a `delivery_problem` warning: tests/test_relay.py)."""
    inbox.unknown.add("nobody@example.com")
    async with running_worker(env, settings, task_queue):
        handle = await open_case(env, task_queue, contact={"email": "nobody@example.com"})
        await handle.execute_update("cancel", {"by": "Li Wei", "reason": "fixed it"})
        result = await handle.result()
        assert result["status"] == "cancelled"
        await until(lambda: [n.status for n in refused_notices(settings)] == ["failed"] * 2)
    assert [m["To"] for m in inbox.messages] == [OFFICE]
    assert all("no such mailbox" in (n.last_error or "") for n in refused_notices(settings))


def refused_notices(settings: Any) -> list[Notice]:
    with archive(settings.database_url)() as session:
        query = select(Notice).where(Notice.recipient == "nobody@example.com")
        return list(session.scalars(query))


async def test_a_refused_mailbox_warns_the_open_case_and_is_counted(
    env, task_queue, settings, inbox
):
    """Nothing stuck in silence: the real relay refuses the customer's letter for good, the
    open case gets a `delivery_problem` warning in its timeline, the outbox row is `failed`,
    and the backlog the metrics report counts it."""
    inbox.unknown.add("nobody@example.com")
    async with running_worker(env, settings, task_queue):
        handle = await open_case(env, task_queue, contact={"email": "nobody@example.com"})
        for _ in range(200):
            state = await handle.query("state")
            if any(e["kind"] == "warning" for e in state["timeline"]):
                break
            await asyncio.sleep(0.05)
        [warning] = [e for e in state["timeline"] if e["kind"] == "warning"]
        assert "nobody@example.com" in warning["detail"] or "refused" in warning["detail"]
        await handle.execute_update("cancel", {"by": "Li Wei", "reason": "fixed it"})
        await handle.result()
    assert "failed" in [n.status for n in refused_notices(settings)]
    pending, _, _ = backlog(archive(settings.database_url))
    assert pending >= 1
