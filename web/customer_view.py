"""What the customer's page of a case shows (`GET /c/{token}`), and nothing more.

The page is drawn from this view alone, never from the case state, so nothing internal can
reach it by a slip in a template: no staff address, no letter, no timeline entry, no other
customer, no charge the vendor bears. Its words are the letters' (activities/notices), in the
contact's language, so the page and the letters say the same thing the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from activities.notices import charges
from activities.notices.case_facts import HOTLINE, last_entry
from activities.notices.explanation import explanation
from activities.notices.wording import Wording
from workflows import rules
from workflows.messages import CaseState


@dataclass(frozen=True)
class Commitment:
    label: str
    due: str
    state: str  # "met", "breached" or "running"
    met_at: str | None


@dataclass(frozen=True)
class Explanation:
    history: str
    reason: str | None
    measures: str


@dataclass(frozen=True)
class CustomerView:
    case_id: str
    status: str
    status_label: str
    equipment: str
    site: str | None
    fault: str
    reported_at: str
    commitments: list[Commitment]
    technician: str | None
    eta: str | None
    arrived_at: str | None
    reply: str | None
    explanation: Explanation | None
    work: str | None
    cost: str | None
    closed_at: str | None
    hotline: str = HOTLINE


def customer_view(case: CaseState, words: Wording) -> CustomerView:
    repair = charges.repair(case, words) if charges.charge_of(case, charges.REPAIR_KINDS) else {}
    return CustomerView(
        case_id=case.case_id,
        status=case.status.value,
        status_label=words.phrase(f"status_{case.status.value}"),
        equipment=" ".join(filter(None, [case.equipment_model, case.equipment_serial])) or "-",
        site=case.site,
        fault=case.fault or "-",
        reported_at=_time(case.reported_at, words) or "-",
        commitments=_commitments(case, words),
        technician=case.technician_name or case.technician_id,
        eta=_time(_moment(_data(case, "dispatch").get("eta")), words),
        arrived_at=_arrived(case, words),
        reply=_text(_data(case, "reply").get("message")),
        explanation=_explanation(case, words),
        work=repair.get("work"),
        cost=repair.get("cost"),
        closed_at=_time(case.outcome.at if case.outcome else None, words),
    )


def _commitments(case: CaseState, words: Wording) -> list[Commitment]:
    breached = {breach.sla for breach in case.breaches}
    commitments = []
    for sla in rules.SLAS:
        due = rules.due_of(sla, case.deadlines)
        if due is None:
            continue
        met = case.met.get(sla)
        state = "breached" if sla in breached else "met" if met else "running"
        commitments.append(
            Commitment(words.phrase(f"sla_{sla}"), words.time(due), state, _time(met, words))
        )
    return commitments


def _explanation(case: CaseState, words: Wording) -> Explanation | None:
    """The written explanation of clause 3, sent when the 24 h repair deadline was missed;
    once the case has ended its status says how, so the reason it is not repaired is left out."""
    if not any(breach.sla == "repair_24h" for breach in case.breaches):
        return None
    written = explanation(case, words)
    reason = None if case.outcome else written["reason"]
    return Explanation(written["history"], reason, written["measures"])


def _arrived(case: CaseState, words: Wording) -> str | None:
    entry = last_entry(case, "arrive")
    return _time(entry and (_moment((entry.data or {}).get("at")) or entry.at), words)


def _data(case: CaseState, kind: str) -> dict[str, object]:
    entry = last_entry(case, kind)
    return dict(entry.data or {}) if entry else {}


def _text(value: object) -> str | None:
    return str(value) if value else None


def _moment(value: object) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None


def _time(moment: datetime | None, words: Wording) -> str | None:
    return words.time(moment) if moment else None
