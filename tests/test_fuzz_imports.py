"""Fuzzing `repairdesk archive import` and `archive contracts`: random files of good rows with
random bad cells, on a SQLite file and on PostgreSQL. A file with any bad row stores nothing (the
archive is exactly as before) and every problem has a line number; a file of good rows loads."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from activities.archive.contracts import COLUMNS as CONTRACT_COLUMNS
from activities.archive.contracts import import_contracts
from activities.archive.csv_table import ImportRefused
from activities.archive.db import archive
from activities.archive.importer import COLUMNS, import_equipment
from activities.archive.schema import Contract, Customer, Equipment
from tests.strategies import EXAMPLES, ODD_TEXT

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Cells a person may type: any unicode but the line breaks of a CSV reader, quotes and commas too.
CELL = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\r\n\x00"), max_size=30)
TEXT = (CELL | st.sampled_from(ODD_TEXT)).filter(lambda s: s.strip() == s and s != "")
BAD_EQUIPMENT = {
    "customer_id": ["", "a b", "C" * 65, "客户", "-C"],
    "customer_name": ["", "n" * 201],
    "serial": ["", "S N", "S" * 65, "S\x00N"],
    "model": ["m" * 201, "CW\x00400"],
    "site": ["s" * 501],
    "warranty_start": ["2026-02-30", "1969-12-31", "2101-01-01", "20260115", "2026-1-5", "?", ""],
    "warranty_months": ["0", "601", "1.5", "twelve", "-3", "", "1e2", "9" * 30],
}
BAD_CONTRACT = {
    "customer_id": ["a b", "C" * 65, "C\x00"],
    "reply": ["0s", "1", "1.5s", "-1h", "forever", "99999999h"],
    "onsite": ["0m", "h", "3x"],
    "repair": ["24", "NaN"],
    "emergency_onsite": ["-4h", "4hours"],
    "warn_at": ["0", "1", "1.5", "-0.5", "NaN", "7.5E-1", "0.12345"],
    "discount": ["1", "-0.1", "1E-1", "0.123456", "٠٫١"],
    "labour_rate": ["-1", "3.001", "1E+3", "Infinity", "1" * 40, "٣٠٠"],
}


def written(rows: list[dict[str, str]], columns: tuple[str, ...]) -> tuple[str, list[int]]:
    """The CSV text and the line each record starts on (the header is line 1)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    starts = []
    for row in rows:
        starts.append(len(io.StringIO(out.getvalue(), newline="").readlines()) + 1)
        writer.writerow(row)
    return out.getvalue(), starts


@st.composite
def equipment_rows(draw: st.DrawFn) -> list[dict[str, str]]:
    """Good rows: each serial once, each customer with one name."""
    tag = uuid.uuid4().hex[:8]
    customers = draw(st.lists(TEXT.filter(lambda s: len(s) <= 200), min_size=1, max_size=3))
    rows = []
    for i in range(draw(st.integers(1, 6))):
        owner = draw(st.integers(0, len(customers) - 1))
        start = date(1970, 1, 1) + timedelta(days=draw(st.integers(0, 47_000)))
        optional = st.sampled_from(["", *ODD_TEXT[:4]]) | TEXT.filter(lambda s: len(s) <= 200)
        rows.append(
            {
                "customer_id": f"C-{tag}-{owner}",
                "customer_name": customers[owner],
                "serial": f"S-{tag}-{i}",
                "model": draw(optional),
                "site": draw(optional),
                "warranty_start": start.isoformat(),
                "warranty_months": str(draw(st.integers(1, 600))),
            }
        )
    return rows


@st.composite
def contract_rows(draw: st.DrawFn, customers: list[str]) -> list[dict[str, str]]:
    spans = st.sampled_from(["", "45s", "90m", "1h", "2h", "24h", "3600s"])
    rows = []
    for customer in draw(st.lists(st.sampled_from(customers), min_size=1, unique=True)):
        rows.append(
            {
                "customer_id": customer,
                **{name: draw(spans) for name in ("reply", "onsite", "repair", "emergency_onsite")},
                "warn_at": draw(st.sampled_from(["", "0.5", "0.75", "0.9"])),
                "discount": draw(st.sampled_from(["", "0", "0.10", "0.1234"])),
                "labour_rate": draw(st.sampled_from(["", "0", "300", "450.50"])),
            }
        )
    return rows


def spoil(draw: st.DrawFn, rows: list[dict[str, str]], bad: dict[str, list[str]]) -> set[int]:
    """Put a bad cell into some rows; the indexes of the rows spoiled."""
    spoiled = draw(st.sets(st.integers(0, len(rows) - 1), min_size=1))
    for i in spoiled:
        column = draw(st.sampled_from(sorted(bad)))
        rows[i][column] = draw(st.sampled_from(bad[column]))
    return spoiled


def snapshot(sessions: sessionmaker[Session]) -> list[Any]:
    with sessions() as session:
        return [
            [tuple(vars(r)[k] for k in sorted(vars(r)) if not k.startswith("_")) for r in rows]
            for rows in (
                session.scalars(select(table)).all() for table in (Customer, Equipment, Contract)
            )
        ]


def refused_whole(
    load: Callable[..., Any], sessions: sessionmaker[Session], path: Path, lines: list[int]
) -> None:
    before = snapshot(sessions)
    with pytest.raises(ImportRefused) as refused:
        load(sessions, path)
    problems = refused.value.problems
    note(str(refused.value)[:2000])
    assert all(p.line is not None for p in problems), problems
    assert set(lines) <= {p.line for p in problems}, (lines, problems)
    assert snapshot(sessions) == before


@pytest.fixture
def sessions(database_url: str) -> sessionmaker[Session]:
    return archive(database_url)


@FUZZ
@given(rows=equipment_rows(), data=st.data())
def test_an_equipment_file_with_a_bad_cell_stores_nothing(sessions, tmp_path, rows, data):
    spoiled = spoil(data.draw, rows, BAD_EQUIPMENT) if data.draw(st.booleans()) else set()
    text, starts = written(rows, COLUMNS)
    path = tmp_path / "archive.csv"
    path.write_text(text, encoding="utf-8")
    note(text[:3000])
    if spoiled:
        refused_whole(import_equipment, sessions, path, [starts[i] for i in spoiled])
        return
    summary = import_equipment(sessions, path)
    assert summary.new_equipment == len(rows)
    with sessions() as session:
        for row in rows:
            stored = session.get(Equipment, row["serial"])
            assert stored is not None and stored.customer_id == row["customer_id"]
            assert (stored.model or "") == row["model"] and (stored.site or "") == row["site"]
            assert stored.warranty_start.isoformat() == row["warranty_start"]


@FUZZ
@given(data=st.data())
def test_a_contracts_file_with_a_bad_cell_stores_nothing(sessions, tmp_path, data):
    equipment = data.draw(equipment_rows())
    text, _ = written(equipment, COLUMNS)
    (tmp_path / "archive.csv").write_text(text, encoding="utf-8")
    import_equipment(sessions, tmp_path / "archive.csv")
    rows = data.draw(contract_rows(sorted({row["customer_id"] for row in equipment})))
    spoiled = spoil(data.draw, rows, BAD_CONTRACT) if data.draw(st.booleans()) else set()
    text, starts = written(rows, CONTRACT_COLUMNS)
    path = tmp_path / "contracts.csv"
    path.write_text(text, encoding="utf-8")
    note(text)
    if spoiled:
        refused_whole(import_contracts, sessions, path, [starts[i] for i in spoiled])
        return
    summary = import_contracts(sessions, path)
    assert summary.new + summary.updated == len(rows)
