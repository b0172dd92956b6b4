"""Telling an open case that one of its letters or finance events has a delivery problem.

The relay signals `delivery_problem` with `{"detail": "..."}` to the workflow of the row:
`case-<id>` for a case's letter or charge, `ip-<id>` for an IP dispute's (its letters' kinds
and its charge's kind start with `ip_`); the workflow records it as a warning in its timeline.
A case that has ended cannot take signals: the row itself (`notices --pending`, `ledger
--undelivered`) is then where the problem shows.
"""

from __future__ import annotations

from structlog.stdlib import BoundLogger
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

DELIVERY_PROBLEM = "delivery_problem"


def workflow_id(case_id: str, kind: str) -> str:
    return f"ip-{case_id}" if kind.startswith("ip_") else f"case-{case_id}"


async def tell_the_case(
    client: Client, case_id: str, kind: str, detail: str, log: BoundLogger
) -> None:
    handle = client.get_workflow_handle(workflow_id(case_id, kind))
    try:
        await handle.signal(DELIVERY_PROBLEM, {"detail": detail})
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            log.info("case not open: delivery problem kept in the archive only", detail=detail)
            return
        log.warning("could not warn the case of a delivery problem", error=str(error))
        return
    except Exception as error:  # a warning that cannot be sent must not stop deliveries
        log.warning("could not warn the case of a delivery problem", error=repr(error))
        return
    log.info("case warned of a delivery problem", detail=detail)
