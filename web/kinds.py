"""The two kinds of workflow the API fronts, as the contract names them."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from activities.archive.schema import CaseRecord, DisputeRecord
from client.cases import new_case_id
from client.disputes import new_dispute_id
from web.gateway import Kind, State
from web.models import NewCase, NewDispute
from workflows.details import static_details, static_summary
from workflows.ip_messages import DISPUTE_ACTIONS, DisputeState
from workflows.messages import ACTIONS, CaseRequest, CaseState, case_placed

OPENING = "opening"


def placed_case(state: State) -> bool:
    return case_placed(state.get("status"), state.get("coverage") is not None)


def _case_options(request: BaseModel) -> dict[str, Any]:
    case = CaseRequest.model_validate(request.model_dump())
    return {"static_summary": static_summary(case), "static_details": static_details(case)}


CASES = Kind(
    noun="case",
    workflow_type="RepairCase",
    prefix="case-",
    id_field="case_id",
    request=NewCase,
    state=CaseState,
    actions=ACTIONS,
    placed=placed_case,
    new_id=new_case_id,
    archive_table=CaseRecord.__table__,
    start_options=_case_options,
)

DISPUTES = Kind(
    noun="dispute",
    workflow_type="IpDispute",
    prefix="ip-",
    id_field="dispute_id",
    request=NewDispute,
    state=DisputeState,
    actions=DISPUTE_ACTIONS,
    placed=lambda state: state.get("status") != OPENING,
    new_id=new_dispute_id,
    archive_table=DisputeRecord.__table__,
)
