"""The values each kind of letter fills in: the case in general plus what the event adds.

A kind that is not listed here has no template either; rendering it fails loudly, so a new
notice kind in the workflow is noticed in the tests, not by a customer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from activities.notices import charges
from activities.notices.case_facts import common, last_entry, technician
from activities.notices.explanation import explanation
from activities.notices.wording import Wording
from workflows import rules
from workflows.activity_io import Audience
from workflows.messages import Breach, CaseState, Sla

Context = dict[str, str]


@dataclass(frozen=True)
class LetterRequest:
    """What a letter is rendered from: its kind and addressee, and the case as it stands (the
    event the letter is about is the case's newest of that kind)."""

    kind: str
    audience: Audience
    case: CaseState
    sla: Sla | None = None


def letter_context(request: LetterRequest, words: Wording) -> Context:
    return common(request.case, words) | _BY_KIND[request.kind](request, words)


def _nothing(request: LetterRequest, words: Wording) -> Context:
    return {}


def _remote_support(request: LetterRequest, words: Wording) -> Context:
    return {"phone": request.case.contact.phone or words.phrase("phone_unknown")}


def _new_case(request: LetterRequest, words: Wording) -> Context:
    case = request.case
    return {
        "emergency": words.phrase("yes" if case.emergency else "no"),
        "onsite_requested": words.phrase("yes" if case.onsite_requested else "no"),
    }


def _reply(request: LetterRequest, words: Wording) -> Context:
    data = _data(request.case, "reply")
    return {"reply_by": str(data.get("by", "-")), "reply_message": str(data.get("message", "-"))}


def _dispatched(request: LetterRequest, words: Wording) -> Context:
    eta = _moment(_data(request.case, "dispatch").get("eta"))
    return {
        "technician": technician(request.case),
        "eta": words.time(eta) if eta else words.phrase("eta_unknown"),
    }


def _arrived(request: LetterRequest, words: Wording) -> Context:
    """On site at the time the technician reported, else when the arrival was recorded."""
    entry = last_entry(request.case, "arrive")
    at = entry and (_moment((entry.data or {}).get("at")) or entry.at)
    return {"technician": technician(request.case), "arrived_at": words.time(at) if at else "-"}


def _warning(request: LetterRequest, words: Wording) -> Context:
    case, sla = request.case, _sla(request)
    due = rules.due_of(sla, case.deadlines)
    warned = last_entry(case, "warning")
    left = words.span(due - warned.at) if due and warned else "-"
    return {
        "sla": words.phrase(f"sla_{sla}"),
        "due": words.time(due) if due else "-",
        "left": left,
        "technician": technician(case),
    }


def _breach(request: LetterRequest, words: Wording) -> Context:
    sla = _sla(request)
    breach = next((b for b in reversed(request.case.breaches) if b.sla == sla), None)
    return {
        "sla": words.phrase(f"sla_{sla}"),
        "technician": technician(request.case),
        **_lateness(breach, words),
    }


def _lateness(breach: Breach | None, words: Wording) -> Context:
    if breach is None:
        return {"due": "-", "noticed_at": "-", "late": "-"}
    return {
        "due": words.time(breach.due),
        "noticed_at": words.time(breach.noticed_at),
        "late": words.span(breach.noticed_at - breach.due),
    }


def _written_explanation(request: LetterRequest, words: Wording) -> Context:
    return explanation(request.case, words)


def _repaired(request: LetterRequest, words: Wording) -> Context:
    case = request.case
    repaired, extended = _data(case, "repaired"), _own_extension(case)
    cause = words.phrase(f"cause_{case.cause.value}") if case.cause else "-"
    notes = repaired.get("notes")
    return {
        "technician": technician(case),
        "cause": cause,
        "notes": words.phrase("notes", notes=str(notes)) if notes else "",
        "extension": words.phrase("extension", **_strings(extended)) if extended else "",
        **charges.repair(case, words),
    }


def _cancelled(request: LetterRequest, words: Wording) -> Context:
    data = _data(request.case, "cancel")
    return {"cancelled_by": str(data.get("by", "-")), "cancel_reason": str(data.get("reason", "-"))}


def _rejected(request: LetterRequest, words: Wording) -> Context:
    outcome = request.case.outcome
    return {"reason": outcome.reason if outcome else "-"}


def _third_party_repair(request: LetterRequest, words: Wording) -> Context:
    case = request.case
    data = _data(case, "third_party_repair")
    charge = charges.charge_of(case, ("third_party_reimbursement",))
    missed = ", ".join(words.phrase(f"sla_{b.sla}") for b in case.breaches) or "-"
    return {
        "vendor": str(data.get("vendor", "-")),
        "invoice": str(data.get("invoice_ref", "-")),
        "amount": words.money(charge.amount, charge.currency) if charge else "-",
        "missed": missed,
    }


def _data(case: CaseState, kind: str) -> dict[str, object]:
    entry = last_entry(case, kind)
    return dict(entry.data or {}) if entry else {}


def _own_extension(case: CaseState) -> dict[str, object]:
    """The clause 7 extension this repair earned; not one another case's extension brought
    (that one names `by_case`, and the repair it covers is free), nor a downtime another case
    had counted before (no days earned)."""
    data = _data(case, "warranty_extended")
    return {} if "by_case" in data or not data.get("days") else data


def _strings(data: dict[str, object]) -> dict[str, str]:
    return {key: str(value) for key, value in data.items()}


def _moment(value: object) -> datetime | None:
    """A time from a timeline entry's data, which holds the action as JSON."""
    return datetime.fromisoformat(value) if isinstance(value, str) else None


def _sla(request: LetterRequest) -> Sla:
    if request.sla is None:
        raise ValueError(
            f"a {request.kind} notice needs the SLA it is about (case {request.case.case_id})"
        )
    return request.sla


_BY_KIND: dict[str, Callable[[LetterRequest, Wording], Context]] = {
    "acknowledgement": _nothing,
    "remote_support": _remote_support,
    "new_case": _new_case,
    "reply": _reply,
    "dispatched": _dispatched,
    "arrived": _arrived,
    "warning": _warning,
    "breach": _breach,
    "written_explanation": _written_explanation,
    "repaired": _repaired,
    "cancelled": _cancelled,
    "rejected": _rejected,
    "third_party_repair": _third_party_repair,
}

KINDS = tuple(_BY_KIND)
