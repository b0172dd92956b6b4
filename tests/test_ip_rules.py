"""Clause 10 to the cent: the vendor bears every cost of an IP dispute; and the dispute file's
verdicts on actions, without a server."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from pydantic import ValidationError

from workflows import rules
from workflows.dispute_file import DisputeFile
from workflows.ip_activity_io import DisputeParties
from workflows.ip_messages import Cost, DisputeRequest, Note, Settle, Withdraw

NOW = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


def costs(*amounts: str) -> list[Cost]:
    return [Cost(description=f"cost {i}", amount=amount) for i, amount in enumerate(amounts)]


@pytest.mark.parametrize(
    ("amounts", "total"),
    [
        (["12000.00"], "12000.00"),
        (["12000.00", "3450.50"], "15450.50"),
        (["0.10", "0.20"], "0.30"),  # exact: never 0.30000000000000004
        (["0.01"] * 100, "1.00"),
        (["33.33", "33.33", "33.34"], "100.00"),
        (["1.5", "2"], "3.50"),  # plain decimals, read to the cent
        (["0.00"], "0.00"),
        (["999999999999.99"], "999999999999.99"),  # the most the ledger holds
    ],
)
def test_the_vendor_bears_the_exact_sum(amounts: list[str], total: str) -> None:
    charge = rules.price_ip_indemnity("CH-1", costs(*amounts), "CNY")
    assert (charge.kind, charge.payer, charge.currency) == ("ip_indemnity", "vendor", "CNY")
    assert str(charge.amount) == total
    assert (charge.coverage, charge.cause) == (None, None)
    assert [str(line.amount) for line in charge.lines] == [
        str(Decimal(a).quantize(Decimal("0.01"))) for a in amounts
    ]
    assert sum(line.amount for line in charge.lines) == charge.amount
    assert all(line.qty == 1 and line.unit_price == line.amount for line in charge.lines)


@pytest.mark.parametrize(
    "cost_list",
    [
        [],
        [{"description": "x", "amount": "-0.01"}],
        [{"description": "x", "amount": "0.001"}],
        [{"description": "", "amount": "1.00"}],
        [{"description": "x", "amount": "999999999999.99"}, {"description": "y", "amount": "1"}],
    ],
)
def test_a_settlement_that_cannot_be_booked_does_not_validate(cost_list: list[dict]) -> None:
    with pytest.raises(ValidationError):
        Settle.model_validate({"by": "Zhang", "outcome": "agreed", "costs": cost_list})


def opened() -> DisputeFile:
    request = DisputeRequest(
        dispute_id="IP-7", customer_id="CUST-7", claimant="Acme", right="patent", description="d"
    )
    dispute = DisputeFile.from_request(request, NOW, "run-1")
    dispute.open(DisputeParties(found=True), NOW)
    return dispute


def test_a_closed_dispute_refuses_every_new_action_but_answers_a_repeat() -> None:
    dispute = opened()
    withdraw = Withdraw(by="Zhang", reason="dropped")
    assert dispute.take("withdraw", withdraw, NOW) is None
    assert dispute.misfit("withdraw", withdraw) is None  # the same action again: a no-op
    for name, action in (("note", Note(by="Wang", text="late")), ("settle", None)):
        if action is None:
            action = Settle(by="Z", outcome="o", costs=costs("1.00"))
        assert dispute.misfit(name, action) == (
            "dispute IP-7 is closed (withdrawn); it takes no more actions"
        )


def test_keys_and_the_charge_id_derive_from_the_dispute_run_and_event() -> None:
    first, second = opened(), opened()
    assert [n.key for n in first.notices] == [
        "ip-IP-7/run-1/opened/executive",
        "ip-IP-7/run-1/opened/manager",
        "ip-IP-7/run-1/opened/customer",
    ]
    settle = Settle(by="Z", outcome="o", costs=costs("5.00"))
    first.take("settle", settle, NOW)
    second.take("settle", settle, NOW)
    assert first.state.charges[0].id == second.state.charges[0].id
