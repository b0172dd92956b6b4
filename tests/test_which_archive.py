"""Commands that read the archive say which one they read when it was just created or is empty."""

from __future__ import annotations

from pathlib import Path

import pytest

from activities.archive.db import archive
from activities.archive.importer import import_equipment
from starter.cli import main
from starter.which_archive import shown_url

SAMPLE = Path(__file__).parent.parent / "starter" / "data" / "sample-archive.csv"
READERS = [["ledger"], ["notices"], ["report"]]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main(list(argv))
    captured = capsys.readouterr()
    return int(done.value.code or 0), captured.out, captured.err


@pytest.mark.parametrize("argv", READERS)
def test_a_reader_names_an_archive_it_just_created_then_an_empty_one(
    argv: list[str],
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("REPAIRDESK_DATABASE_URL", database_url)
    code, out, err = run(capsys, *argv)
    where = shown_url(database_url)
    assert code == 0 and out
    assert err == (
        f"repairdesk: the archive at {where} was just created and is empty "
        "(REPAIRDESK_DATABASE_URL)\n"
    )
    code, _, err = run(capsys, *argv)
    assert code == 0
    assert err == f"repairdesk: the archive at {where} is empty (REPAIRDESK_DATABASE_URL)\n"
    import_equipment(archive(database_url), SAMPLE)
    assert run(capsys, *argv)[2] == ""


def test_an_import_names_an_archive_it_just_created(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'elsewhere' / 'archive.db'}"
    monkeypatch.setenv("REPAIRDESK_DATABASE_URL", url)
    code, out, err = run(capsys, "archive", "import", str(SAMPLE))
    assert code == 0 and out.startswith("imported 3 customers")
    assert f"the archive at {url} was just created" in err
    code, _, err = run(capsys, "archive", "import", str(SAMPLE))
    assert (code, err) == (0, "")


def test_the_password_is_never_shown() -> None:
    shown = shown_url("postgresql+psycopg://repairdesk:s3cret@db.example:5432/archive")
    assert shown == "postgresql+psycopg://repairdesk:***@db.example:5432/archive"
