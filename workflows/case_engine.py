"""The RepairCase engine (releases v1.1 to v1.4): the Temporal shell around `CaseFile`.

It validates the input and each action, waits for the next deadline with a durable timer, and
records the case file's effects. Every archive write is one activity: `open_case` once, which
places the case and writes its case row and first letters in one transaction, then
`record_case_event` for each later batch of changes, which writes the case row, its letters, its
charges and a warranty extension in one transaction. Letters and finance events are delivered
afterwards by the worker's relay, so a case never waits for a mail server or for finance.

The release a case was opened under (`workflows/repair_case.py` reads it from the case's patch
marker) decides how it places itself and runs its activities:
- v1.4 (`repairdesk-1.4`): as v1.3, with contract v1.2's verdicts (`CaseFile.counts_once`): a
  repair that earns clause 7 has the archive count its downtime (`count_downtime`, then a
  `warranty_extended` signal to each other open case when the end moved), and a
  `warranty_extended` signal only makes the case record itself again to read the archive;
- v1.3 (`repairdesk-1.3`): `open_case`, at the highest task-queue priority so that placing a
  case never waits behind a backlog of other cases' records; ordinary activities;
- v1.2 (`repairdesk-1.1` and `repairdesk-1.2`): `lookup_equipment`, then the opening is part of
  the first `record_case_event`; ordinary activities. The workflow task that schedules one
  completes at once, so an update is answered without waiting for the database, and a worker
  holding thousands of open cases keeps taking workflow tasks (local activities stalled a worker
  whose workflow cache was full: bench/README.md);
- v1.1 (`repairdesk-1.1` alone): as v1.2, with local activities, command for command.

The commands a case issues, which a change must keep for the cases already open (see "How to change
RepairCase" in docs/versioning.md): its release's patch markers; `open_case` (v1.3) or the look-up;
then, as the case moves, search attribute upserts (only when a value changes), one timer per wait
for the next warning or deadline (v1.4: one timer for the next warning or deadline, cancelled and
started again only when a change moves it), and one `record_case_event` per batch of changes, one
at a time. v1.4: before a repair that earns clause 7, one `count_downtime`, then one
`warranty_extended` signal to each other case open on the equipment when it moved the end. v1.3 and
older, only where clause 7 reaches across cases: the `repairdesk-warranty-across-cases` marker, and
after the record that extended the warranty, one `warranty_extended` signal to each other case open
on the equipment; when the signal comes, the `repairdesk-warranty-from-archive` marker.
"""

from __future__ import annotations

import asyncio
import math
from datetime import date, datetime, timedelta
from typing import Any, Literal, TypeVar

from temporalio import workflow
from temporalio.common import Priority, RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError, FailureError

with workflow.unsafe.imports_passed_through():
    from pydantic import ValidationError

    from workflows import case_metrics, search_attributes, validation
    from workflows.activity_io import (
        COUNT_DOWNTIME,
        LOOKUP_EQUIPMENT,
        OPEN_CASE,
        RECORD_CASE_EVENT,
        CaseFacts,
        CaseOpened,
        DowntimeCounted,
        DowntimeStretch,
        EventRecorded,
        LookupRequest,
        OpenCase,
    )
    from workflows.case_events import case_event, digest, event_key
    from workflows.case_file import CaseFile, Effect
    from workflows.details import current_details
    from workflows.messages import (
        ACTIONS,
        Action,
        CaseRequest,
        CaseState,
        FieldError,
        WarrantyNews,
        listed,
    )
    from workflows.rules import reported_at_problem
    from workflows.stale_clock import timer_fired
    from workflows.validation import field_errors, refusal

WORKFLOW_ID_PREFIX = "case-"
Result = TypeVar("Result")

