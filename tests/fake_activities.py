"""Stand-in activities, registered by name, for tests of the workflow's own logic.

They keep what the workflow asked for in memory so a test can read it back. The end-to-end
tests use the real activities against a real archive, SMTP server and HTTP receiver.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from temporalio import activity
from temporalio.exceptions import ApplicationError

from workflows import rules
from workflows.activity_io import (
    ARCHIVE_CASE,
    BOOK_CHARGE,
    COUNT_DOWNTIME,
    DELIVER_CHARGE,
    EXTEND_WARRANTY,
    LOOKUP_EQUIPMENT,
    OPEN_CASE,
    RECORD_CASE_EVENT,
    SEND_NOTICE,
    ArchiveCase,
    CaseEvent,
    CaseFacts,
    CaseOpened,
    ChargeBooking,
    ChargeDelivery,
    DeliveryResult,
    DowntimeCounted,
    DowntimeStretch,
    EventRecorded,
    ExtensionResult,
    LookupRequest,
    NoticeRequest,
    NoticeResult,
    OpenCase,
    WarrantyExtension,
)
from workflows.case_events import opening_event
from workflows.messages import ENDED, Terms


@dataclass
class Machine:
    customer_id: str
    warranty_ends_on: date


@dataclass
class FakeArchive:
    machines: dict[str, Machine] = field(default_factory=dict)
    terms: Terms = field(default_factory=Terms)
    notices: list[NoticeRequest] = field(default_factory=list)
    charges: list[ChargeBooking] = field(default_factory=list)
    deliveries: list[str] = field(default_factory=list)
    extensions: list[WarrantyExtension] = field(default_factory=list)
    archived: dict[str, ArchiveCase] = field(default_factory=dict)
    stretches: dict[str, DowntimeStretch] = field(default_factory=dict)
    finance_accepts: bool = True
    # open_case as a worker of another release would run it: its case differs from the
    # workflow's (another digest)
    opens_another_case: bool = False
    # open_case refused for good, as on an equipment row holding bad data
    opening_refused: bool = False

    def activities(self) -> list:
        @activity.defn(name=LOOKUP_EQUIPMENT)
        async def lookup(request: LookupRequest) -> CaseFacts:
            machine = self.machines.get(request.equipment_serial)
            if machine is None:
                return CaseFacts(found=False, reason=f"{request.equipment_serial} is unknown")
            if machine.customer_id != request.customer_id:
                return CaseFacts(found=False, reason="belongs to another customer")
            return CaseFacts(
                found=True,
                customer_name="Test Customer",
                warranty_ends_on=machine.warranty_ends_on,
                coverage=rules.coverage_on(request.reported_at.date(), machine.warranty_ends_on),
                terms=self.terms,
            )

        @activity.defn(name=SEND_NOTICE)
        async def send_notice(request: NoticeRequest) -> NoticeResult:
            if all(n.key != request.key for n in self.notices):
                self.notices.append(request)
            return NoticeResult(key=request.key, channel="outbox", delivered=False)

        @activity.defn(name=BOOK_CHARGE)
        async def book(request: ChargeBooking) -> None:
            if all(c.charge.id != request.charge.id for c in self.charges):
                self.charges.append(request)

        @activity.defn(name=DELIVER_CHARGE)
        async def deliver(request: ChargeDelivery) -> DeliveryResult:
            self.deliveries.append(request.charge_id)
            detail = "" if self.finance_accepts else "HTTP 400 refused"
            return DeliveryResult(
                charge_id=request.charge_id, delivered=self.finance_accepts, detail=detail
            )

        @activity.defn(name=EXTEND_WARRANTY)
        async def extend(request: WarrantyExtension) -> ExtensionResult:
            self.extensions.append(request)
            machine = self.machines[request.equipment_serial]
            machine.warranty_ends_on += timedelta(days=request.days)
            return ExtensionResult(
                equipment_serial=request.equipment_serial,
                warranty_ends_on=machine.warranty_ends_on,
            )

        @activity.defn(name=ARCHIVE_CASE)
        async def archive_case(request: ArchiveCase) -> None:
            stored = self.archived.get(request.state.case_id)
            if stored is None or stored.state.version <= request.state.version:
                self.archived[request.state.case_id] = request

        @activity.defn(name=RECORD_CASE_EVENT)
        async def record_case_event(event: CaseEvent) -> EventRecorded:
            """The v1.1 record, kept in the same lists as the v1.0 activities fill; an event
            of changes is applied to the archived case of its run, as the real archive does."""
            if event.state is None:
                archived = self.archived[event.case_id]
                assert archived.run_id == event.run_id, "changes to another run's case"
                state = event.applied_to(archived.state.model_dump(mode="json"))
            else:
                state = event.state
            for order in event.notices:
                notice = NoticeRequest(
                    key=order.key,
                    kind=order.kind,
                    audience=order.audience,
                    case=state,
                    sla=order.sla,
                )
                await send_notice(notice)
            for charge in event.charges:
                await book(
                    ChargeBooking(
                        charge=charge,
                        case_id=state.case_id,
                        customer_id=state.customer_id,
                        equipment_serial=state.equipment_serial,
                        booked_at=event.at,
                    )
                )
            if event.extension and all(e.key != event.extension.key for e in self.extensions):
                await extend(event.extension)
            await archive_case(ArchiveCase(state=state, run_id=event.run_id))
            machine = self.machines.get(state.equipment_serial or "")
            return EventRecorded(
                warranty_ends_on=machine.warranty_ends_on if machine else None,
                also_open=self.open_cases_on(event.extension.equipment_serial, event.case_id)
                if event.extension
                else [],
            )

        @activity.defn(name=OPEN_CASE)
        async def open_case(order: OpenCase) -> CaseOpened:
            """The v1.3 opening: the look-up, then the opening recorded as the real one does."""
            if self.opening_refused:
                raise ApplicationError(
                    "the event cannot be recorded", type="CaseEventRefused", non_retryable=True
                )
            held = self.archived.get(order.request.case_id)
            if held is not None and held.run_id != order.run_id:
                reason = f"case id {order.request.case_id} names an earlier case"
                return CaseOpened(facts=CaseFacts(found=False, id_taken=True, reason=reason))
            facts = await lookup(order.lookup())
            if not facts.found:
                return CaseOpened(facts=facts)
            event, digest = opening_event(order, facts)
            recorded = await record_case_event(event)
            if self.opens_another_case:
                digest = f"not {digest}"
            return CaseOpened(
                facts=facts, digest=digest, warranty_ends_on=recorded.warranty_ends_on
            )

        @activity.defn(name=COUNT_DOWNTIME)
        async def count_downtime(stretch: DowntimeStretch) -> DowntimeCounted:
            """As the real archive counts: against the union of the serial's other stretches."""
            claimed = [
                (s.stopped_at, s.restored_at)
                for key, s in self.stretches.items()
                if s.equipment_serial == stretch.equipment_serial and key != stretch.key
            ]
            self.stretches[stretch.key] = stretch
            downtime, days = rules.downtime_not_claimed(
                (stretch.stopped_at, stretch.restored_at), claimed
            )
            machine = self.machines[stretch.equipment_serial]
            machine.warranty_ends_on += timedelta(days=days)
            return DowntimeCounted(
                downtime=downtime,
                days=days,
                warranty_ends_on=machine.warranty_ends_on,
                also_open=self.open_cases_on(stretch.equipment_serial, stretch.case_id)
                if days
                else [],
            )

        return [
            count_downtime,
            lookup,
            send_notice,
            book,
            deliver,
            extend,
            archive_case,
            record_case_event,
            open_case,
        ]

    def notices_of(self, case_id: str) -> list[tuple[str, str]]:
        return [(n.kind, n.audience) for n in self.notices if n.case.case_id == case_id]

    def open_cases_on(self, serial: str, besides: str) -> list[str]:
        """As the real archive answers: the other cases on `serial` its rows hold as open."""
        return sorted(
            case_id
            for case_id, archived in self.archived.items()
            if archived.state.equipment_serial == serial
            and archived.state.status not in ENDED
            and case_id != besides
        )
