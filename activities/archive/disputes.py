"""The local activities IpDispute calls: look up its parties, and record each change.

`record_dispute_event` writes, in ONE transaction, the dispute's archive row, its new letters
into the outbox (rendered now, once per key) and its charge into the ledger (once per charge
id, with the finance event's exact bytes). It delivers nothing: the worker's relay sends the
letters and the finance events afterwards. Run twice, it finds the rows and writes no second
letter or charge; a racing twin fails on the unique key and its retry finds the rows.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker
from temporalio import activity

from activities.archive.case_rows import held_by_another_run, upsert_snapshot
from activities.archive.schema import Customer, DisputeRecord, Equipment
from activities.delivery.doorbell import Doorbell
from activities.finance import ledger
from activities.logging import case_logger
from activities.notices import outbox
from activities.notices.dispute_letters import render_dispute
from activities.notices.wording import Wording
from activities.settings import Settings
from workflows.activity_io import ChargeBooking, NoticeOrder
from workflows.ip_activity_io import (
    LOOKUP_DISPUTE_PARTIES,
    RECORD_DISPUTE_EVENT,
    DisputeEvent,
    DisputeParties,
    PartiesRequest,
)
from workflows.ip_messages import DisputeState
from workflows.messages import Charge, Language


def dispute_row(event: DisputeEvent, now: datetime) -> dict[str, Any]:
    state = event.state
    return {
        "dispute_id": state.dispute_id,
        "run_id": event.run_id,
        "version": state.version,
        "status": state.status.value,
        "customer_id": state.customer_id,
        "equipment_serial": state.equipment_serial,
        "claimant": state.claimant,
        "right": state.right.value if state.right else None,
        "reported_at": state.reported_at,
        "outcome": state.outcome.reason if state.outcome else None,
        "state": state.model_dump(mode="json"),
        "updated_at": now,
    }


def booking(charge: Charge, state: DisputeState, at: datetime) -> ChargeBooking:
    """The indemnity's booking: its event's `case_id` and `subject` are the dispute."""
    return ChargeBooking(
        charge=charge,
        case_id=state.dispute_id,
        customer_id=state.customer_id,
        equipment_serial=state.equipment_serial,
        booked_at=at,
    )


class DisputeActivities:
    """The dispute's archive activities, on the archive at `settings.database_url`."""

    def __init__(
        self, settings: Settings, sessions: sessionmaker[Session], doorbell: Doorbell
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.doorbell = doorbell

    def all(self) -> list[Callable[..., Any]]:
        return [self.lookup_dispute_parties, self.record_dispute_event]

    @activity.defn(name=LOOKUP_DISPUTE_PARTIES)
    def lookup_dispute_parties(self, request: PartiesRequest) -> DisputeParties:
        """The customer, and the equipment when one is named: it must be that customer's."""
        log = case_logger(request.dispute_id, customer_id=request.customer_id)
        with self.sessions() as session:
            if request.run_id and (
                held := held_by_another_run(
                    session, DisputeRecord.__table__, request.dispute_id, request.run_id, "dispute"
                )
            ):
                log.warning("dispute id refused", reason=held)
                return DisputeParties(found=False, id_taken=True, reason=held)
            customer = session.get(Customer, request.customer_id)
            if customer is None:
                reason = f"customer {request.customer_id} is not in the archive"
                log.info("dispute not placed", reason=reason)
                return DisputeParties(found=False, reason=reason)
            equipment = None
            if request.equipment_serial is not None:
                equipment = session.get(Equipment, request.equipment_serial)
                if reason := _not_theirs(request, equipment, session):
                    log.info("dispute not placed", reason=reason)
                    return DisputeParties(found=False, reason=reason)
            return DisputeParties(
                found=True,
                customer_name=customer.name,
                equipment_model=equipment.model if equipment else None,
                site=equipment.site if equipment else None,
            )

    @activity.defn(name=RECORD_DISPUTE_EVENT)
    def record_dispute_event(self, event: DisputeEvent) -> None:
        """The dispute row, its letters and its charge in one transaction, on the same outbox
        and ledger as the cases' (once per key, once per charge id); then the relay is woken."""
        state, now = event.state, datetime.now(UTC)
        with self.sessions.begin() as session:
            table = DisputeRecord.__table__
            if held := held_by_another_run(
                session, table, state.dispute_id, event.run_id, "dispute"
            ):
                case_logger(state.dispute_id).error("dispute not recorded", reason=held)
                return
            upsert_snapshot(session, table, dispute_row(event, now))
            for order in event.notices:
                outbox.record(session, self._draft(order, state), event.at, now)
            for charge in event.charges:
                ledger.book(session, booking(charge, state, event.at), now)
        if event.notices or event.charges:
            self.doorbell.ring()
        case_logger(state.dispute_id).info(
            "dispute recorded",
            status=state.status.value,
            version=state.version,
            notices=len(event.notices),
            charges=len(event.charges),
        )

    def _draft(self, order: NoticeOrder, state: DisputeState) -> outbox.Draft:
        email, language = self._addressee(order, state)
        letter = render_dispute(order, state, Wording(language, self.settings.zone))
        return outbox.Draft(
            key=order.key,
            case_id=state.dispute_id,
            kind=order.kind,
            audience=order.audience,
            recipient=email,
            language=language.value,
            subject=letter.subject,
            body=letter.body,
            sendable=bool(self.settings.smtp_url and email),
        )

    def _addressee(self, order: NoticeOrder, state: DisputeState) -> tuple[str | None, Language]:
        s = self.settings
        if order.audience == "customer":
            return state.contact.email, state.contact.language
        staff = {"office": s.office_email, "manager": s.manager_email}
        return staff.get(order.audience, s.executive_email), s.staff_language


def _not_theirs(request: PartiesRequest, equipment: Equipment | None, session: Session) -> str:
    serial = request.equipment_serial
    if equipment is None:
        return f"equipment serial {serial} is not in the archive"
    if equipment.customer_id == request.customer_id:
        return ""
    owner = session.get(Customer, equipment.customer_id)
    return (
        f"equipment serial {serial} belongs to customer {equipment.customer_id}"
        f"{f' ({owner.name})' if owner else ''}, not to customer {request.customer_id}"
    )