# Archive writes retry until the archive answers (a database that is down delays the record,
# never the case's clocks); an error a retry cannot fix fails at once and is a warning.
ARCHIVE_RETRY = RetryPolicy(
    maximum_interval=timedelta(minutes=1),
    non_retryable_error_types=["CaseEventRefused", "RetryCannotFix"],
)
ARCHIVE_TIMEOUT = timedelta(seconds=30)  # a local activity (v1.1 cases)
# A database write takes milliseconds; a worker killed in the middle of one has it retried
# elsewhere this long after it started (ordinary activities, since v1.2).
ACTIVITY_TIMEOUT = timedelta(seconds=10)
# A new case is placed ahead of any backlog of records (1 is the highest priority, 3 the default).
PLACEMENT = Priority(priority_key=1)
# Clause 7 across cases: an extension reaches the other open cases on the equipment, and a case
# it brings under the warranty is covered. Asked only when it changes something, so a case
# recorded before keeps replaying (its history has no such marker, and nothing is changed).
WARRANTY_ACROSS_CASES = "repairdesk-warranty-across-cases"
WARRANTY_EXTENDED = "warranty_extended"  # the signal, {"warranty_ends_on", "by_case"}
# Contract v1.2: the `warranty_extended` signal only makes a case read the archive again; the
# date it carries is never believed. A v1.4 case always does so; an older case asks this marker
# when the signal comes, so a history that believed the date replays as it was recorded.
WARRANTY_FROM_ARCHIVE = "repairdesk-warranty-from-archive"
Release = Literal["1.1", "1.2", "1.3", "1.4"]


def archived_fields(state: CaseState) -> tuple[Any, ...]:
    """What the archive's case row indexes: the status and everything the report counts."""
    return (
        state.status,
        state.coverage,
        state.warranty_ends_on,
        state.technician_id,
        state.cause,
        state.deadlines,
        len(state.breaches),
        len(state.met),
        len(state.charges),
    )


def read_action(name: str, payload: Any) -> Action | str:
    return validation.read_action(ACTIONS, name, payload)


def parse_action(name: str, payload: Any) -> Action:
    return validation.parse_action(ACTIONS, name, payload)


