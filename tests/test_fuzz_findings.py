"""What the fuzzing found, kept as plain tests: each input was accepted, or echoed whole, before."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError
from temporalio.client import WorkflowUpdateFailedError

from activities.archive.csv_table import ImportRefused
from activities.archive.db import archive
from activities.archive.importer import import_equipment
from activities.archive.schema import Equipment
from tests.workflow_harness import desk, kinds
from workflows.messages import CaseRequest, Part, Reply, ThirdPartyRepair

CLAIM = {"vendor": "Acme", "invoice_ref": "I-1", "amount": "10.00"}


@pytest.mark.parametrize("amount", ["0", "0.00", 0, "-0", "-0.00", "٣٢٠", "１２"])
def test_a_third_party_amount_is_positive_and_in_ascii_digits(amount: Any) -> None:
    with pytest.raises(ValidationError, match="amount"):
        ThirdPartyRepair.model_validate({**CLAIM, "amount": amount})


@pytest.mark.parametrize("price", ["-0", "-0.00", "٣٢٠"])
def test_a_unit_price_is_never_signed_nor_in_other_digits(price: str) -> None:
    with pytest.raises(ValidationError, match="unit_price"):
        Part.model_validate({"part_no": "P-1", "qty": 1, "unit_price": price})


def test_a_text_with_a_nul_is_refused_as_postgresql_could_not_archive_it() -> None:
    request = {"case_id": "C-1", "customer_id": "CUST-7", "equipment_serial": "SN-42"}
    with pytest.raises(ValidationError, match="fault"):
        CaseRequest.model_validate({**request, "fault": "Chiller\x00trips"})
    with pytest.raises(ValidationError, match="phone"):
        CaseRequest.model_validate({**request, "fault": "x", "contact": {"phone": "1\x002"}})
    with pytest.raises(ValidationError, match="message"):
        Reply.model_validate({"by": "Zhang", "message": "on\x00it"})


@pytest.mark.parametrize("field", ["amount", "currency"])
def test_a_refusal_never_echoes_a_huge_input(field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        ThirdPartyRepair.model_validate({**CLAIM, field: "A" * 1_000_000})
    assert len(refused.value.errors(include_input=False)[0]["msg"]) < 200


async def test_a_misfit_signal_with_a_huge_value_keeps_a_short_reason(env, task_queue):
    async with desk(env, task_queue) as d:
        _, handle = await d.open()
        await handle.signal("third_party_repair", {**CLAIM, "currency": "X" * 1_000_000})
        await handle.signal("cancel", {"by": "Li Wei", "reason": "fixed it ourselves"})
        state = await handle.result()
        assert "rejected" in kinds(state)
        assert max(len(entry["detail"]) for entry in state["timeline"]) < 500


def test_a_nul_in_an_import_cell_is_a_problem_with_its_line(database_url, tmp_path):
    path = tmp_path / "archive.csv"
    header = "customer_id,customer_name,serial,model,site,warranty_start,warranty_months"
    path.write_text(f"{header}\nCUST-7,Acme,SN-42,CW\x00400,,2026-01-15,24\n", encoding="utf-8")
    sessions = archive(database_url)
    with pytest.raises(ImportRefused, match="line 2: model holds a NUL character"):
        import_equipment(sessions, path)
    with sessions() as session:
        assert session.get(Equipment, "SN-42") is None


@pytest.mark.parametrize("eta", ["9999-12-31T23:59:59Z", "2200-01-01T00:00:00+08:00"])
async def test_an_eta_far_ahead_is_refused_as_no_letter_could_show_it(env, task_queue, eta):
    async with desk(env, task_queue) as d:
        _, handle = await d.open()
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await handle.execute_update("dispatch", {"technician_id": "T-3", "eta": eta})
        assert "is more than 90 days ahead" in str(refused.value.cause)
