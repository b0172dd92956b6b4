"""What the Temporal UI shows for a dispute: its search attributes, summary and details.

A dispute publishes three of the case search attributes, so `CaseStatus = 'open'` finds open
disputes beside open cases (add `WorkflowType = 'IpDispute'` to keep to disputes).
"""

from __future__ import annotations

from typing import Any

from temporalio.common import SearchAttributeKey, SearchAttributeUpdate

from workflows.ip_messages import DisputeRequest, DisputeState
from workflows.search_attributes import CASE_STATUS, CUSTOMER_ID, EQUIPMENT_SERIAL

KEYS: tuple[SearchAttributeKey[Any], ...] = (CASE_STATUS, CUSTOMER_ID, EQUIPMENT_SERIAL)


def values_of(dispute: DisputeState) -> dict[str, Any]:
    return {
        CASE_STATUS.name: dispute.status.value,
        CUSTOMER_ID.name: dispute.customer_id,
        EQUIPMENT_SERIAL.name: dispute.equipment_serial,
    }


def changes(dispute: DisputeState, published: dict[str, Any]) -> list[SearchAttributeUpdate[Any]]:
    """The updates that bring the published attributes in line with the dispute (an
    attribute never set is left unset, not set to nothing)."""
    wanted = values_of(dispute)
    return [
        key.value_unset() if wanted[key.name] is None else key.value_set(wanted[key.name])
        for key in KEYS
        if published.get(key.name) != wanted[key.name]
    ]


def static_summary(request: DisputeRequest) -> str:
    serial = f" · {request.equipment_serial}" if request.equipment_serial else ""
    return f"IP {request.dispute_id} · {request.right.value} · {request.customer_id}{serial}"


def static_details(request: DisputeRequest) -> str:
    return "\n".join(
        [
            f"**Claimant:** {request.claimant} · **Right:** {request.right.value}",
            f"**Claim:** {request.description[:500]}",
            f"**Customer:** {request.customer_id} · "
            f"**Equipment:** {request.equipment_serial or '-'}",
        ]
    )


def current_details(dispute: DisputeState) -> str:
    right = dispute.right.value if dispute.right else "right unknown"
    lines = [
        f"**{dispute.status.value}** · {right} claim by {dispute.claimant or '-'}",
        f"customer {dispute.customer_name or dispute.customer_id or '-'}"
        f" · equipment {dispute.equipment_serial or '-'}",
        "the vendor takes charge and bears the costs (clause 10)",
    ]
    notes = [entry for entry in dispute.timeline if entry.kind == "note"]
    if notes:
        lines.append(f"{len(notes)} note(s); latest: {notes[-1].detail}")
    for charge in dispute.charges:
        lines.append(f"{charge.kind}: {charge.amount} {charge.currency} paid by {charge.payer}")
    if dispute.outcome:
        lines.append(f"outcome: {dispute.outcome.reason}")
    return "\n\n".join(lines)
