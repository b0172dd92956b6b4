"""`repairdesk archive import|contracts` against real archives (a SQLite file and PostgreSQL)."""

from __future__ import annotations

import argparse
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from activities.archive.contracts import import_contracts
from activities.archive.csv_table import ImportRefused
from activities.archive.db import archive
from activities.archive.importer import import_equipment
from activities.archive.schema import Contract, Customer, Equipment
from starter import archive_commands

HEADER = "customer_id,customer_name,serial,model,site,warranty_start,warranty_months"
CONTRACT_HEADER = "customer_id,reply,onsite,repair,emergency_onsite,warn_at,discount,labour_rate"
GOOD = "CUST-7,北京华信制冷工程有限公司,SN-42,Chiller CW-400,北京 3号机房,2026-01-15,24"
SAMPLES = Path(__file__).parent.parent / "starter" / "data"


def csv_file(tmp_path: Path, *lines: str, name: str = "file.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    return path


def count(sessions: sessionmaker[Session], table: type) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(table)) or 0


def rejected(load: object, sessions: sessionmaker[Session], path: Path) -> list[str]:
    with pytest.raises(ImportRefused) as caught:
        load(sessions, path)  # type: ignore[operator]
    return [str(problem) for problem in caught.value.problems]


def test_sample_archive_loads_with_chinese_names(database_url: str) -> None:
    sessions = archive(database_url)
    summary = import_equipment(sessions, SAMPLES / "sample-archive.csv")
    assert summary.new_equipment >= 3 and summary.updated_equipment == 0
    with sessions() as session:
        sn42 = session.get(Equipment, "SN-42")
        assert sn42 is not None and sn42.customer_id == "CUST-7"
        assert (sn42.warranty_start, sn42.warranty_months, sn42.extension_days) == (
            date(2026, 1, 15),
            24,
            0,
        )
        customer = session.get(Customer, "CUST-7")
        assert customer is not None and customer.name == "北京华信制冷工程有限公司"
    assert import_contracts(sessions, SAMPLES / "sample-contracts.csv").new == 1


def test_reimport_updates_in_place_and_keeps_extension_days(
    database_url: str, tmp_path: Path
) -> None:
    sessions = archive(database_url)
    import_equipment(sessions, csv_file(tmp_path, HEADER, GOOD))
    with sessions.begin() as session:
        session.get_one(Equipment, "SN-42").extension_days = 3
    changed = "CUST-7,华信制冷,SN-42,Chiller CW-500,新机房,2026-02-01,36"
    extra = "CUST-8,Pudong DC,SN-50,,,2025-06-01,36"
    summary = import_equipment(sessions, csv_file(tmp_path, HEADER, changed, extra))
    assert (summary.customers, summary.new_equipment, summary.updated_equipment) == (2, 1, 1)
    assert count(sessions, Equipment) == 2 and count(sessions, Customer) == 2
    with sessions() as session:
        sn42 = session.get_one(Equipment, "SN-42")
        assert (sn42.model, sn42.site, sn42.warranty_start, sn42.warranty_months) == (
            "Chiller CW-500",
            "新机房",
            date(2026, 2, 1),
            36,
        )
        assert sn42.extension_days == 3
        assert session.get_one(Customer, "CUST-7").name == "华信制冷"
        assert session.get_one(Equipment, "SN-50").model is None


BAD_ROWS = {
    "empty required cell": (",Name,SN-2,,,2026-01-01,12", "line 3: customer_id is empty"),
    "empty name": ("CUST-2,,SN-2,,,2026-01-01,12", "line 3: customer_name is empty"),
    "bad date": ("CUST-2,N,SN-2,,,2026-02-30,12", "line 3: warranty_start '2026-02-30'"),
    "date not ISO": ("CUST-2,N,SN-2,,,15/01/2026,12", "line 3: warranty_start '15/01/2026'"),
    "negative months": ("CUST-2,N,SN-2,,,2026-01-01,-1", "line 3: warranty_months '-1'"),
    "non-integer months": ("CUST-2,N,SN-2,,,2026-01-01,1.5", "line 3: warranty_months '1.5'"),
    "no months": ("CUST-2,N,SN-2,,,2026-01-01,0", "line 3: warranty_months '0' must be a whole"),
    "a century": ("CUST-2,N,SN-2,,,2026-01-01,1200", "line 3: warranty_months '1200' must be"),
    "year 9999": (
        "CUST-2,N,SN-2,,,9999-12-01,12",
        "line 3: warranty_start '9999-12-01' must be from 1970-01-01 to 2100-12-31",
    ),
    "year 1": ("CUST-2,N,SN-2,,,0001-01-01,12", "line 3: warranty_start '0001-01-01' must be"),
    "serial for two customers": (
        "CUST-2,N,SN-42,,,2026-01-01,12",
        "line 3: serial SN-42 is given to CUST-7 on line 2 and to CUST-2 here",
    ),
    "serial repeated": (
        "CUST-7,北京华信制冷工程有限公司,SN-42,,,2026-01-15,24",
        "line 3: serial SN-42 is given twice (first on line 2)",
    ),
    "customer with two names": (
        "CUST-7,Another name,SN-2,,,2026-01-01,12",
        "line 3: customer CUST-7 is named 'Another name' here but",
    ),
    "bad identifier": ("CUST 2,N,SN-2,,,2026-01-01,12", "line 3: customer_id 'CUST 2'"),
    "wrong cell count": ("CUST-2,N,SN-2,2026-01-01,12", "line 3: expected 7 cells, found 5"),
}


