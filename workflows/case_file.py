"""The case file: a repair case's state and how each event changes it, without any I/O.

`CaseFile` applies the rules to the case: opening it, the technicians' actions, the clocks.
Each change that must reach the outside world (a notice, a charge, a warranty extension) is
queued in `effects` for the workflow to record with an activity. The workflow supplies the
time; nothing here reads a clock, so the same events always give the same case.

Verdicts are judged at the moment of the event: before an action is taken, every deadline
that passed before it is recorded as missed, so an action accepted late (the worker was down,
or the action and the timer came in one workflow task) never erases a breach.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal

from workflows import rules
from workflows.activity_io import Audience, CaseFacts, DowntimeCounted
from workflows.clock_text import shown, zone
from workflows.messages import (
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
    listed,
)

CHARGE_NAMESPACE = uuid.UUID("6f1c2a4e-5b7d-4e8a-9c3f-2d1e0b9a8c7d")
# A breach is noticed the instant after its due time: an action at the due time meets it.
INSTANT = timedelta(milliseconds=1)


@dataclass(frozen=True)
class Notify:
    """Send notice `kind` to `audience`; `event` makes its idempotency key unique in the case."""

    kind: str
    audience: Audience
    event: str
    sla: Sla | None = None


@dataclass(frozen=True)
class BookCharge:
    charge: Charge


@dataclass(frozen=True)
class ExtendWarranty:
    event: str
    equipment_serial: str
    days: int


Effect = Notify | BookCharge | ExtendWarranty


@dataclass(frozen=True)
class ClockEvent:
    at: datetime
    kind: Literal["warning", "breach"]
    sla: Sla

    @property
    def wakes_at(self) -> datetime:
        return self.at + INSTANT if self.kind == "breach" else self.at

    def fired_by(self, now: datetime) -> bool:
        return self.wakes_at <= now


@dataclass
class CaseFile:
    """`counts_once` (since engine v1.4, contract v1.2): the archive counts clause 7 downtime
    once per stretch of a serial, and a visit the vendor offers starts the on-site clock when
    it is dispatched. Older cases keep the verdicts they were opened with."""

    state: CaseState
    run_id: str
    counts_once: bool = False
    effects: list[Effect] = field(default_factory=list)
    _last_taken: dict[str, str] = field(default_factory=dict)
    _misfits: set[str] = field(default_factory=set)
    _fired: set[tuple[str, str]] = field(default_factory=set)
    _counters: dict[str, int] = field(default_factory=dict)

    # --- opening and refusing ---

    @classmethod
    def from_request(
        cls, request: CaseRequest, reported_at: datetime, run_id: str, counts_once: bool = False
    ) -> CaseFile:
        state = CaseState(
            case_id=request.case_id,
            status=Status.opening,
            customer_id=request.customer_id,
            equipment_serial=request.equipment_serial,
            fault=request.fault,
            reported_at=reported_at,
            onsite_requested=request.onsite_requested,
            emergency=request.emergency,
            contact=request.contact,
        )
        return cls(state=state, run_id=run_id, counts_once=counts_once)

    @classmethod
    def invalid(
        cls, case_id: str, errors: list[FieldError], now: datetime, run_id: str
    ) -> CaseFile:
        case = cls(state=CaseState(case_id=case_id, status=Status.opening), run_id=run_id)
        reason = f"the request does not validate: {listed(errors)}"
        case._end(Status.rejected, reason, now, errors)
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
        s.timezone = facts.timezone
        s.status = Status.awaiting_reply
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

    def reject_taken_id(self, reason: str, now: datetime) -> None:
        """The archive holds an earlier case under this id: a case id names one case for ever.
        End at once, with no letter (the customer's earlier case is not this one)."""
        self._end(Status.rejected, reason, now)

    def adopt_warranty_end(self, ends_on: date | None) -> None:
        """The archive's warranty end for the equipment (every clause 7 extension of every case
        on that serial): one source, so two cases on one serial agree."""
        if ends_on is not None and self.opened and ends_on != self.state.warranty_ends_on:
            self.state.warranty_ends_on = ends_on
            self.state.version += 1

    def comes_under_warranty(self, ends_on: date | None) -> bool:
        """Whether the warranty end `ends_on` would bring this open case under the warranty."""
        s = self.state
        if ends_on is None or not self.opened or self.ended or s.reported_at is None:
            return False
        assert s.coverage is not None
        reported_on = rules.reported_on(s.reported_at, zone(s.timezone))
        return rules.covered_by_extension(s.coverage, reported_on, ends_on)

    def cover(self, ends_on: date, by_case: str | None, now: datetime) -> None:
        """Another case's clause 7 extension moved the warranty's end to `ends_on`, on or after
        this case's report: the case is in warranty from now on, and its repair is free (clause
        1). Its clocks stay as they were set when it opened."""
        s = self.state
        s.warranty_ends_on, s.coverage = ends_on, Coverage.in_warranty
        by = f" by case {by_case}" if by_case else ""
        self._log(
            now,
            "warranty_extended",
            f"warranty extended{by} to {ends_on.isoformat()} (clause 7): this case is now "
            "in warranty",
            {"warranty_ends_on": ends_on.isoformat(), "by_case": by_case},
        )

    # --- the technicians' and the office's actions ---

    def misfit(self, name: str, action: Action, now: datetime) -> str | None:
        """Why `action` would be refused at `now`; None when it fits, or repeats the last one
        of its name (a no-op). Changes nothing: the update validator asks this."""
        if self._repeats(name, action):
            return None
        judged = self.state.model_copy(
            update={"breaches": [*self.state.breaches, *self._missed_before(now)]}
        )
        return rules.misfit(name, action, judged, now)

    def take(
        self, name: str, action: Action, now: datetime, counted: DowntimeCounted | None = None
    ) -> str | None:
        """Judge the clocks up to `now`, then apply `action` when it fits and is new; otherwise
        leave the case as it is and say why it was refused (None for a repeat). `counted`: the
        archive's count of a repair's downtime (`downtime_to_count`)."""
        self.tick(now, before_action=True)
        if self._repeats(name, action):
            return None
        if reason := rules.misfit(name, action, self.state, now):
            return reason
        self._apply(name, action, now, counted)
        return None

    def downtime_to_count(self, name: str, action: Action, now: datetime) -> rules.Stretch | None:
        """The stretch of downtime the archive must count before `action` is taken: a repair
        that fits and earns clause 7 (since v1.4; an older case extends by its own count)."""
        s = self.state
        if not (self.counts_once and isinstance(action, Repaired) and s.coverage):
            return None
        if self.misfit(name, action, now) or self._repeats(name, action):
            return None
        return rules.extending_stretch(s.coverage, action)

    def record_misfit(self, name: str, reason: str, now: datetime) -> None:
        """A misfit signal: kept in the timeline (once per distinct reason), case unchanged."""
        if (mark := f"{name}:{reason}") in self._misfits:
            return
        self._misfits.add(mark)
        self._log(now, "rejected", f"{name} rejected: {reason}", {"action": name})

    def record_failure(self, detail: str, now: datetime) -> None:
        """An effect that could not be carried out, or a letter or finance event that could
        not be delivered: a warning on the case."""
        self._log(now, "warning", detail)

    def _repeats(self, name: str, action: Action) -> bool:
        """The same action as the last one of its name: a retry, which changes nothing."""
        return self._last_taken.get(name) == action.model_dump_json()

    def _apply(
        self, name: str, action: Action, now: datetime, counted: DowntimeCounted | None
    ) -> None:
        self._last_taken[name] = action.model_dump_json()
        self._log(now, name, _describe(name, action), action.model_dump(mode="json"))
        match action:
            case Reply():
                self._reply(now)
            case Dispatch():
                self._dispatch(action, now)
            case Arrive():
                self._arrive(now)
            case Repaired():
                self._repaired(action, now, counted)
            case ThirdPartyRepair():
                self._third_party(action, now)
            case _:
                self._end(Status.cancelled, f"cancelled: {action.reason}", now)
                self._notify("cancelled", "customer", "cancel", now)
        self.tick(now)

    def _reply(self, now: datetime) -> None:
        self._meet("reply", now)
        if self.state.status is Status.awaiting_reply:
            self.state.status = Status.awaiting_technician
        self._notify("reply", "customer", self._next("reply"), now)

    def _dispatch(self, action: Dispatch, now: datetime) -> None:
        s = self.state
        self._meet("reply", now)
        if self.counts_once and s.technician_id is None:
            assert s.coverage is not None
            s.onsite_clock_from = rules.onsite_clock_from(
                s.coverage, s.emergency, s.onsite_requested, now
            )
        s.technician_id, s.technician_name = action.technician_id, action.technician_name
        s.status = Status.technician_dispatched
        self._reset_deadlines()
        self._notify("dispatched", "customer", self._next("dispatch"), now)

    def _arrive(self, now: datetime) -> None:
        self._meet("reply", now)
        self._meet("onsite", now)
        self.state.status = Status.on_site
        self._notify("arrived", "customer", "arrive", now)

    def _repaired(self, repair: Repaired, now: datetime, counted: DowntimeCounted | None) -> None:
        s = self.state
        assert s.coverage is not None and s.terms is not None
        s.cause = repair.cause
        self._meet("repair_24h", now)
        self._charge(
            rules.price_repair(self._charge_id("repair"), s.coverage, repair, s.terms), now
        )
        stopped_for = rules.downtime(repair)
        if counted is not None:
            self._counted_downtime(repair, counted, now)
        elif stopped_for and rules.earns_extension(s.coverage, repair.cause):
            self._extend_warranty(repair, stopped_for, now)
        self._end(Status.repaired, f"repaired by {s.technician_id}: {repair.cause.value}", now)
        self._notify("repaired", "customer", "repaired", now)

    def _extend_warranty(self, repair: Repaired, stopped_for: timedelta, now: datetime) -> None:
        """Clause 7: the warranty moves later by the downtime; the archive's end, read back
        after it records the extension, replaces the one computed here."""
        s = self.state
        assert s.warranty_ends_on and s.equipment_serial and s.coverage and s.terms
        days = rules.extension_days(stopped_for)
        s.warranty_ends_on += timedelta(days=days)
        self.effects.append(ExtendWarranty("repaired", s.equipment_serial, days))
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

    def _counted_downtime(self, repair: Repaired, counted: DowntimeCounted, now: datetime) -> None:
        """Clause 7 as the archive counted it (v1.4): the warranty end it now holds, the days
        this stretch added to the union of the equipment's stretches, and a compensation claim
        for the downtime no other case claimed before."""
        s = self.state
        assert s.coverage is not None and s.terms is not None
        s.warranty_ends_on = counted.warranty_ends_on
        end = counted.warranty_ends_on.isoformat()
        if counted.days:
            detail = f"warranty extended by {counted.days} day(s) to {end} (clause 7)"
        else:
            detail = (
                f"this downtime was counted before by another case on the equipment: the "
                f"warranty stays until {end} (clause 7)"
            )
        self._log(now, "warranty_extended", detail, {"days": counted.days, "warranty_ends_on": end})
        claim = rules.compensation_claim(
            self._charge_id("compensation"),
            s.coverage,
            repair.cause,
            counted.downtime,
            s.terms.currency,
            counted.days,
        )
        if claim.downtime_hours:  # not when every hour of it was claimed before
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
        return sorted(events, key=lambda e: e.wakes_at)

    def next_clock_event(self) -> datetime | None:
        events = self.clock_events()
        return events[0].wakes_at if events else None

    def tick(self, now: datetime, before_action: bool = False) -> None:
        """Fire every warning and breach due by `now`. Before an action, only the breaches:
        a warning the action makes moot is not sent."""
        for event in self.clock_events():
            if not event.fired_by(now):
                break
            if event.kind == "breach":
                self._fired.add((event.kind, event.sla))
                self._breach(event, now)
            elif not before_action:
                self._fired.add((event.kind, event.sla))
                self._warn(event, now)

    def _missed_before(self, now: datetime) -> list[Breach]:
        return [
            Breach(sla=e.sla, due=e.at, noticed_at=now)
            for e in self.clock_events()
            if e.kind == "breach" and e.fired_by(now)
        ]

    def _warn(self, event: ClockEvent, now: datetime) -> None:
        if now < (rules.due_of(event.sla, self.state.deadlines) or now):
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
        """Stop the clock. Met in time only at or before the due time: a breach recorded
        before stays in `breaches`, and `met` says when the work was done."""
        if rules.due_of(sla, self.state.deadlines) and sla not in self.state.met:
            self.state.met[sla] = now

    def _reset_deadlines(self) -> None:
        s = self.state
        assert s.reported_at and s.coverage and s.terms
        onsite_needed = s.onsite_requested or s.technician_id is not None
        s.deadlines = rules.deadlines(
            s.reported_at, s.coverage, s.emergency, onsite_needed, s.terms, s.onsite_clock_from
        )

    # --- bookkeeping ---

    def _emergency_support(self) -> bool:
        return self.state.emergency and self.state.coverage is Coverage.post_warranty

    def _opening_summary(self) -> str:
        s = self.state
        due = ", ".join(
            f"{sla} due {shown(d, s.timezone)}"
            for sla in rules.SLAS
            if (d := rules.due_of(sla, s.deadlines)) is not None
        )
        assert s.coverage
        return f"{s.coverage.value} until {s.warranty_ends_on}; {due}"

    def _end(
        self, status: Status, reason: str, now: datetime, errors: list[FieldError] | None = None
    ) -> None:
        self.state.status = status
        self.state.outcome = Outcome(status=status, reason=reason, at=now, errors=errors or [])
        self._log(now, "closed", reason)

    def _notify(
        self, kind: str, audience: Audience, event: str, now: datetime, sla: Sla | None = None
    ) -> None:
        self._log(now, "notice", f"{kind} notice to the {audience}", {"kind": kind})
        self.effects.append(Notify(kind, audience, event, sla))

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
