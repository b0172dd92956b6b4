"""The dispute file: an IP dispute's state and how each event changes it, without any I/O.

Each change that must reach the outside world (a letter, the indemnity charge) is queued for
the workflow to record with `record_dispute_event`. The workflow supplies the time and the run
id; nothing here reads a clock, so the same events always give the same dispute.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from workflows import rules
from workflows.activity_io import Audience, NoticeOrder
from workflows.ip_activity_io import DisputeParties
from workflows.ip_messages import (
    DISPUTE_ENDED,
    DisputeAction,
    DisputeOutcome,
    DisputeRequest,
    DisputeState,
    DisputeStatus,
    Note,
    Settle,
)
from workflows.messages import Charge, FieldError, TimelineEntry, listed

WORKFLOW_ID_PREFIX = "ip-"
# Charge ids are UUID5s of the dispute, its run and the event: the CloudEvent `id` for ever.
CHARGE_NAMESPACE = uuid.UUID("0b7e4f3a-2c61-4d9e-8a55-7f1d3c9e6b20")


@dataclass
class DisputeFile:
    state: DisputeState
    run_id: str
    notices: list[NoticeOrder] = field(default_factory=list)
    charges: list[Charge] = field(default_factory=list)
    _last_accepted: str | None = None
    _misfits: set[str] = field(default_factory=set)

    @classmethod
    def from_request(
        cls, request: DisputeRequest, reported_at: datetime, run_id: str
    ) -> DisputeFile:
        state = DisputeState(
            dispute_id=request.dispute_id,
            status=DisputeStatus.opening,
            customer_id=request.customer_id,
            equipment_serial=request.equipment_serial,
            claimant=request.claimant,
            right=request.right,
            description=request.description,
            reported_at=reported_at,
            contact=request.contact,
        )
        return cls(state=state, run_id=run_id)

    @classmethod
    def invalid(
        cls, dispute_id: str, errors: list[FieldError], now: datetime, run_id: str
    ) -> DisputeFile:
        dispute = cls(DisputeState(dispute_id=dispute_id, status=DisputeStatus.opening), run_id)
        reason = f"the request does not validate: {listed(errors)}"
        dispute._end(DisputeStatus.rejected, reason, now)
        assert dispute.state.outcome is not None
        dispute.state.outcome.errors = errors
        return dispute

    @property
    def ended(self) -> bool:
        return self.state.status in DISPUTE_ENDED

    # --- opening and refusing ---

    def open(self, parties: DisputeParties, now: datetime) -> None:
        """Clause 10: the executive in charge and the service manager are told at once, and
        the customer learns that the vendor takes charge of the dispute and its costs."""
        s = self.state
        s.customer_name, s.equipment_model, s.site = (
            parties.customer_name,
            parties.equipment_model,
            parties.site,
        )
        s.status = DisputeStatus.open
        assert s.right is not None
        self._log(now, "opened", f"{s.right.value} claim by {s.claimant}; the vendor takes charge")
        self._notify("ip_opened", "executive", "opened", now)
        self._notify("ip_opened", "manager", "opened", now)
        self._notify("ip_acknowledgement", "customer", "opened", now)

    def reject(self, reason: str, now: datetime) -> None:
        self._end(DisputeStatus.rejected, reason, now)

    # --- the office's actions ---

    def misfit(self, name: str, action: DisputeAction) -> str | None:
        """Why `action` is refused; None when it fits, or repeats the last one (a no-op)."""
        if _key(name, action) == self._last_accepted:
            return None
        if self.ended:
            return (
                f"dispute {self.state.dispute_id} is closed ({self.state.status.value}); "
                "it takes no more actions"
            )
        return None

    def take(self, name: str, action: DisputeAction, now: datetime) -> str | None:
        """Apply `action` when it fits and is new; otherwise say why it was refused (None for
        a repeat, which changes nothing)."""
        if reason := self.misfit(name, action):
            return reason
        if _key(name, action) == self._last_accepted:
            return None
        self._last_accepted = _key(name, action)
        self._log(now, name, _describe(action), action.model_dump(mode="json"))
        match action:
            case Note():
                pass
            case Settle():
                self._settle(action, now)
            case _:
                self._end(
                    DisputeStatus.withdrawn, f"withdrawn by {action.by}: {action.reason}", now
                )
        return None

    def record_misfit(self, name: str, reason: str, now: datetime) -> None:
        """A misfit signal: kept in the timeline (once per distinct reason), dispute unchanged."""
        if (mark := f"{name}:{reason}") in self._misfits:
            return
        self._misfits.add(mark)
        self._log(now, "rejected", f"{name} rejected: {reason}", {"action": name})

    def record_failure(self, detail: str, now: datetime) -> None:
        """A letter or the finance event of this dispute that could not be delivered."""
        self._log(now, "warning", detail)

    def _settle(self, settle: Settle, now: datetime) -> None:
        charge_id = str(uuid.uuid5(CHARGE_NAMESPACE, f"{self._prefix}/settle"))
        charge = rules.price_ip_indemnity(charge_id, settle.costs, settle.currency)
        self.state.charges.append(charge)
        self.charges.append(charge)
        self._log(
            now,
            "charge",
            f"{charge.kind} {charge.amount} {charge.currency} paid by {charge.payer}",
            {"charge_id": charge.id},
        )
        self._end(DisputeStatus.settled, f"settled by {settle.by}: {settle.outcome}", now)
        self._notify("ip_settled", "customer", "settled", now)
        self._notify("ip_settled", "executive", "settled", now)

    # --- bookkeeping ---

    @property
    def _prefix(self) -> str:
        return f"{WORKFLOW_ID_PREFIX}{self.state.dispute_id}/{self.run_id}"

    def _end(self, status: DisputeStatus, reason: str, now: datetime) -> None:
        self.state.status = status
        self.state.outcome = DisputeOutcome(status=status, reason=reason, at=now)
        self._log(now, "closed", reason)

    def _notify(self, kind: str, audience: Audience, event: str, now: datetime) -> None:
        key = f"{self._prefix}/{event}/{audience}"
        self.notices.append(NoticeOrder(key=key, kind=kind, audience=audience))
        self._log(now, "notice", f"{kind} notice to the {audience}", {"kind": kind})

    def _log(
        self, now: datetime, kind: str, detail: str, data: dict[str, Any] | None = None
    ) -> None:
        self.state.timeline.append(TimelineEntry(at=now, kind=kind, detail=detail, data=data))
        self.state.version += 1

    def take_effects(self) -> tuple[list[NoticeOrder], list[Charge]]:
        taken = self.notices, self.charges
        self.notices, self.charges = [], []
        return taken


def _key(name: str, action: DisputeAction) -> str:
    return f"{name}:{action.model_dump_json()}"


def _describe(action: DisputeAction) -> str:
    match action:
        case Note():
            return f"note by {action.by}: {action.text[:200]}"
        case Settle():
            return f"settled by {action.by}: {action.outcome[:200]}"
        case _:
            return f"withdrawn by {action.by}: {action.reason[:200]}"
