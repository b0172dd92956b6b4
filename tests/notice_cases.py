"""Realistic notices for the notice tests: cases driven through `CaseFile`, the workflow's own
case logic, so each NoticeRequest carries the state the workflow would really record: the case
as it stands right after the event that queued the letter.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from workflows.activity_io import CaseFacts, NoticeRequest
from workflows.case_file import CaseFile, Notify
from workflows.messages import (
    Arrive,
    Cancel,
    CaseRequest,
    Cause,
    Contact,
    Coverage,
    Dispatch,
    Language,
    Part,
    Repaired,
    Reply,
    Terms,
    ThirdPartyRepair,
)

REPORTED_AT = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
RUN_ID = "run-1"


class RecordingCase(CaseFile):
    """A case file that, like the workflow, records its letters after each event with the case
    as it then stands."""

    recorded: list[NoticeRequest]

    def _record(self) -> None:
        letters = [e for e in self.take_effects() if isinstance(e, Notify)]
        snapshot = self.state.model_copy(deep=True)
        self.recorded = getattr(self, "recorded", []) + [
            NoticeRequest(
                key=f"{snapshot.case_id}/{RUN_ID}/{e.event}/{e.audience}",
                kind=e.kind,
                audience=e.audience,
                case=snapshot,
                sla=e.sla,
            )
            for e in letters
        ]

    def open(self, *args: Any) -> None:
        super().open(*args)
        self._record()

    def reject(self, *args: Any) -> None:
        super().reject(*args)
        self._record()

    def take(self, *args: Any) -> str | None:
        reason = super().take(*args)
        self._record()
        return reason

    def clock(self, now: datetime) -> None:
        """The workflow's timer firing."""
        self.tick(now)
        self._record()


def _case(
    case_id: str,
    language: Language,
    *,
    email: str | None = "liwei@example.com",
    emergency: bool = False,
    onsite_requested: bool = True,
) -> RecordingCase:
    request = CaseRequest(
        case_id=case_id,
        customer_id="CUST-7",
        equipment_serial="SN-42",
        fault="Chiller trips on high pressure",
        reported_at=REPORTED_AT,
        onsite_requested=onsite_requested,
        emergency=emergency,
        contact=Contact(name="Li Wei", phone="+86 10 5555 0100", email=email, language=language),
    )
    return RecordingCase.from_request(request, REPORTED_AT, RUN_ID)


def _facts(coverage: Coverage) -> CaseFacts:
    ends_on = date(2027, 6, 30) if coverage is Coverage.in_warranty else date(2026, 1, 31)
    return CaseFacts(
        found=True,
        customer_name="Beijing Cold Chain Co.",
        equipment_model="Chiller CX-200",
        site="Plant 2, Yizhuang, Beijing",
        warranty_ends_on=ends_on,
        coverage=coverage,
        terms=Terms(),
    )


def _at(hours: float) -> datetime:
    return REPORTED_AT + timedelta(hours=hours)


def _requests(case: RecordingCase) -> list[NoticeRequest]:
    return case.recorded


def late_repair(language: Language, case_id: str = "C-1001") -> list[NoticeRequest]:
    """In warranty, reply late, technician on site, not repaired in 24 h, then a charged repair."""
    case = _case(case_id, language)
    case.open(_facts(Coverage.in_warranty), REPORTED_AT)
    case.clock(_at(0.75))
    case.clock(_at(1.001))
    case.take("reply", Reply(by="Wang Fang", message="A technician will come today."), _at(1.2))
    dispatch = Dispatch(technician_id="T-3", technician_name="Zhao Lei", eta=_at(2.5))
    case.take("dispatch", dispatch, _at(1.5))
    case.take("arrive", Arrive(technician_id="T-3"), _at(2.6))
    case.clock(_at(24.001))
    repaired = Repaired(
        technician_id="T-3",
        cause=Cause.customer_modification,
        parts=[
            Part(part_no="P-100", description="pressure switch", qty=1, unit_price=Decimal("320"))
        ],
        labour_hours=Decimal("2.5"),
        notes="Controller firmware had been replaced on site.",
    )
    case.take("repaired", repaired, _at(26))
    return _requests(case)


def emergency_third_party(
    language: Language, case_id: str = "C-1002", currency: str = "CNY"
) -> list[NoticeRequest]:
    """Post-warranty emergency: remote support first, no reply in time, a third party repairs."""
    case = _case(case_id, language, emergency=True)
    case.open(_facts(Coverage.post_warranty), REPORTED_AT)
    case.clock(_at(1.001))
    claim = ThirdPartyRepair(
        vendor="Huabei Refrigeration",
        invoice_ref="INV-88",
        amount=Decimal("4800"),
        currency=currency,
    )
    case.take("third_party_repair", claim, _at(5))
    return _requests(case)


