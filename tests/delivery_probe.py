"""A stand-in for an open case in the relay tests: a real workflow with id `case-<case_id>` on
the Temporal test server that keeps every `delivery_problem` signal it receives."""

from __future__ import annotations

from typing import Any

from temporalio import workflow


@workflow.defn(name="DeliveryProbe")
class DeliveryProbe:
    def __init__(self) -> None:
        self.details: list[str] = []
        self.done = False

    @workflow.run
    async def run(self) -> list[str]:
        await workflow.wait_condition(lambda: self.done)
        return self.details

    @workflow.signal(name="delivery_problem")
    def delivery_problem(self, payload: dict[str, Any]) -> None:
        self.details.append(payload["detail"])

    @workflow.signal(name="finish")
    def finish(self) -> None:
        self.done = True

    @workflow.query(name="problems")
    def problems(self) -> list[str]:
        return self.details
