"""The case file: a repair case's state and how each event changes it, without any I/O.

`CaseFile` applies the rules to the case: opening it, the technicians' actions, the clocks.
Each change that must reach the outside world (a notice, a charge, a warranty extension) is
queued in `effects` for the workflow to carry out with activities. The workflow supplies the
time; nothing here reads a clock, so the same events always give the same case.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal

from workflows.v1_0 import rules
from workflows.v1_0.activity_io import Audience, CaseFacts
from workflows.v1_0.messages import (
    ENDED,
    Action,
    Arrive,
    Breach,
    CaseRequest,
    CaseState,
    Charge,
    Coverage,
    Dispatch,
    FieldError,
    Outcome,
    Repaired,
    Reply,
    Sla,
    Status,
    ThirdPartyRepair,
    TimelineEntry,
)

CHARGE_NAMESPACE = uuid.UUID("6f1c2a4e-5b7d-4e8a-9c3f-2d1e0b9a8c7d")


@dataclass(frozen=True)
class Notify:
    """Send notice `kind` to `audience`; `event` makes its idempotency key unique in the case."""

    kind: str
    audience: Audience
    event: str
    case: CaseState
    sla: Sla | None = None


@dataclass(frozen=True)
class BookCharge:
    charge: Charge


@dataclass(frozen=True)
class ExtendWarranty:
    event: str
    equipment_serial: str
    days: int
    new_end: date


Effect = Notify | BookCharge | ExtendWarranty


@dataclass(frozen=True)
class ClockEvent:
    at: datetime
    kind: Literal["warning", "breach"]
    sla: Sla


@dataclass
class CaseFile:
    state: CaseState
    run_id: str
    effects: list[Effect] = field(default_factory=list)
    _accepted: set[str] = field(default_factory=set)
    _misfits: set[str] = field(default_factory=set)
    _fired: set[tuple[str, str]] = field(default_factory=set)
    _counters: dict[str, int] = field(default_factory=dict)

    # --- opening and refusing ---

    @classmethod
    def from_request(cls, request: CaseRequest, reported_at: datetime, run_id: str) -> CaseFile:
        state = CaseState(
            case_id=request.case_id,
            status=Status.awaiting_reply,
            customer_id=request.customer_id,
            equipment_serial=request.equipment_serial,
            fault=request.fault,
            reported_at=reported_at,
            onsite_requested=request.onsite_requested,
            emergency=request.emergency,
            contact=request.contact,
        )
        return cls(state=state, run_id=run_id)

    @classmethod
    def invalid(
        cls, case_id: str, errors: list[FieldError], now: datetime, run_id: str
    ) -> CaseFile:
        case = cls(state=CaseState(case_id=case_id, status=Status.awaiting_reply), run_id=run_id)
        listed = "; ".join(f"{e.field}: {e.message}" for e in errors)
        case._end(Status.rejected, f"the request does not validate: {listed}", now, errors)
        return case

    @property
    def opened(self) -> bool:
        return self.state.coverage is not None

    @property
    def ended(self) -> bool:
        return self.state.status in ENDED

    def open(self, facts: CaseFacts, now: datetime) -> None:
        s = self.state
        s.coverage, s.warranty_ends_on, s.terms = (
            facts.coverage,
            facts.warranty_ends_on,
            facts.terms,
        )
        s.customer_name, s.equipment_model, s.site = (
            facts.customer_name,
            facts.equipment_model,
            facts.site,
        )
        self._reset_deadlines()
        self._log(now, "opened", self._opening_summary())
        first_notice = "remote_support" if self._emergency_support() else "acknowledgement"
        self._notify(first_notice, "customer", "opened", now)
        self._notify("new_case", "office", "opened", now)
        self.tick(now)

    def reject(self, reason: str, now: datetime) -> None:
        """The archive does not place the case: notify the office and the customer, and end."""
        self._end(Status.rejected, reason, now)
        self._notify("rejected", "office", "rejected", now)
        self._notify("rejected", "customer", "rejected", now)

    # --- the technicians' and the office's actions ---

    def misfit(self, name: str, action: Action, now: datetime) -> str | None:
        """Why `action` is refused; None when it fits, or repeats one already taken (a no-op)."""
        if _key(name, action) in self._accepted:
            return None
        return rules.misfit(name, action, self.state, now)

    def take(self, name: str, action: Action, now: datetime) -> str | None:
        """Apply `action` when it fits and is new; otherwise leave the case as it is and say
        why it was refused (None for a repeat)."""
        if _key(name, action) in self._accepted:
            return None
        if reason := rules.misfit(name, action, self.state, now):
            return reason
        self.apply(name, action, now)
        return None

    def record_misfit(self, name: str, reason: str, now: datetime) -> None:
        """A misfit signal: kept in the timeline (once per distinct reason), case unchanged."""
        if (mark := f"{name}:{reason}") in self._misfits:
            return
        self._misfits.add(mark)
        self._log(now, "rejected", f"{name} rejected: {reason}", {"action": name})

    def record_failure(self, detail: str, now: datetime) -> None:
        """An effect that could not be carried out even after its retries."""
        self._log(now, "warning", detail)

    def apply(self, name: str, action: Action, now: datetime) -> None:
        self._accepted.add(_key(name, action))
        self._log(now, name, _describe(name, action), action.model_dump(mode="json"))
        match action:
            case Reply():
                self._reply(now)
            case Dispatch():
                self._dispatch(action, now)
            case Arrive():
                self._arrive(now)
            case Repaired():
                self._repaired(action, now)
            case ThirdPartyRepair():
                self._third_party(action, now)
            case _:
                self._end(Status.cancelled, f"cancelled: {action.reason}", now)
                self._notify("cancelled", "customer", "cancel", now)
        self.tick(now)

    def _reply(self, now: datetime) -> None:
        self._meet("reply", now)
        if self.state.status is Status.awaiting_reply:
            self._set_status(Status.awaiting_technician)
        self._notify("reply", "customer", self._next("reply"), now)

    def _dispatch(self, action: Dispatch, now: datetime) -> None:
        s = self.state
        s.technician_id, s.technician_name = action.technician_id, action.technician_name
        self._set_status(Status.technician_dispatched)
        self._reset_deadlines()
        self._notify("dispatched", "customer", self._next("dispatch"), now)

    def _arrive(self, now: datetime) -> None:
        self._meet("onsite", now)
        self._set_status(Status.on_site)
        self._notify("arrived", "customer", "arrive", now)

    def _repaired(self, repair: Repaired, now: datetime) -> None:
        s = self.state
        assert s.coverage is not None and s.terms is not None
        s.cause = repair.cause
        self._meet("repair_24h", now)
        self._charge(
            rules.price_repair(self._charge_id("repair"), s.coverage, repair, s.terms), now
        )
        stopped_for = rules.downtime(repair)
        if stopped_for and rules.vendor_pays(s.coverage, repair.cause):
            self._extend_warranty(repair, stopped_for, now)
        self._end(Status.repaired, f"repaired by {s.technician_id}: {repair.cause.value}", now)
        self._notify("repaired", "customer", "repaired", now)

    def _extend_warranty(self, repair: Repaired, stopped_for: timedelta, now: datetime) -> None:
        s = self.state
        assert s.warranty_ends_on and s.equipment_serial and s.coverage and s.terms
        days = rules.extension_days(stopped_for)
        s.warranty_ends_on += timedelta(days=days)
        self.effects.append(
            ExtendWarranty("repaired", s.equipment_serial, days, s.warranty_ends_on)
        )
        self._log(
            now,
            "warranty_extended",
            f"warranty extended by {days} day(s) to {s.warranty_ends_on.isoformat()} (clause 7)",
            {"days": days, "warranty_ends_on": s.warranty_ends_on.isoformat()},
        )
        claim = rules.compensation_claim(
            self._charge_id("compensation"), s.coverage, repair.cause, stopped_for, s.terms.currency
        )
        self._charge(claim, now)

    def _third_party(self, claim: ThirdPartyRepair, now: datetime) -> None:
        charge = rules.price_third_party(self._charge_id("third_party"), self.state.coverage, claim)
        self._charge(charge, now)
        self._end(Status.third_party, f"repaired by third party {claim.vendor} (clause 4)", now)
        self._notify("third_party_repair", "executive", "third_party_repair", now)

    def _charge(self, charge: Charge, now: datetime) -> None:
        self.state.charges.append(charge)
        self.effects.append(BookCharge(charge))
        self._log(
            now,
            "charge",
            f"{charge.kind} {charge.amount} {charge.currency} paid by {charge.payer}",
            {"charge_id": charge.id},
        )

    # --- the clocks (clauses 2, 3 and 9) ---

    def clock_events(self) -> list[ClockEvent]:
        """Warnings and breaches still to come, earliest first."""
        s = self.state
        if self.ended or not self.opened or s.reported_at is None or s.terms is None:
            return []
        events = []
        for sla in rules.SLAS:
            due = rules.due_of(sla, s.deadlines)
            if due is None or sla in s.met:
                continue
            warn = rules.warning_at(s.reported_at, due, s.terms.warn_at)
            if ("warning", sla) not in self._fired and warn < due:
                events.append(ClockEvent(warn, "warning", sla))
            if ("breach", sla) not in self._fired:
                events.append(ClockEvent(due, "breach", sla))
        return sorted(events, key=lambda e: e.at)

    def next_clock_event(self) -> datetime | None:
        events = self.clock_events()
        return events[0].at if events else None

    def tick(self, now: datetime) -> None:
        for event in self.clock_events():
            if event.at > now:
                break
            self._fired.add((event.kind, event.sla))
            if event.kind == "breach":
                self._breach(event, now)
            elif now < (rules.due_of(event.sla, self.state.deadlines) or now):
                self._log(now, "warning", f"{event.sla} deadline is near", {"sla": event.sla})
                self._notify("warning", "office", f"warning-{event.sla}", now, event.sla)

    def _breach(self, event: ClockEvent, now: datetime) -> None:
        self.state.breaches.append(Breach(sla=event.sla, due=event.at, noticed_at=now))
        self._log(now, "breach", f"{event.sla} deadline missed", {"sla": event.sla})
        self._notify("breach", "manager", f"breach-{event.sla}", now, event.sla)
        if event.sla == "repair_24h":
            self._notify("written_explanation", "customer", "explanation", now, event.sla)
            self._notify("written_explanation", "executive", "explanation", now, event.sla)

    def _meet(self, sla: Sla, now: datetime) -> None:
        if rules.due_of(sla, self.state.deadlines) and sla not in self.state.met:
            self.state.met[sla] = now

    def _reset_deadlines(self) -> None:
        s = self.state
        assert s.reported_at and s.coverage and s.terms
        onsite_needed = s.onsite_requested or s.technician_id is not None
        s.deadlines = rules.deadlines(
            s.reported_at, s.coverage, s.emergency, onsite_needed, s.terms
        )

    # --- bookkeeping ---

    def _emergency_support(self) -> bool:
        return self.state.emergency and self.state.coverage is Coverage.post_warranty

    def _opening_summary(self) -> str:
        s = self.state
        due = ", ".join(
            f"{sla} due {d.strftime('%Y-%m-%d %H:%M:%S UTC')}"
            for sla in rules.SLAS
            if (d := rules.due_of(sla, s.deadlines)) is not None
        )
        assert s.coverage
        return f"{s.coverage.value} until {s.warranty_ends_on}; {due}"

    def _end(
        self, status: Status, reason: str, now: datetime, errors: list[FieldError] | None = None
    ) -> None:
        self._set_status(status)
        self.state.outcome = Outcome(status=status, reason=reason, at=now, errors=errors or [])
        self._log(now, "closed", reason)

    def _set_status(self, status: Status) -> None:
        self.state.status = status

    def _notify(
        self, kind: str, audience: Audience, event: str, now: datetime, sla: Sla | None = None
    ) -> None:
        self._log(now, "notice", f"{kind} notice to the {audience}", {"kind": kind})
        snapshot = self.state.model_copy(deep=True)
        self.effects.append(Notify(kind, audience, event, snapshot, sla))

    def _log(self, now: datetime, kind: str, detail: str, data: dict | None = None) -> None:
        self.state.timeline.append(TimelineEntry(at=now, kind=kind, detail=detail, data=data))
        self.state.version += 1

    def _next(self, event: str) -> str:
        self._counters[event] = self._counters.get(event, 0) + 1
        return f"{event}-{self._counters[event]}"

    def _charge_id(self, event: str) -> str:
        return str(uuid.uuid5(CHARGE_NAMESPACE, f"{self.state.case_id}/{self.run_id}/{event}"))

    def take_effects(self) -> list[Effect]:
        taken, self.effects = self.effects, []
        return taken


def _key(name: str, action: Action) -> str:
    return f"{name}:{action.model_dump_json()}"


def _describe(name: str, action: Action) -> str:
    match action:
        case Reply():
            return f"reply by {action.by}: {action.message[:200]}"
        case Dispatch():
            eta = f", eta {action.eta.isoformat()}" if action.eta else ""
            return f"technician {action.technician_id} dispatched{eta}"
        case Arrive():
            return f"technician {action.technician_id} on site"
        case Repaired():
            return f"repaired by {action.technician_id}, cause {action.cause.value}"
        case ThirdPartyRepair():
            return f"third-party repair by {action.vendor}: {action.amount} {action.currency}"
        case _:
            return f"cancelled by {action.by}: {action.reason[:200]}"
