"""The case's search attributes, for the Temporal UI and `temporal workflow list --query`."""

from __future__ import annotations

from typing import Any

from temporalio.common import SearchAttributeKey, SearchAttributeUpdate

from workflows.v1_0.messages import CaseState

CASE_STATUS = SearchAttributeKey.for_keyword("CaseStatus")
CUSTOMER_ID = SearchAttributeKey.for_keyword("CustomerId")
EQUIPMENT_SERIAL = SearchAttributeKey.for_keyword("EquipmentSerial")
COVERAGE = SearchAttributeKey.for_keyword("Coverage")
TECHNICIAN_ID = SearchAttributeKey.for_keyword("TechnicianId")
SLA_BREACHED = SearchAttributeKey.for_bool("SlaBreached")
EMERGENCY = SearchAttributeKey.for_bool("Emergency")

ALL_KEYS: tuple[SearchAttributeKey[Any], ...] = (
    CASE_STATUS,
    CUSTOMER_ID,
    EQUIPMENT_SERIAL,
    COVERAGE,
    TECHNICIAN_ID,
    SLA_BREACHED,
    EMERGENCY,
)


def values_of(case: CaseState) -> dict[str, Any]:
    """The value each search attribute should hold for the case (None: not set)."""
    return {
        CASE_STATUS.name: case.status.value,
        CUSTOMER_ID.name: case.customer_id,
        EQUIPMENT_SERIAL.name: case.equipment_serial,
        COVERAGE.name: case.coverage.value if case.coverage else None,
        TECHNICIAN_ID.name: case.technician_id,
        SLA_BREACHED.name: bool(case.breaches),
        EMERGENCY.name: case.emergency,
    }


def changes(case: CaseState, published: dict[str, Any]) -> list[SearchAttributeUpdate[Any]]:
    """The updates that bring the published attributes in line with the case."""
    wanted = values_of(case)
    updates: list[SearchAttributeUpdate[Any]] = []
    for key in ALL_KEYS:
        value = wanted[key.name]
        if key.name in published and published[key.name] == value:
            continue
        updates.append(key.value_unset() if value is None else key.value_set(value))
    return updates
