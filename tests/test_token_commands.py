"""`repairdesk token create|list|revoke` and `repairdesk archive show` on real archives
(a SQLite file, then PostgreSQL)."""

from __future__ import annotations

import json
import shlex
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from activities.archive.db import archive
from activities.archive.schema import ApiToken, DisputeRecord
from activities.archive.tokens import holder_of, token_hash
from starter.cli import main

SAMPLE = Path(__file__).parent.parent / "starter" / "data" / "sample-archive.csv"


@pytest.fixture
def run(database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    monkeypatch.setenv("REPAIRDESK_DATABASE_URL", database_url)
    monkeypatch.setenv("REPAIRDESK_TIMEZONE", "Asia/Shanghai")

    def ran(line: str) -> tuple[int, str, str]:
        try:
            main(shlex.split(line))
        except SystemExit as e:
            code = int(e.code or 0)
        out = capsys.readouterr()
        return code, out.out, out.err

    return ran


def test_a_token_is_printed_once_and_only_its_hash_is_kept(run, database_url: str) -> None:
    code, out, _ = run(
        "token create --role technician --technician T-3 --name 'Zhao Lei' --expires 90d"
    )
    assert code == 0
    token = out.splitlines()[-1]
    assert token.startswith("rdt_") and len(token) > 40
    with archive(database_url)() as session:
        stored = session.scalars(select(ApiToken)).one()
    assert stored.token_hash == token_hash(token) and token not in str(vars(stored))
    holder = holder_of(archive(database_url), token)
    assert holder and (holder.role.value, holder.technician_id) == ("technician", "T-3")

    code, listed, _ = run("token list")
    assert code == 0 and token not in listed
    cells = listed.strip().split("\t")
    assert cells[:4] == [stored.token_id, "technician", "T-3", "Zhao Lei"]
    assert cells[6] == "revoked -"

    assert run(f"token revoke {stored.token_id}")[0] == 0
    assert holder_of(archive(database_url), token) is None
    assert "revoked 20" in run("token list")[1]
    assert "created 20" in listed and " Asia/Shanghai\t" in listed


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("token create --role technician", "needs --technician"),
        ("token create --role office --technician T-3", "the office role does not"),
        ("token create --role office --expires soon", "--expires"),
        ("token revoke tok-nope", "no token tok-nope"),
    ],
)
def test_bad_token_commands_say_why(run, line: str, message: str) -> None:
    code, out, err = run(line)
    assert code == 1 and message in err


def test_archive_show_prints_the_service_archive(run) -> None:
    assert run(f"archive import {SAMPLE}")[0] == 0
    code, out, _ = run("archive show CUST-7")
    assert code == 0
    assert "Customer CUST-7" in out and "(times in Asia/Shanghai)" in out
    assert "SN-42" in out and "ends 2028-01-15" in out
    code, out, _ = run("archive show CUST-7 --json")
    shown = json.loads(out)
    assert [e["serial"] for e in shown["equipment"]] == ["SN-42", "SN-43"]
    assert shown["equipment"][1]["coverage_today"] == "post_warranty"
    assert "IP disputes: none" in run("archive show CUST-7")[1]
    code, _, err = run("archive show CUST-404")
    assert code == 1 and "no customer CUST-404" in err


def test_archive_show_lists_the_customers_ip_disputes(run, database_url: str) -> None:
    assert run(f"archive import {SAMPLE}")[0] == 0
    reported = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
    with archive(database_url).begin() as session:
        session.add(
            DisputeRecord(
                dispute_id="IP-7",
                run_id="run-1",
                version=1,
                status="open",
                customer_id="CUST-7",
                claimant="Acme GmbH",
                right="patent",
                reported_at=reported,
                state={},
                updated_at=reported,
            )
        )
    code, out, _ = run("archive show CUST-7")
    assert code == 0 and "IP disputes\n  IP-7  open" in out and "Acme GmbH" in out
    shown = json.loads(run("archive show CUST-7 --json")[1])
    assert [(d["dispute_id"], d["right"]) for d in shown["disputes"]] == [("IP-7", "patent")]