def post_warranty_repair(language: Language, case_id: str = "C-1003") -> list[NoticeRequest]:
    """Post warranty, worn part: the customer pays the favourable price (clause 8)."""
    case = _case(case_id, language)
    case.open(_facts(Coverage.post_warranty), REPORTED_AT)
    case.take("dispatch", Dispatch(technician_id="T-5"), _at(1.6))
    case.take("arrive", Arrive(technician_id="T-5", at=_at(1.5)), _at(1.6))
    repaired = Repaired(
        technician_id="T-5",
        cause=Cause.wear_and_tear,
        parts=[Part(part_no="P-7", qty=2, unit_price=Decimal("150.00"))],
        labour_hours=Decimal("1"),
    )
    case.take("repaired", repaired, _at(3))
    return _requests(case)


def explanation_after(language: Language, steps: int, case_id: str = "C-1006") -> NoticeRequest:
    """The customer's written explanation when the first `steps` of reply, dispatch and
    arrival happened in time and the equipment is still not repaired 24 h after the report."""
    case = _case(case_id, language, onsite_requested=False)
    case.open(_facts(Coverage.in_warranty), REPORTED_AT)
    actions = [
        ("reply", Reply(by="Wang Fang", message="We are looking into it.")),
        ("dispatch", Dispatch(technician_id="T-3", technician_name="Zhao Lei")),
        ("arrive", Arrive(technician_id="T-3")),
    ]
    for hours, (name, action) in zip((0.5, 20, 21), actions[:steps], strict=False):
        case.take(name, action, _at(hours))
    case.clock(_at(24.001))
    return the(_requests(case), "written_explanation", "customer")


def free_repair(language: Language, case_id: str = "C-1007") -> NoticeRequest:
    """In warranty, a product defect that stopped the equipment: free, warranty extended."""
    case = _case(case_id, language)
    case.open(_facts(Coverage.in_warranty), REPORTED_AT)
    case.take("dispatch", Dispatch(technician_id="T-3"), _at(0.5))
    case.take("arrive", Arrive(technician_id="T-3"), _at(2))
    repaired = Repaired(
        technician_id="T-3",
        cause=Cause.product_defect,
        parts=[
            Part(part_no="P-100", description="pressure switch", qty=1, unit_price=Decimal(320))
        ],
        labour_hours=Decimal("1.5"),
        equipment_stopped_at=REPORTED_AT,
        equipment_restored_at=_at(4),
    )
    case.take("repaired", repaired, _at(4))
    return the(_requests(case), "repaired", "customer")


def covered_by_another_case(language: Language, case_id: str = "C-1008") -> NoticeRequest:
    """Reported after the warranty's end; another case's clause 7 extension then reaches the
    report, so the repair is free, with no extension of its own to tell."""
    case = _case(case_id, language)
    case.open(_facts(Coverage.post_warranty), REPORTED_AT)
    case.cover(date(2026, 12, 1), "C-0999", _at(1))
    case.take("dispatch", Dispatch(technician_id="T-3"), _at(1.5))
    case.take("arrive", Arrive(technician_id="T-3"), _at(2))
    repaired = Repaired(
        technician_id="T-3",
        cause=Cause.product_defect,
        parts=[Part(part_no="P-100", qty=1, unit_price=Decimal(320))],
    )
    case.take("repaired", repaired, _at(3))
    return the(_requests(case), "repaired", "customer")


def cancelled(
    language: Language, case_id: str = "C-1004", email: str | None = "liwei@example.com"
) -> list[NoticeRequest]:
    case = _case(case_id, language, email=email)
    case.open(_facts(Coverage.in_warranty), REPORTED_AT)
    case.take("cancel", Cancel(by="Li Wei", reason="The fault cleared after a restart."), _at(0.3))
    return _requests(case)


def unknown_equipment(language: Language, case_id: str = "C-1005") -> list[NoticeRequest]:
    case = _case(case_id, language)
    case.reject("serial SN-42 is not in the archive", REPORTED_AT)
    return _requests(case)


def every_notice(language: Language) -> list[NoticeRequest]:
    return [
        *late_repair(language),
        *emergency_third_party(language),
        *post_warranty_repair(language),
        *cancelled(language),
        *unknown_equipment(language),
    ]


def the(requests: list[NoticeRequest], kind: str, audience: str) -> NoticeRequest:
    return next(r for r in requests if r.kind == kind and r.audience == audience)
