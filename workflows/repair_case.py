"""RepairCase: one durable workflow per service request, enforcing the service commitments.

This class holds only the workflow's public interface (the `state` query and each action as an
update with a validator and as a signal of the same name) and hands every call to the engine of
the release the case was opened under, which the patch markers in its history tell:

- a new case records the `repairdesk-1.4` marker alone and runs `CaseEngine`
  (workflows/case_engine.py) as v1.4, with contract v1.2's verdicts (clause 7 downtime counted
  once by the archive, the on-site clock of an offered visit from its dispatch);
- a case opened under v1.3 has the `repairdesk-1.3` marker and runs `CaseEngine` as v1.3;
- a case opened under v1.1 or v1.2 has the `repairdesk-1.1` marker (and, under v1.2, the
  `repairdesk-1.2` marker) and runs `CaseEngine` as that release;
- a case opened under v1.0 has no marker and finishes on the frozen v1.0 engine
  (workflows/v1_0/), with the v1.0 verdicts, so its history replays command for command.

The newest marker is asked first: a new case records one marker, not one per release.

How to change RepairCase while cases are open: docs/versioning.md.
A case takes a handful of actions, far below Temporal's 2 000 updates per workflow.
"""

from __future__ import annotations

from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from workflows.case_engine import WORKFLOW_ID_PREFIX, CaseEngine
    from workflows.messages import summary
    from workflows.v1_0.engine import CaseEngineV1

__all__ = ["WORKFLOW_ID_PREFIX", "RepairCase"]

RELEASE_1_1 = "repairdesk-1.1"
RELEASE_1_2 = "repairdesk-1.2"
RELEASE_1_3 = "repairdesk-1.3"
RELEASE_1_4 = "repairdesk-1.4"


@workflow.defn(name="RepairCase")
class RepairCase:
    @workflow.init
    def __init__(self, request: Any = None) -> None:
        self._engine: CaseEngine | CaseEngineV1
        if workflow.patched(RELEASE_1_4):
            self._engine = CaseEngine(request, "1.4")
        elif workflow.patched(RELEASE_1_3):
            self._engine = CaseEngine(request, "1.3")
        elif workflow.patched(RELEASE_1_1):
            self._engine = CaseEngine(request, "1.2" if workflow.patched(RELEASE_1_2) else "1.1")
        else:
            self._engine = CaseEngineV1(request)

    @workflow.run
    async def run(self, request: Any = None) -> Any:
        return await self._engine.run()

    @workflow.query(name="state")
    def state(self) -> Any:
        return self._engine.state

    @workflow.signal(name="delivery_problem")
    def delivery_problem(self, payload: Any = None) -> None:
        """From the worker's relay: a letter or finance event of this case is not delivered.
        A case opened under v1.0 learns of it from its own delivery activities instead."""
        if isinstance(self._engine, CaseEngine):
            detail = payload.get("detail") if isinstance(payload, dict) else None
            self._engine.delivery_problem(str(detail or "a delivery failed"))

    @workflow.signal(name="warranty_extended")
    async def warranty_extended(self, payload: Any = None) -> None:
        """From another open case on the same equipment, whose repair extended its warranty
        (clause 7): the new end, which may bring this case under the warranty. A case opened
        under v1.0 keeps its verdicts."""
        if isinstance(self._engine, CaseEngine):
            await self._engine.warranty_extended(payload)

    @workflow.update(name="reply")
    async def reply(self, payload: Any = None) -> dict[str, Any]:
        return summary(await self._engine.update("reply", payload))

    @reply.validator
    def validate_reply(self, payload: Any = None) -> None:
        self._engine.validate("reply", payload)

    @workflow.signal(name="reply")
    async def reply_signal(self, payload: Any = None) -> None:
        await self._engine.signal("reply", payload)

    @workflow.update(name="dispatch")
    async def dispatch(self, payload: Any = None) -> dict[str, Any]:
        return summary(await self._engine.update("dispatch", payload))

    @dispatch.validator
    def validate_dispatch(self, payload: Any = None) -> None:
        self._engine.validate("dispatch", payload)

    @workflow.signal(name="dispatch")
    async def dispatch_signal(self, payload: Any = None) -> None:
        await self._engine.signal("dispatch", payload)

    @workflow.update(name="arrive")
    async def arrive(self, payload: Any = None) -> dict[str, Any]:
        return summary(await self._engine.update("arrive", payload))

    @arrive.validator
    def validate_arrive(self, payload: Any = None) -> None:
        self._engine.validate("arrive", payload)

    @workflow.signal(name="arrive")
    async def arrive_signal(self, payload: Any = None) -> None:
        await self._engine.signal("arrive", payload)

    @workflow.update(name="repaired")
    async def repaired(self, payload: Any = None) -> dict[str, Any]:
        return summary(await self._engine.update("repaired", payload))

    @repaired.validator
    def validate_repaired(self, payload: Any = None) -> None:
        self._engine.validate("repaired", payload)

    @workflow.signal(name="repaired")
    async def repaired_signal(self, payload: Any = None) -> None:
        await self._engine.signal("repaired", payload)

    @workflow.update(name="third_party_repair")
    async def third_party_repair(self, payload: Any = None) -> dict[str, Any]:
        return summary(await self._engine.update("third_party_repair", payload))

    @third_party_repair.validator
    def validate_third_party_repair(self, payload: Any = None) -> None:
        self._engine.validate("third_party_repair", payload)

    @workflow.signal(name="third_party_repair")
    async def third_party_repair_signal(self, payload: Any = None) -> None:
        await self._engine.signal("third_party_repair", payload)

    @workflow.update(name="cancel")
    async def cancel(self, payload: Any = None) -> dict[str, Any]:
        return summary(await self._engine.update("cancel", payload))

    @cancel.validator
    def validate_cancel(self, payload: Any = None) -> None:
        self._engine.validate("cancel", payload)

    @workflow.signal(name="cancel")
    async def cancel_signal(self, payload: Any = None) -> None:
        await self._engine.signal("cancel", payload)
