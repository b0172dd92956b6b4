"""The finance event for a charge: a CloudEvents 1.0 JSON body in structured mode.

The body is built once, when the charge is booked, and stored in the ledger; every delivery
sends those exact bytes, so a receiver sees the same `id` and the same signature each time.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from workflows.activity_io import ChargeBooking
from workflows.messages import ChargeLine
from workflows.rules import CENT

EVENT_TYPE = "repairdesk.charge.recorded"
EVENT_SOURCE = "repairdesk"
CONTENT_TYPE = "application/cloudevents+json"


def decimal_string(value: Decimal) -> str:
    """A decimal string with at least two places ("963.00"), never rounded: a labour rate
    set with finer precision keeps it."""
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent >= -2:
        return str(value.quantize(CENT))
    return str(value)


def rfc3339(moment: datetime) -> str:
    """UTC with a `Z`, as in the public contract's examples."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def line_json(line: ChargeLine) -> dict[str, Any]:
    return {
        "description": line.description,
        "part_no": line.part_no,
        "qty": str(line.qty),
        "unit_price": decimal_string(line.unit_price),
        "amount": decimal_string(line.amount),
    }


def event_data(booking: ChargeBooking) -> dict[str, Any]:
    charge = booking.charge
    data: dict[str, Any] = {
        "case_id": booking.case_id,
        "customer_id": booking.customer_id,
        "equipment_serial": booking.equipment_serial,
        "kind": charge.kind,
        "payer": charge.payer,
        "lines": [line_json(line) for line in charge.lines],
        "amount": decimal_string(charge.amount),
        "currency": charge.currency,
        "coverage": charge.coverage.value if charge.coverage else None,
        "cause": charge.cause.value if charge.cause else None,
    }
    if charge.kind == "compensation_claim":
        hours = charge.downtime_hours
        data["downtime_hours"] = decimal_string(hours) if hours is not None else None
        data["warranty_extension_days"] = charge.warranty_extension_days
    return data


def charge_recorded(booking: ChargeBooking) -> str:
    """The JSON body of the `repairdesk.charge.recorded` event; `id` is the charge id, stable
    across retries and redeliveries, so a receiver can drop a repeat."""
    event = {
        "specversion": "1.0",
        "type": EVENT_TYPE,
        "source": EVENT_SOURCE,
        "id": booking.charge.id,
        "time": rfc3339(booking.booked_at),
        "subject": booking.case_id,
        "datacontenttype": "application/json",
        "data": event_data(booking),
    }
    return json.dumps(event, ensure_ascii=False, separators=(",", ":"))