@pytest.mark.parametrize("reason", BAD_ROWS)
def test_a_bad_row_loads_nothing(database_url: str, tmp_path: Path, reason: str) -> None:
    sessions = archive(database_url)
    bad, expected = BAD_ROWS[reason]
    problems = rejected(import_equipment, sessions, csv_file(tmp_path, HEADER, GOOD, bad))
    assert len(problems) == 1 and problems[0].startswith(expected), problems
    assert count(sessions, Customer) == 0 and count(sessions, Equipment) == 0


def test_missing_column_is_reported_on_the_header(database_url: str, tmp_path: Path) -> None:
    header = HEADER.replace(",site", "")
    path = csv_file(tmp_path, header, "CUST-7,N,SN-42,M,2026-01-15,24")
    problems = rejected(import_equipment, archive(database_url), path)
    assert problems == ["line 1: missing column(s): site"]


def test_serial_owned_by_another_customer_in_the_archive(database_url: str, tmp_path: Path) -> None:
    sessions = archive(database_url)
    import_equipment(sessions, csv_file(tmp_path, HEADER, GOOD, name="first.csv"))
    new_customer = "CUST-9,广州南沙精密机械厂,SN-60,,,2025-09-10,18"
    theft = "CUST-9,广州南沙精密机械厂,SN-42,,,2025-09-10,18"
    path = csv_file(tmp_path, HEADER, new_customer, theft)
    problems = rejected(import_equipment, sessions, path)
    assert problems == [
        "line 3: serial SN-42 already belongs to customer CUST-7 in the archive, not to CUST-9"
    ]
    assert count(sessions, Customer) == 1 and count(sessions, Equipment) == 1


def test_every_problem_is_reported_at_once(database_url: str, tmp_path: Path) -> None:
    lines = [HEADER, GOOD, "", "CUST-2,,SN-2,,,2026-01-01,x", GOOD.replace("SN-42", "SN-3")]
    lines.append("CUST-7,北京华信制冷工程有限公司,SN-42,,,2026-01-15,24")
    problems = rejected(import_equipment, archive(database_url), csv_file(tmp_path, *lines))
    assert [p.split(":")[0] for p in problems] == ["line 4", "line 4", "line 6"]


def test_quoted_cell_over_two_lines_keeps_line_numbers(tmp_path: Path, sqlite_url: str) -> None:
    site = '"Building 2,\nfloor 3"'
    lines = [HEADER, f"CUST-7,N,SN-42,M,{site},2026-01-15,24", "CUST-8,N,SN-50,,,2026-01-32,1"]
    problems = rejected(import_equipment, archive(sqlite_url), csv_file(tmp_path, *lines))
    assert problems == ["line 4: warranty_start '2026-01-32' is not a date YYYY-MM-DD"]


def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path, sqlite_url: str) -> None:
    path = tmp_path / "gbk.csv"
    path.write_bytes(f"{HEADER}\n{GOOD}\n".encode("gbk"))
    problems = rejected(import_equipment, archive(sqlite_url), path)
    assert problems == ["line 2: the file is not UTF-8 text: save it as 'CSV UTF-8'"]


# --- contracts ---


