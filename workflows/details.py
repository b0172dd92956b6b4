"""What the Temporal UI shows for a case: its static summary and its current details."""

from __future__ import annotations

from datetime import datetime

from workflows.clock_text import shown
from workflows.messages import CaseRequest, CaseState


def static_summary(request: CaseRequest) -> str:
    flags = " · emergency" if request.emergency else ""
    return f"{request.case_id} · {request.customer_id} · {request.equipment_serial}{flags}"


def static_details(request: CaseRequest) -> str:
    contact = request.contact
    return "\n".join(
        [
            f"**Fault:** {request.fault[:500]}",
            f"**Customer:** {request.customer_id} · **Equipment:** {request.equipment_serial}",
            f"**Contact:** {contact.name or '-'} {contact.phone or ''} {contact.email or ''}",
            f"**On site requested:** {'yes' if request.onsite_requested else 'no'}",
        ]
    )


def current_details(case: CaseState) -> str:
    d = case.deadlines

    def _at(moment: datetime | None) -> str:
        return shown(moment, case.timezone)

    lines = [
        f"**{case.status.value}** · {case.coverage.value if case.coverage else 'coverage unknown'}",
        f"reply due {_at(d.reply_due)} · on site due {_at(d.onsite_due)} · "
        f"explanation due {_at(d.explanation_due)}",
    ]
    if case.met:
        lines.append("met: " + ", ".join(f"{sla} {_at(at)}" for sla, at in case.met.items()))
    if case.technician_id:
        lines.append(f"technician {case.technician_id} {case.technician_name or ''}".rstrip())
    if case.breaches:
        lines.append("**breached:** " + ", ".join(b.sla for b in case.breaches))
    if case.outcome:
        lines.append(f"outcome: {case.outcome.reason}")
    return "\n\n".join(lines)
