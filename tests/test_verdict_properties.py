"""Properties of the case file over random sequences of actions and times (hypothesis): a
breach is recorded at most once and never erased, a clock is met only at or before its due
time, charge lines add up to the amount, statuses move only along allowed edges."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from workflows import rules
from workflows.activity_io import CaseFacts
from workflows.case_file import CaseFile
from workflows.messages import ACTIONS, CaseRequest, Cause, Coverage, Status

REPORTED = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
S = Status
EDGES: dict[Status, set[Status]] = {
    S.awaiting_reply: {S.awaiting_technician, S.technician_dispatched, S.third_party, S.cancelled},
    S.awaiting_technician: {S.technician_dispatched, S.third_party, S.cancelled},
    S.technician_dispatched: {S.on_site, S.third_party, S.cancelled},
    S.on_site: {S.repaired, S.third_party, S.cancelled},
}

technicians = st.sampled_from(["T-3", "T-4"])
payloads: dict[str, st.SearchStrategy[dict[str, Any]]] = {
    "reply": st.just({"by": "Zhang", "message": "on it"}),
    "dispatch": st.builds(lambda t: {"technician_id": t}, technicians),
    "arrive": st.builds(lambda t: {"technician_id": t}, technicians),
    "repaired": st.builds(
        lambda t, cause, hours, price, qty: {
            "technician_id": t,
            "cause": cause,
            "labour_hours": hours,
            "parts": [{"part_no": "P-1", "qty": qty, "unit_price": price}],
        },
        technicians,
        st.sampled_from(list(Cause)),
        st.decimals(min_value=0, max_value=100, places=2),
        st.decimals(min_value=0, max_value=99999, places=2),
        st.integers(min_value=1, max_value=1000),
    ),
    "third_party_repair": st.just({"vendor": "Acme", "invoice_ref": "I-1", "amount": "800.00"}),
    "cancel": st.just({"by": "Li", "reason": "gone"}),
}
steps = st.lists(
    st.tuples(
        st.sampled_from(sorted(payloads)).flatmap(
            lambda name: st.tuples(st.just(name), payloads[name])
        ),
        st.integers(min_value=0, max_value=4 * 3600 * 1000),
        st.booleans(),
    ),
    max_size=12,
)


@settings(max_examples=300, deadline=None)
@given(
    coverage=st.sampled_from(list(Coverage)),
    emergency=st.booleans(),
    onsite=st.booleans(),
    script=steps,
)
def test_verdicts_hold_whatever_happens(coverage, emergency, onsite, script) -> None:
    request = CaseRequest(
        case_id="C-1",
        customer_id="CUST-7",
        equipment_serial="SN-42",
        fault="trips",
        emergency=emergency,
        onsite_requested=onsite,
    )
    case = CaseFile.from_request(request, REPORTED, run_id="run-1")
    case.open(
        CaseFacts(found=True, coverage=coverage, warranty_ends_on=date(2026, 12, 1)), REPORTED
    )
    now = REPORTED
    for (name, payload), gap_ms, timer_first in script:
        now += timedelta(milliseconds=gap_ms)
        before = (case.state.status, list(case.state.breaches))
        if timer_first:
            case.tick(now)
        case.take(name, ACTIONS[name].model_validate(payload), now)
        status = case.state.status
        assert status == before[0] or status in EDGES.get(before[0], set())
        assert case.state.breaches[: len(before[1])] == before[1]
    case.tick(now + timedelta(days=2))
    s = case.state
    assert len({b.sla for b in s.breaches}) == len(s.breaches)
    for breach in s.breaches:
        assert breach.noticed_at > breach.due
    for sla, met_at in s.met.items():
        due = rules.due_of(sla, s.deadlines)
        assert due is not None
        assert (met_at > due) == any(b.sla == sla for b in s.breaches)
    for charge in s.charges:
        assert sum(line.amount for line in charge.lines) == charge.amount
