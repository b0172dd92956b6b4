"""Clause 7 counts each stretch of downtime of one piece of equipment once: the `count_downtime`
activity (v1.4 cases).

In one transaction, with the equipment's row locked first (an UPDATE that changes nothing: a
row lock on PostgreSQL, the write lock on SQLite, taken before anything is read), it reads the
stretches other cases claimed on the serial, counts the new one against their union, records
it, and adds the days it earns to the warranty. Two cases committing at the same moment take
turns on the lock, so their stretches are counted against each other. A retry finds the row of
its key and answers the first count again.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.archive.case_event import failure
from activities.archive.schema import DowntimeStretch as StretchRow
from activities.archive.schema import Equipment, WarrantyExtensionRecord
from activities.archive.warranty import ends_on, open_cases_on
from activities.logging import case_logger
from workflows import rules
from workflows.activity_io import COUNT_DOWNTIME, DowntimeCounted, DowntimeStretch


class DowntimeActivities:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    @activity.defn(name=COUNT_DOWNTIME)
    def count_downtime(self, stretch: DowntimeStretch) -> DowntimeCounted:
        try:
            with self._sessions.begin() as session:
                counted = count_once(session, stretch)
        except Exception as error:
            raise failure(stretch.case_id, error) from error
        case_logger(stretch.case_id, equipment_serial=stretch.equipment_serial).info(
            "downtime counted",
            downtime_seconds=int(counted.downtime.total_seconds()),
            days=counted.days,
            warranty_ends_on=str(counted.warranty_ends_on),
        )
        return counted


def count_once(session: Session, stretch: DowntimeStretch) -> DowntimeCounted:
    """Count `stretch` against the serial's earlier stretches, once per key."""
    locked = session.execute(
        update(Equipment)
        .where(Equipment.serial == stretch.equipment_serial)
        .values(extension_days=Equipment.extension_days)
    )
    if locked.rowcount != 1:
        raise ApplicationError(
            f"equipment serial {stretch.equipment_serial} is not in the archive",
            type="CaseEventRefused",
            non_retryable=True,
        )
    rows = StretchRow.__table__.c
    earlier = session.execute(
        select(rows.key, rows.stopped_at, rows.restored_at, rows.claimed_seconds, rows.days).where(
            rows.serial == stretch.equipment_serial
        )
    ).all()
    if mine := next((row for row in earlier if row.key == stretch.key), None):
        downtime, days = timedelta(seconds=mine.claimed_seconds), mine.days
    else:
        claimed = [(row.stopped_at, row.restored_at) for row in earlier]
        new, days = rules.downtime_not_claimed((stretch.stopped_at, stretch.restored_at), claimed)
        downtime = timedelta(seconds=int(new.total_seconds()))
        _record(session, stretch, downtime, days)
    equipment = session.get(Equipment, stretch.equipment_serial, populate_existing=True)
    assert equipment is not None
    also_open = open_cases_on(session, stretch.equipment_serial, stretch.case_id) if days else []
    return DowntimeCounted(
        downtime=downtime, days=days, warranty_ends_on=ends_on(equipment), also_open=also_open
    )


def _record(session: Session, stretch: DowntimeStretch, downtime: timedelta, days: int) -> None:
    now = datetime.now(UTC)
    session.add(
        StretchRow(
            key=stretch.key,
            serial=stretch.equipment_serial,
            case_id=stretch.case_id,
            stopped_at=stretch.stopped_at,
            restored_at=stretch.restored_at,
            claimed_seconds=int(downtime.total_seconds()),
            days=days,
            created_at=now,
        )
    )
    if days:
        session.add(
            WarrantyExtensionRecord(
                key=stretch.key,
                serial=stretch.equipment_serial,
                case_id=stretch.case_id,
                days=days,
                created_at=now,
            )
        )
        session.execute(
            update(Equipment)
            .where(Equipment.serial == stretch.equipment_serial)
            .values(extension_days=Equipment.extension_days + days)
        )
    session.flush()
