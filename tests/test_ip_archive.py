"""The dispute's local activities, called directly on real archives (SQLite and PostgreSQL):
rows written once however often an event is recorded."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from activities.archive.db import archive
from activities.archive.disputes import DisputeActivities
from activities.archive.importer import import_equipment
from activities.archive.schema import DisputeRecord, LedgerEntry, Notice
from activities.delivery.doorbell import Doorbell
from tests.conftest import make_settings
from tests.ip_fakes import SETTLE, dispute_request
from workflows.dispute_file import DisputeFile
from workflows.ip_activity_io import DisputeEvent, PartiesRequest
from workflows.ip_messages import DisputeRequest, Settle

SAMPLE = Path(__file__).parent.parent / "starter" / "data" / "sample-archive.csv"
AT = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


@pytest.fixture
def disputes(database_url: str) -> DisputeActivities:
    settings = make_settings(
        database_url, executive_email="ceo@example.com", timezone="Asia/Shanghai"
    )
    activities = DisputeActivities(settings, archive(database_url), Doorbell())
    import_equipment(activities.sessions, SAMPLE)
    return activities


@pytest.mark.parametrize(
    ("customer", "serial", "reason"),
    [
        ("CUST-7", None, None),
        ("CUST-7", "SN-42", None),
        ("CUST-404", None, "customer CUST-404 is not in the archive"),
        ("CUST-7", "SN-404", "equipment serial SN-404 is not in the archive"),
        ("CUST-7", "SN-50", "equipment serial SN-50 belongs to customer CUST-8 (Shanghai Pudong"),
    ],
)
def test_the_parties_are_placed_or_refused_with_the_reason(
    disputes: DisputeActivities, customer: str, serial: str | None, reason: str | None
) -> None:
    parties = disputes.lookup_dispute_parties(
        PartiesRequest(dispute_id="IP-7", customer_id=customer, equipment_serial=serial)
    )
    assert parties.found is (reason is None)
    if reason:
        assert parties.reason and parties.reason.startswith(reason)
    else:
        assert parties.customer_name == "北京华信制冷工程有限公司"
        assert parties.equipment_model == ("Chiller CW-400" if serial else None)


def events(disputes: DisputeActivities) -> tuple[DisputeEvent, DisputeEvent]:
    """The opening and the settlement of IP-7, as the workflow records them."""
    request = DisputeRequest.model_validate(dispute_request("IP-7"))
    dispute = DisputeFile.from_request(request, AT, "run-1")
    parties = disputes.lookup_dispute_parties(
        PartiesRequest(dispute_id="IP-7", customer_id="CUST-7", equipment_serial="SN-42")
    )
    dispute.open(parties, AT)
    notices, charges = dispute.take_effects()
    opening = DisputeEvent(
        run_id="run-1", at=AT, state=dispute.state.model_copy(deep=True), notices=notices
    )
    dispute.take("settle", Settle.model_validate(SETTLE), AT)
    notices, charges = dispute.take_effects()
    settling = DisputeEvent(
        run_id="run-1", at=AT, state=dispute.state, notices=notices, charges=charges
    )
    return opening, settling


def test_each_event_writes_its_rows_once_however_often_it_runs(
    disputes: DisputeActivities,
) -> None:
    opening, settling = events(disputes)
    with ThreadPoolExecutor(3) as pool:  # a retry may race the attempt it replaces
        list(pool.map(lambda _: _attempt(disputes, opening), range(3)))
    for event in (settling, settling, opening):  # a late, older snapshot changes nothing
        disputes.record_dispute_event(event)

    with disputes.sessions() as session:
        row = session.get_one(DisputeRecord, "IP-7")
        notices = session.scalars(select(Notice).order_by(Notice.key)).all()
        [ledger] = session.scalars(select(LedgerEntry)).all()
    assert (row.status, row.customer_id, row.right) == ("settled", "CUST-7", "patent")
    assert row.state["charges"][0]["amount"] == "15450.50"
    assert sorted((n.kind, n.audience) for n in notices) == [
        ("ip_acknowledgement", "customer"),
        ("ip_opened", "executive"),
        ("ip_opened", "manager"),
        ("ip_settled", "customer"),
        ("ip_settled", "executive"),
    ]
    event = json.loads(ledger.event)
    assert (event["subject"], event["id"], event["type"]) == (
        "IP-7",
        ledger.charge_id,
        "repairdesk.charge.recorded",
    )
    data = event["data"]
    assert (data["case_id"], data["kind"], data["payer"], data["amount"]) == (
        "IP-7",
        "ip_indemnity",
        "vendor",
        "15450.50",
    )
    assert (data["coverage"], data["cause"], data["equipment_serial"]) == (None, None, "SN-42")
    assert [line["amount"] for line in data["lines"]] == ["12000.00", "3450.50"]
    assert (ledger.delivery_status, ledger.attempts) == ("pending", 0)


def _attempt(disputes: DisputeActivities, event: DisputeEvent) -> None:
    """One attempt; one that loses the race fails on the unique key, and is retried."""
    for _ in range(3):
        try:
            disputes.record_dispute_event(event)
            return
        except SQLAlchemyError:  # the activity's retry, as Temporal would run it
            continue
    raise AssertionError("recording never succeeded")


def test_letters_speak_the_reader_s_language_and_clause_10(disputes: DisputeActivities) -> None:
    opening, settling = events(disputes)
    disputes.record_dispute_event(opening)
    disputes.record_dispute_event(settling)
    with disputes.sessions() as session:
        letters = {(n.kind, n.audience): n for n in session.scalars(select(Notice))}
    ack = letters[("ip_acknowledgement", "customer")]
    assert (ack.language, ack.recipient, ack.channel) == ("en", "liwei@example.com", "outbox")
    assert ack.subject == "[IP-7] We take charge of the intellectual-property dispute"
    assert "clause 10" in ack.body and "legal and economic consequences" in ack.body
    assert "Acme GmbH claims that Chiller CW-400 (SN-42)" in ack.body
    executive = letters[("ip_opened", "executive")]
    assert (executive.language, executive.recipient) == ("zh", "ceo@example.com")
    assert executive.subject == "[IP-7] 知识产权争议待处理:Acme GmbH 主张专利权"
    assert "2026-11-24 16:00 Asia/Shanghai" in executive.body
    assert letters[("ip_opened", "manager")].recipient is None
    settled = letters[("ip_settled", "executive")]
    assert settled.subject == "[IP-7] 知识产权争议已解决:15,450.50 CNY 由我方承担"
    assert "- licence fee: 12,000.00 CNY\n- legal counsel: 3,450.50 CNY" in settled.body
    customer = letters[("ip_settled", "customer")]
    assert "we bear all of its costs, 15,450.50 CNY; you owe nothing" in customer.body
