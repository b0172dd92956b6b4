"""The written explanation of clause 3: what happened so far, why the equipment is not yet
repaired, and what we do to limit the customer's loss. Everything comes from the case itself.
"""

from __future__ import annotations

from activities.notices.case_facts import technician
from activities.notices.wording import Wording
from workflows import rules
from workflows.messages import CaseState, Status, TimelineEntry

# The timeline entries a customer cares about; warnings, notices and charges are internal.
_TOLD = ("opened", "reply", "dispatch", "arrive", "breach")


def explanation(case: CaseState, words: Wording) -> dict[str, str]:
    return {
        "history": "\n".join(
            f"- {words.time(entry.at)} {_event(entry, case, words)}"
            for entry in case.timeline
            if entry.kind in _TOLD
        ),
        "reason": _reason(case, words),
        "measures": "\n".join(f"- {measure}" for measure in _measures(case, words)),
    }


def _event(entry: TimelineEntry, case: CaseState, words: Wording) -> str:
    data = entry.data or {}
    if entry.kind == "reply":
        return words.phrase("history_reply", by=str(data.get("by", "-")))
    if entry.kind in ("dispatch", "arrive"):
        return words.phrase(f"history_{entry.kind}", technician=_named(data, case))
    if entry.kind == "breach":
        return words.phrase("history_breach", sla=words.phrase(f"sla_{data.get('sla')}"))
    return words.phrase("history_opened", case_id=case.case_id)


def _named(data: dict[str, object], case: CaseState) -> str:
    """The technician of a dispatch or an arrival by name; an arrival carries only the id."""
    technician_id = data.get("technician_id")
    same = technician_id == case.technician_id and case.technician_name
    return str(data.get("technician_name") or (same and case.technician_name) or technician_id)


def _reason(case: CaseState, words: Wording) -> str:
    """Why it is not repaired yet, as far as the case knows: the step it is waiting for."""
    if case.status in (Status.technician_dispatched, Status.on_site):
        return words.phrase(f"reason_{case.status.value}", technician=technician(case))
    if case.status in (Status.awaiting_reply, Status.awaiting_technician):
        return words.phrase(f"reason_{case.status.value}")
    outcome = case.outcome.reason if case.outcome else case.status.value
    return words.phrase("reason_closed", outcome=outcome)


def _measures(case: CaseState, words: Wording) -> list[str]:
    measures = [words.phrase("measure_escalated"), words.phrase("measure_priority")]
    if rules.third_party_allowed(case.breaches):
        measures.append(words.phrase("measure_third_party_now"))
    else:
        measures.append(words.phrase("measure_third_party_if"))
    return measures
