"""An activity never retries for ever on an error a retry cannot fix; a lost database it does."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError
from temporalio.exceptions import ApplicationError

from activities.archive.activities import ArchiveActivities
from activities.archive.db import archive
from activities.archive.schema import Customer, Equipment
from activities.delivery.doorbell import Doorbell
from activities.failures import RETRY_CANNOT_FIX, fails_for_good_on_bad_data, retry_cannot_fix
from activities.finance.activities import FinanceActivities
from tests.charges import booking, post_warranty_repair
from tests.conftest import make_settings
from workflows.activity_io import LookupRequest
from workflows.messages import Part

NOW = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


def assert_final(error: ApplicationError, *words: str) -> None:
    assert error.non_retryable and error.type == RETRY_CANNOT_FIX
    assert all(word in error.message for word in words), error.message


def test_a_warranty_date_from_before_the_import_bounds_fails_the_look_up_for_good(
    database_url: str,
) -> None:
    activities = ArchiveActivities(make_settings(database_url))
    with activities.sessions.begin() as session:  # written before `archive import` checked it
        session.add(Customer(customer_id="CUST-1", name="Old data", updated_at=NOW))
        session.flush()
        session.add(
            Equipment(
                serial="SN-9999",
                customer_id="CUST-1",
                warranty_start=date(9999, 6, 1),
                warranty_months=12,
                extension_days=0,
                updated_at=NOW,
            )
        )
    request = LookupRequest(
        case_id="C-1", customer_id="CUST-1", equipment_serial="SN-9999", reported_at=NOW
    )
    with pytest.raises(ApplicationError) as failed:
        activities.lookup_equipment(request)
    assert_final(failed.value, "lookup_equipment", "year")


def test_an_amount_wider_than_the_ledger_fails_the_booking_for_good(database_url: str) -> None:
    charge = post_warranty_repair().charge.model_copy(update={"amount": Decimal("1E+22")})
    with pytest.raises(ApplicationError) as failed:
        finance(database_url).book_charge(booking(charge))
    assert_final(failed.value, "book_charge", "wider than the archive's 24 digits")
    assert "INSERT" not in failed.value.message  # no SQL, no personal data in the history


def test_a_database_that_cannot_be_opened_is_retried(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path}")  # a folder: SQLite cannot open it

    @fails_for_good_on_bad_data
    def read() -> None:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    with pytest.raises(OperationalError) as failed:
        read()
    assert not retry_cannot_fix(failed.value)


def test_bad_data_and_bugs_cannot_be_fixed_by_a_retry() -> None:
    with pytest.raises(ValidationError) as invalid:
        Part.model_validate({"part_no": "P-1", "description": "x", "qty": 0, "unit_price": "1"})
    assert retry_cannot_fix(invalid.value)
    assert retry_cannot_fix(OverflowError("date value out of range"))
    assert retry_cannot_fix(KeyError("missing"))
    assert not retry_cannot_fix(TimeoutError())
    assert not retry_cannot_fix(ConnectionResetError())


def finance(database_url: str) -> FinanceActivities:
    return FinanceActivities(make_settings(database_url), archive(database_url), Doorbell())
