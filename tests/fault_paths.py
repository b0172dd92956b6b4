"""The paths a case can take, for the fault-injection tests: what is sent (plain JSON), and how
the case must end whatever fails meanwhile.

A path whose clock must be met runs under the default terms (hours), so a killed worker cannot
make it late; a path that must breach one clock runs for a customer whose contract makes that
one clock a few seconds long, and waits until the case reports the breach before going on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

TECH = "T-3"
CUSTOMER_EMAIL = "liwei@example.com"
# Customers by contract: default terms, or one clock a few seconds long.
TERMS = {"F-MET": {}, "F-REPLY": {"reply": "3s"}, "F-ONSITE": {"onsite": "4s"}}
TERMS["F-REPAIR"] = {"repair": "4s"}


def repaired(cause: str, **extra: Any) -> tuple[str, dict[str, Any]]:
    part = {"part_no": "P-100", "description": "pressure switch", "qty": 1, "unit_price": "320.00"}
    payload = {"technician_id": TECH, "cause": cause, "parts": [part], "labour_hours": "2.5"}
    return "repaired", payload | extra


REPLY = ("reply", {"by": "Zhang", "message": "We are on it."})
DISPATCH = ("dispatch", {"technician_id": TECH, "technician_name": "Zhao Lei"})
ARRIVE = ("arrive", {"technician_id": TECH})
# A step is an action (name, payload) or ("breach", sla): wait until the case reports it.
Step = tuple[str, Any]


@dataclass(frozen=True)
class CasePath:
    name: str
    customer: str
    steps: tuple[Step, ...]
    status: str
    breaches: frozenset[str] = frozenset()
    # charge kind -> amount (None: whatever the archive's ledger says)
    charges: dict[str, str | None] = field(default_factory=dict)
    letters: frozenset[str] = frozenset()
    post_warranty: bool = False
    request: dict[str, Any] = field(default_factory=dict)


def _downtime() -> dict[str, str]:
    now = datetime.now(UTC)
    return {
        "equipment_stopped_at": (now - timedelta(days=1)).isoformat(),
        "equipment_restored_at": (now - timedelta(minutes=1)).isoformat(),
    }


OPENED = frozenset({"acknowledgement", "new_case"})
WALKED = OPENED | {"reply", "dispatched", "arrived", "repaired"}


def paths() -> list[CasePath]:
    walk = (REPLY, DISPATCH, ARRIVE)
    return [
        CasePath(
            "met",
            "F-MET",
            (*walk, repaired("product_defect")),
            "repaired",
            charges={"warranty_cost": "1070.00"},
            letters=WALKED,
        ),
        CasePath(
            "chargeable",
            "F-MET",
            (*walk, repaired("customer_modification")),
            "repaired",
            charges={"chargeable_repair": "1070.00"},
            letters=WALKED,
        ),
        CasePath(
            "post_warranty",
            "F-MET",
            (*walk, repaired("wear_and_tear")),
            "repaired",
            charges={"chargeable_repair": "963.00"},
            letters=WALKED,
            post_warranty=True,
        ),
        CasePath(
            "reply_breach",
            "F-REPLY",
            (("breach", "reply"), *walk, repaired("unknown")),
            "repaired",
            frozenset({"reply"}),
            {"warranty_cost": "1070.00"},
            WALKED | {"breach"},
        ),
        CasePath(
            "onsite_breach",
            "F-ONSITE",
            (REPLY, DISPATCH, ("breach", "onsite"), ARRIVE, repaired("product_defect")),
            "repaired",
            frozenset({"onsite"}),
            {"warranty_cost": "1070.00"},
            WALKED | {"breach"},
        ),
        CasePath(
            "written_explanation",
            "F-REPAIR",
            (*walk, ("breach", "repair_24h"), repaired("product_defect")),
            "repaired",
            frozenset({"repair_24h"}),
            {"warranty_cost": "1070.00"},
            WALKED | {"breach", "written_explanation"},
        ),
        CasePath(
            "third_party",
            "F-ONSITE",
            (
                REPLY,
                ("breach", "onsite"),
                (
                    "third_party_repair",
                    {
                        "vendor": "Fix-It Ltd",
                        "invoice_ref": "INV-9",
                        "amount": "4800.00",
                        "currency": "CNY",
                    },
                ),
            ),
            "third_party",
            frozenset({"onsite"}),
            {"third_party_reimbursement": "4800.00"},
            OPENED | {"reply", "breach", "third_party_repair"},
        ),
        CasePath(
            "cancel",
            "F-MET",
            (REPLY, ("cancel", {"by": "Li Wei", "reason": "fixed"})),
            "cancelled",
            letters=OPENED | {"reply", "cancelled"},
        ),
        CasePath(
            "clause_7",
            "F-MET",
            (*walk, repaired("product_defect", **_downtime())),
            "repaired",
            charges={"warranty_cost": "1070.00", "compensation_claim": None},
            letters=WALKED,
        ),
        CasePath(
            "unknown_serial",
            "F-MET",
            (),
            "rejected",
            letters=frozenset({"rejected"}),
            request={"equipment_serial": "F-SN-NOT-IN-ARCHIVE"},
        ),
        CasePath("invalid", "F-MET", (), "rejected", request={"fault": None}),
    ]
