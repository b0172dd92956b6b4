"""Connecting to the archive, bringing its schema up to date with Alembic migrations, and
telling a database that is briefly unavailable from a real error."""

from __future__ import annotations

import threading
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker

from activities.archive.schema import CaseRecord, Customer, LedgerEntry, Notice

MIGRATIONS = Path(__file__).parent / "migrations"
MIGRATION_LOCK = 0x7265706169726465  # "repairde": the advisory lock id of archive migrations


def transient(error: BaseException) -> bool:
    """A database that is down, restarting or busy: a later attempt may succeed."""
    if isinstance(error, OperationalError | InterfaceError | DisconnectionError | PoolTimeout):
        return True
    return isinstance(error, DBAPIError) and error.connection_invalidated


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")  # with WAL: durable across a process crash
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def create_archive_engine(url: str) -> Engine:
    """An engine for `url`; a SQLite file's folder is created if it does not exist yet."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 10})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def migrate(engine: Engine) -> None:
    """Apply every pending migration; a fresh database gets the whole schema.

    On PostgreSQL, workers starting together on many machines take turns: the first migrates
    under a transaction-wide advisory lock, the others then find nothing left to do."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


_opening = threading.Lock()


@cache
def _migrated(url: str) -> sessionmaker[Session]:
    engine = create_archive_engine(url)
    migrate(engine)
    return sessionmaker(engine, expire_on_commit=False)


def archive(url: str) -> sessionmaker[Session]:
    """The migrated archive at `url`, one engine per URL for the life of the process.

    Activity threads may ask for it at the same moment: the lock lets one migrate first."""
    with _opening:
        return _migrated(url)


def archive_exists(url: str) -> bool:
    """Whether an archive is already at `url` (its tables made), without creating anything:
    a SQLite file that is not there yet, or a database without repairdesk's tables, is not."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            return False
        if not Path(parsed.database).is_file():
            return False
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return inspect(connection).has_table("alembic_version")
    finally:
        engine.dispose()


def archive_is_empty(sessions: sessionmaker[Session]) -> bool:
    """No customer, no case, no charge, no notice: nothing was ever imported or archived."""
    tables = (Customer, CaseRecord, LedgerEntry, Notice)
    with sessions() as session:
        return all(session.scalars(select(table).limit(1)).first() is None for table in tables)
