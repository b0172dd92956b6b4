"""What the letters say about a case in general: who, which equipment, which clocks run.

Every letter gets these values; the kind-specific ones come from the modules beside this.
"""

from __future__ import annotations

from activities.notices.wording import Wording
from workflows import rules
from workflows.messages import CaseState, TimelineEntry

HOTLINE = "010-87206221"


def last_entry(case: CaseState, kind: str) -> TimelineEntry | None:
    """The latest timeline entry of `kind`: the event the notice is about is the newest one."""
    return next((entry for entry in reversed(case.timeline) if entry.kind == kind), None)


def technician(case: CaseState) -> str:
    if case.technician_name:
        return f"{case.technician_name} ({case.technician_id})"
    return case.technician_id or "-"


def common(case: CaseState, words: Wording) -> dict[str, str]:
    contact = case.contact
    return {
        "case_id": case.case_id,
        "hotline": HOTLINE,
        "customer": case.customer_name or case.customer_id or "-",
        "customer_id": case.customer_id or "-",
        "contact_name": contact.name or words.phrase("customer"),
        "contact": ", ".join(filter(None, [contact.name, contact.phone, contact.email])) or "-",
        "equipment": _equipment(case),
        "site": case.site or "-",
        "fault": case.fault or "-",
        "reported_at": words.time(case.reported_at) if case.reported_at else "-",
        "status": words.phrase(f"status_{case.status.value}"),
        "coverage": _coverage(case, words),
        "deadlines": deadlines(case, words),
    }


def _equipment(case: CaseState) -> str:
    serial = case.equipment_serial or "-"
    return f"{case.equipment_model} ({serial})" if case.equipment_model else serial


def _coverage(case: CaseState, words: Wording) -> str:
    if case.coverage is None or case.warranty_ends_on is None:
        return words.phrase("coverage_unknown")
    ends_on = case.warranty_ends_on.isoformat()
    return words.phrase(f"coverage_{case.coverage.value}", ends_on=ends_on)


def deadlines(case: CaseState, words: Wording) -> str:
    """The commitments still running, one line each (clauses 2, 3 and 9)."""
    lines = []
    for sla in rules.SLA_FIELDS:
        due = rules.due_of(sla, case.deadlines)
        if sla in case.met:
            continue
        if due is not None:
            lines.append(words.phrase(f"due_{sla}", due=words.time(due)))
        elif sla == "onsite":
            lines.append(_onsite_without_deadline(case, words))
    return "\n".join(f"- {line}" for line in lines)


def _onsite_without_deadline(case: CaseState, words: Wording) -> str:
    """In warranty a technician comes on request, still 3 h from the report; after the
    warranty a visit that is not an emergency is agreed with the customer."""
    on_request = (
        rules.onsite_span(case.coverage, case.emergency, True, case.terms)
        if case.coverage and case.terms
        else None
    )
    if on_request and case.reported_at:
        due = words.time(case.reported_at + on_request)
        return words.phrase("due_onsite_on_request", due=due)
    return words.phrase("due_onsite_by_agreement")