def test_contracts_set_terms_and_empty_cells_keep_defaults(
    database_url: str, tmp_path: Path
) -> None:
    sessions = archive(database_url)
    import_equipment(sessions, csv_file(tmp_path, HEADER, GOOD, name="equipment.csv"))
    first = import_contracts(
        sessions, csv_file(tmp_path, CONTRACT_HEADER, "CUST-7,45m,2h,,1h30m,0.5,0.15,280.50")
    )
    with sessions() as session:
        contract = session.get_one(Contract, "CUST-7")
        assert (contract.reply_seconds, contract.onsite_seconds, contract.repair_seconds) == (
            2700,
            7200,
            None,
        )
        assert contract.emergency_onsite_seconds == 5400
        assert (contract.warn_at, contract.discount, contract.labour_rate) == (
            Decimal("0.5"),
            Decimal("0.15"),
            Decimal("280.50"),
        )
    again = import_contracts(sessions, csv_file(tmp_path, CONTRACT_HEADER, "CUST-7,,,,,,,"))
    assert (first.new, first.updated, again.new, again.updated) == (1, 0, 0, 1)
    with sessions() as session:
        contract = session.get_one(Contract, "CUST-7")
        assert contract.reply_seconds is None and contract.labour_rate is None
    assert count(sessions, Contract) == 1


BAD_CONTRACTS = {
    "bad duration": ("CUST-7,soon,,,,,,", "line 3: reply 'soon' is not a duration"),
    "duration too long": ("CUST-7,,31d,,,,,", "line 3: onsite '31d' must be whole seconds, from"),
    "duration overflows": ("CUST-7,,,99999999999999999999d,,,,", "line 3: repair '9999"),
    "warn_at 1": ("CUST-7,,,,,1,,", "line 3: warn_at '1' must be more than 0 and less than 1"),
    "warn_at 0": ("CUST-7,,,,,0,,", "line 3: warn_at '0' must be more than 0"),
    "discount 1": ("CUST-7,,,,,,1,", "line 3: discount '1' must be at least 0 and less than 1"),
    "negative discount": ("CUST-7,,,,,,-0.1,", "line 3: discount '-0.1' must be at least 0"),
    "discount places": ("CUST-7,,,,,,0.12345,", "line 3: discount '0.12345' has more than 4"),
    "labour rate cents": ("CUST-7,,,,,,,300.005", "line 3: labour_rate '300.005' has more than 2"),
    "negative labour rate": ("CUST-7,,,,,,,-1", "line 3: labour_rate '-1' must be from 0 to"),
    "not a number": ("CUST-7,,,,,,,NaN", "line 3: labour_rate 'NaN' is not a plain decimal"),
    "infinite": ("CUST-7,,,,,,,inf", "line 3: labour_rate 'inf' is not a plain decimal"),
    "exponent": ("CUST-7,,,,,,,1E+1", "line 3: labour_rate '1E+1' is not a plain decimal"),
    "unknown customer": ("CUST-404,1h,,,,,,", "line 3: customer CUST-404 is not in the archive"),
    "twice": ("CUST-8,2h,,,,,,", "line 3: customer CUST-8 already has a contract on line 2"),
}


@pytest.mark.parametrize("reason", BAD_CONTRACTS)
def test_a_bad_contract_row_loads_nothing(database_url: str, tmp_path: Path, reason: str) -> None:
    sessions = archive(database_url)
    other = "CUST-8,Pudong DC,SN-50,,,2025-06-01,36"
    import_equipment(sessions, csv_file(tmp_path, HEADER, GOOD, other, name="equipment.csv"))
    bad, expected = BAD_CONTRACTS[reason]
    path = csv_file(tmp_path, CONTRACT_HEADER, "CUST-8,30m,,,,,,", bad)
    problems = rejected(import_contracts, sessions, path)
    assert len(problems) == 1 and problems[0].startswith(expected), problems
    assert count(sessions, Contract) == 0


# --- the command ---


def run_command(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="repairdesk")
    archive_commands.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    code: int = args.handler(args)
    return code


def test_command_prints_a_summary_or_every_problem(
    tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv("REPAIRDESK_DATABASE_URL", sqlite_url)
    good = csv_file(tmp_path, HEADER, GOOD, name="good.csv")
    assert run_command("archive", "import", str(good)) == 0
    assert capsys.readouterr().out == (
        f"imported 1 customer and 1 equipment (1 new, 0 updated) into {sqlite_url}\n"
    )
    bad = csv_file(tmp_path, HEADER, GOOD, "CUST-2,,SN-2,,,2026-01-01,-3", name="bad.csv")
    assert run_command("archive", "import", str(bad)) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"{bad}: line 3: customer_name is empty",
        f"{bad}: line 3: warranty_months '-3' must be a whole number from 1 to 600",
        f"{bad}: nothing was loaded",
    ]
    contracts = csv_file(tmp_path, CONTRACT_HEADER, "CUST-7,30m,,,,,,", name="contracts.csv")
    assert run_command("archive", "contracts", str(contracts)) == 0
    assert "set contracts for 1 customer (1 new, 0 updated)" in capsys.readouterr().out