class CaseEngine:
    def __init__(self, request: Any, release: Release) -> None:
        self._lock = asyncio.Lock()
        self._published: dict[str, Any] = {}
        self._last_record: tuple[Any, ...] | None = None
        self._unrecorded: list[Effect] = []
        self._dirty = False
        self._recording = False
        self._counted: tuple[int, set[str]] = (0, set())
        self._untried_early = 0
        self._signals = 0  # actions taken as signals, in the order of history (metrics' names)
        self._ordinary_activities = release != "1.1"
        self._opens_itself = release in ("1.3", "1.4")  # with `open_case`, not the look-up
        self._counts_once = release == "1.4"  # contract v1.2's verdicts (CaseFile.counts_once)
        # v1.4: one timer for the next warning or deadline, started again only when that moves
        self._one_timer = release == "1.4"
        self._timer: asyncio.Task[None] | None = None
        self._timer_at: datetime | None = None
        self._rang = False
        self._id_taken = False  # the archive holds an earlier case under this id: record nothing
        self._archived: dict[str, Any] | None = None  # the case as last recorded, as JSON
        self._request: CaseRequest | None = None  # as validated, once it is
        self._case = self._case_file(request)

    def _case_file(self, request: Any) -> CaseFile:
        info, now = workflow.info(), workflow.now()
        case_id = info.workflow_id.removeprefix(WORKFLOW_ID_PREFIX)
        try:
            valid = CaseRequest.model_validate(request)
        except ValidationError as e:
            return CaseFile.invalid(case_id, field_errors(e), now, info.run_id)
        problems = []
        if valid.case_id != case_id:
            problems.append(
                FieldError(
                    field="case_id",
                    message=f"{valid.case_id} does not match workflow id {info.workflow_id}; "
                    f"start it as {WORKFLOW_ID_PREFIX}{valid.case_id}",
                )
            )
        if valid.reported_at and (problem := reported_at_problem(valid.reported_at, now)):
            problems.append(FieldError(field="reported_at", message=problem))
        if problems:
            return CaseFile.invalid(case_id, problems, now, info.run_id)
        self._request = valid
        return CaseFile.from_request(
            valid, valid.reported_at or info.workflow_start_time, info.run_id, self._counts_once
        )

    @property
    def state(self) -> CaseState:
        return self._case.state

    async def run(self) -> CaseState:
        recorder = asyncio.create_task(self._record_changes())
        self._show()
        if not self._case.ended:
            await self._open()
        while not self._case.ended:
            self._after_change()
            await self._wait_for_news_or_clock()
        await workflow.wait_condition(workflow.all_handlers_finished)
        self._after_change(final=True)
        await workflow.wait_condition(lambda: not self._dirty and not self._recording)
        recorder.cancel()
        return self._case.state

    async def _open(self) -> None:
        if self._opens_itself:
            await self._open_and_record()
            return
        s = self._case.state
        assert s.customer_id and s.equipment_serial and s.reported_at
        request = LookupRequest(
            case_id=s.case_id,
            customer_id=s.customer_id,
            equipment_serial=s.equipment_serial,
            reported_at=s.reported_at,
        )
        facts = await self._archive(LOOKUP_EQUIPMENT, request, CaseFacts)
        self._place(facts, workflow.now())

    def _place(self, facts: CaseFacts, at: datetime) -> None:
        if facts.found:
            self._case.open(facts, at)
            case_metrics.case_opened()
        elif facts.id_taken:
            self._id_taken = True
            self._case.reject_taken_id(facts.reason or "the case id names an earlier case", at)
        else:
            self._case.reject(facts.reason or "the equipment is not in the archive", at)

    async def _open_and_record(self) -> None:
        """v1.3: one activity places the case and records its opening, computed from the same
        request, facts and time as the workflow's. When the digests differ (a worker of another
        release ran the activity), the opening is recorded again as usual: letter keys make a
        repeat harmless."""
        assert self._request is not None and self._case.state.reported_at is not None
        order = OpenCase(
            run_id=workflow.info().run_id,
            at=workflow.now(),
            request=self._request,
            reported_at=self._case.state.reported_at,
        )
        opened = await self._archive(OPEN_CASE, order, CaseOpened, PLACEMENT)
        self._place(opened.facts, order.at)
        if opened.digest is not None and opened.digest == digest(self._case.state):
            self._case.take_effects()  # written by `open_case`
            self._case.adopt_warranty_end(opened.warranty_ends_on)  # as the row holds it
            self._archived = self._case.state.model_dump(mode="json")
            self._last_record = (False, *archived_fields(self._case.state))

    async def _wait_for_news_or_clock(self) -> None:
        """Sleep until an action changes the case or the next warning or deadline is due."""
        if self._one_timer:
            await self._wait_on_one_timer()
            return
        version = self._case.state.version
        next_at = self._case.next_clock_event()
        if next_at is None:
            await workflow.wait_condition(lambda: self._case.state.version != version)
            return
        seconds = math.ceil((next_at - workflow.now()).total_seconds() * 1000) / 1000
        if seconds > 0:
            try:
                await workflow.wait_condition(
                    lambda: self._case.state.version != version, timeout=seconds
                )
            except TimeoutError:
                timer_fired(next_at)
        self._case.tick(workflow.now())

    async def _wait_on_one_timer(self) -> None:
        """v1.4: as above, on one timer for the next warning or deadline, which is cancelled
        and started again only when an action moves that instant (v1.3 started one per wait,
        and cancelled it on every change)."""
        version = self._case.state.version
        next_at = self._case.next_clock_event()
        if next_at != self._timer_at:
            if self._timer is not None:
                self._timer.cancel()
            self._timer_at, self._rang = next_at, False
            self._timer = asyncio.create_task(self._ring_at(next_at)) if next_at else None
        await workflow.wait_condition(lambda: self._rang or self._case.state.version != version)
        if self._rang and self._timer_at is not None:
            timer_fired(self._timer_at)
            self._timer, self._timer_at, self._rang = None, None, False
        self._case.tick(workflow.now())

    async def _ring_at(self, at: datetime) -> None:
        seconds = math.ceil((at - workflow.now()).total_seconds() * 1000) / 1000
        if seconds > 0:
            await workflow.sleep(seconds)
        self._rang = True

    # --- the archive record: one activity per batch of changes, one at a time ---

    def _after_change(self, final: bool = False) -> None:
        """Keep the search attributes and the UI's details current, and queue a record of the
        case when it has effects to record or an indexed field changed. A notice or a rejected
        signal alone is not worth a write until the end, which records the whole timeline."""
        self._show()
        self._count()
        self._unrecorded += self._case.take_effects()
        if self._id_taken:
            return  # nothing of the earlier case under this id is written over
        record = (final, *archived_fields(self._case.state))
        if self._unrecorded or record != self._last_record:
            self._last_record = record
            self._dirty = True

    async def _record_changes(self) -> None:
        while True:
            await workflow.wait_condition(lambda: self._dirty)
            self._dirty, self._recording = False, True
            effects, self._unrecorded = self._unrecorded, []
            now_as_json = self._case.state.model_dump(mode="json")
            event = case_event(
                self._case.state,
                workflow.info().run_id,
                workflow.now(),
                effects,
                self._archived,
                now_as_json,
            )
            try:
                recorded = await self._archive(RECORD_CASE_EVENT, event, EventRecorded)
                self._archived = now_as_json
                self._learn_warranty_end(recorded.warranty_ends_on)
                await self._tell_other_cases(recorded)
            except ActivityError as e:
                self._archived = None  # the next record carries the whole case
                cause = e.cause.message if isinstance(e.cause, ApplicationError) else str(e)
                self._case.record_failure(f"the archive refused a record: {cause}", workflow.now())
            finally:
                self._recording = False
            self._show()

    def _learn_warranty_end(self, ends_on: date | None, by_case: str | None = None) -> None:
        """The equipment's warranty end as the archive has it; one that brings this open case
        under the warranty covers it (clauses 7 and 1)."""
        if self._case.comes_under_warranty(ends_on) and (
            self._counts_once or workflow.patched(WARRANTY_ACROSS_CASES)
        ):
            assert ends_on is not None
            self._case.cover(ends_on, by_case, workflow.now())
        else:
            self._case.adopt_warranty_end(ends_on)

    async def _tell_other_cases(self, recorded: EventRecorded | DowntimeCounted) -> None:
        """This case's record extended the warranty: tell the other open cases on the
        equipment to read its new end. One that has ended meanwhile cannot take it, and needs
        not."""
        also_open = recorded.also_open
        if not also_open or not (self._counts_once or workflow.patched(WARRANTY_ACROSS_CASES)):
            return
        assert recorded.warranty_ends_on is not None
        news = {
            "warranty_ends_on": recorded.warranty_ends_on.isoformat(),
            "by_case": self._case.state.case_id,
        }
        told = [
            workflow.get_external_workflow_handle(f"{WORKFLOW_ID_PREFIX}{case_id}").signal(
                WARRANTY_EXTENDED, news
            )
            for case_id in also_open
        ]
        for case_id, outcome in zip(
            also_open, await asyncio.gather(*told, return_exceptions=True), strict=True
        ):
            if isinstance(outcome, FailureError):
                workflow.logger.info(
                    "case %s not told of the warranty's new end: %s", case_id, outcome
                )
            elif isinstance(outcome, BaseException):
                raise outcome

    async def warranty_extended(self, payload: Any) -> None:
        """Another case on this equipment extended its warranty (clause 7): read the archive's
        warranty end again (its next record answers it), whatever the payload says. Any
        Temporal client can send this signal, so it carries no date a case believes.

        A v1.3 case asks `WARRANTY_FROM_ARCHIVE`; a history that believed the date (no such
        marker) replays as recorded, and one that took the signal before this handler existed
        has neither marker and replays without it changing anything."""
        if self._counts_once or workflow.patched(WARRANTY_FROM_ARCHIVE):
            await workflow.wait_condition(lambda: self._case.opened or self._case.ended)
            if not self._case.ended:
                self._dirty = True
            return
        try:
            news = WarrantyNews.model_validate(payload)
        except ValidationError as e:
            problems = listed(field_errors(e))
            self._case.record_failure(f"{WARRANTY_EXTENDED} ignored: {problems}", workflow.now())
            return
        await workflow.wait_condition(lambda: self._case.opened or self._case.ended)
        if news.warranty_ends_on != self._case.state.warranty_ends_on and workflow.patched(
            WARRANTY_ACROSS_CASES
        ):
            self._learn_warranty_end(news.warranty_ends_on, news.by_case)

    async def _archive(
        self,
        name: str,
        argument: Any,
        result_type: type[Result],
        priority: Priority = Priority.default,
    ) -> Result:
        """One archive activity: ordinary since v1.2, local for a v1.1 case."""
        if self._ordinary_activities:
            return await workflow.execute_activity(
                name,
                argument,
                result_type=result_type,
                start_to_close_timeout=ACTIVITY_TIMEOUT,
                retry_policy=ARCHIVE_RETRY,
                priority=priority,
            )
        return await workflow.execute_local_activity(
            name,
            argument,
            result_type=result_type,
            start_to_close_timeout=ARCHIVE_TIMEOUT,
            retry_policy=ARCHIVE_RETRY,
        )

    def _count(self) -> None:
        """The breaches and met clocks since the last change, for the worker's metrics."""
        s = self._case.state
        breaches, met = self._counted
        for index, breach in enumerate(s.breaches[breaches:], start=breaches):
            case_metrics.sla_breached(breach.sla, index)
        for sla in s.met.keys() - met:
            assert s.reported_at is not None
            case_metrics.clock_met(sla, s.met[sla] - s.reported_at)
        self._counted = (len(s.breaches), set(s.met))

    def _show(self) -> None:
        """The search attributes and the UI's current details, from the case as it stands."""
        state = self._case.state
        updates = search_attributes.changes(state, self._published)
        if updates:
            workflow.upsert_search_attributes(updates)
            self._published = search_attributes.values_of(state)
        workflow.set_current_details(current_details(state))

    # --- actions: update and signal of the same name ---

    def validate(self, name: str, payload: Any) -> None:
        """Refuse a misfit before it enters history. An action that comes before the case is
        placed, or while another action is still being applied (a signal sent with the start),
        passes here and is judged by its handler, in turn, against the case as it then is."""
        action = read_action(name, payload)
        placed = (self._case.opened or self._case.ended) and not self._lock.locked()
        if isinstance(action, str):
            reason: str | None = action
        else:
            reason = self._case.misfit(name, action, workflow.now()) if placed else None
        if reason:
            case_metrics.misfit(name, case_metrics.update_event())
            raise refusal(name, reason)

    async def update(self, name: str, payload: Any) -> CaseState:
        action = parse_action(name, payload)
        if reason := await self._take_in_turn(name, action):
            case_metrics.misfit(name, case_metrics.update_event())
            raise refusal(name, reason)
        return self._case.state

    async def signal(self, name: str, payload: Any) -> None:
        self._signals += 1
        event = f"signal/{self._signals}"
        action = read_action(name, payload)
        reason = action if isinstance(action, str) else await self._take_in_turn(name, action)
        if reason:
            async with self._lock:
                await workflow.wait_condition(lambda: self._case.opened or self._case.ended)
                case_metrics.misfit(name, event)
                self._case.record_misfit(name, reason, workflow.now())

    async def _take_in_turn(self, name: str, action: Action) -> str | None:
        """Apply `action` once the case is placed, one action at a time. Actions sent before
        the look-up placed the case (a dispatch with the start, an arrival the instant after)
        can reach the workflow in one task in either order: one that does not fit is judged
        once more after every other early action has been tried."""
        early = not (self._case.opened or self._case.ended)
        self._untried_early += early
        try:
            reason = await self._take(name, action)
        finally:
            self._untried_early -= early
        if reason and early and self._untried_early:
            await workflow.wait_condition(lambda: self._untried_early == 0)
            reason = await self._take(name, action)
        return reason

    async def _take(self, name: str, action: Action) -> str | None:
        async with self._lock:
            await workflow.wait_condition(lambda: self._case.opened or self._case.ended)
            now = workflow.now()
            counted = None
            if stretch := self._case.downtime_to_count(name, action, now):
                counted = await self._count_downtime(stretch)
            return self._case.take(name, action, now, counted)

    async def _count_downtime(self, stretch: tuple[datetime, datetime]) -> DowntimeCounted:
        """Clause 7 (v1.4): the archive counts the repair's stretch of downtime against every
        stretch of the equipment, under a lock, and extends the warranty by what it adds."""
        s = self._case.state
        assert s.equipment_serial is not None
        counted = await self._archive(
            COUNT_DOWNTIME,
            DowntimeStretch(
                key=event_key(s.case_id, workflow.info().run_id, "downtime"),
                case_id=s.case_id,
                equipment_serial=s.equipment_serial,
                stopped_at=stretch[0],
                restored_at=stretch[1],
            ),
            DowntimeCounted,
        )
        await self._tell_other_cases(counted)
        return counted

    def delivery_problem(self, detail: str) -> None:
        """The relay could not deliver a letter or a finance event of this case."""
        self._case.record_failure(detail, workflow.now())
