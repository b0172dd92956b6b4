"""What a `record_case_event` or an `open_case` writes, built from the case file without I/O.

The workflow builds each record here; since v1.3 the `open_case` activity builds the opening
record here too, from the same request, facts and time, so the case row and the opening letters
it writes are the ones the workflow would have asked for. `digest` is how the workflow checks
that: equal digests, the same case.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from workflows.activity_io import (
    CaseEvent,
    CaseFacts,
    NoticeOrder,
    OpenCase,
    WarrantyExtension,
)
from workflows.case_file import BookCharge, CaseFile, Effect, ExtendWarranty, Notify
from workflows.messages import CaseState


def event_key(case_id: str, run_id: str, event: str) -> str:
    """A letter's or an extension's identity for ever: the case, its run and the event."""
    return f"{case_id}/{run_id}/{event}"


def case_event(
    state: CaseState,
    run_id: str,
    at: datetime,
    effects: list[Effect],
    archived: dict[str, Any] | None,
    as_json: dict[str, Any] | None = None,
) -> CaseEvent:
    """The record of `state` and its new `effects`: the whole case when `archived` (the case as
    last recorded, as JSON) is None, else what changed since (`as_json`: `state` as JSON, when
    the caller has it already)."""
    event = CaseEvent(
        run_id=run_id,
        at=at,
        case_id=state.case_id,
        version=state.version,
        **_since(state, archived, as_json),
    )
    for effect in effects:
        match effect:
            case Notify():
                event.notices.append(
                    NoticeOrder(
                        key=event_key(state.case_id, run_id, f"{effect.event}/{effect.audience}"),
                        kind=effect.kind,
                        audience=effect.audience,
                        sla=effect.sla,
                    )
                )
            case BookCharge():
                event.charges.append(effect.charge)
            case ExtendWarranty():
                event.extension = WarrantyExtension(
                    key=event_key(state.case_id, run_id, effect.event),
                    case_id=state.case_id,
                    equipment_serial=effect.equipment_serial,
                    days=effect.days,
                )
    return event


def _since(
    state: CaseState, archived: dict[str, Any] | None, as_json: dict[str, Any] | None
) -> dict[str, Any]:
    if archived is None:
        return {"state": state}
    as_json = as_json if as_json is not None else state.model_dump(mode="json")
    told = len(archived["timeline"])
    changed = {
        name: value
        for name, value in as_json.items()
        if name != "timeline" and archived.get(name) != value
    }
    changed["timeline"] = as_json["timeline"][told:]
    return {"changed": changed, "timeline_from": told}


def digest(state: CaseState) -> str:
    """The case's JSON, hashed. A field added since v1.3 (none is set at the opening) is left
    out while unset, so a v1.3 opening's digest in a history still matches on replay."""
    unset = {"onsite_clock_from"} if state.onsite_clock_from is None else None
    return hashlib.sha256(state.model_dump_json(exclude=unset).encode()).hexdigest()


def opened_case(order: OpenCase, facts: CaseFacts) -> CaseFile:
    """The case as the workflow opens it: from its request, placed by `facts` at `order.at`."""
    case = CaseFile.from_request(order.request, order.reported_at, order.run_id)
    case.open(facts, order.at)
    return case


def opening_event(order: OpenCase, facts: CaseFacts) -> tuple[CaseEvent, str]:
    """The opening record (the whole case and its first letters) and the digest of the case."""
    case = opened_case(order, facts)
    event = case_event(case.state, order.run_id, order.at, case.take_effects(), None)
    return event, digest(case.state)
