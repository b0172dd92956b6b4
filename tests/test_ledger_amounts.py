"""The ledger holds every amount validation accepts, exactly to the cent, on both databases."""

from __future__ import annotations

import uuid
from decimal import Decimal

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text

from activities.archive.db import MIGRATIONS, archive
from activities.archive.schema import LedgerEntry
from activities.delivery.doorbell import Doorbell
from activities.finance.activities import FinanceActivities
from tests.charges import booking, post_warranty_repair
from tests.conftest import make_settings
from workflows import rules
from workflows.messages import Coverage, Repaired, Terms
from workflows.term_values import MAX_LABOUR_RATE

LARGEST_PRICE = "99999999.99"  # the largest unit price of a part validation accepts
WIDEST = Decimal("9" * 22 + ".99")  # the widest amount the ledger column holds


def largest_repair() -> Repaired:
    """The widest repair report validation accepts: every part at its largest."""
    part = {"part_no": "P-1", "description": "part", "qty": 100_000, "unit_price": LARGEST_PRICE}
    return Repaired.model_validate(
        {
            "technician_id": "T-3",
            "cause": "customer_modification",
            "parts": [part] * 500,
            "labour_hours": "10000",
        }
    )


def test_the_largest_accepted_repair_books_and_reads_back_exactly(database_url: str) -> None:
    terms = Terms(labour_rate=MAX_LABOUR_RATE)
    charge = rules.price_repair(str(uuid.uuid4()), Coverage.in_warranty, largest_repair(), terms)
    parts = 500 * 100_000 * Decimal(LARGEST_PRICE)
    assert charge.amount == parts + 10_000 * MAX_LABOUR_RATE
    finance(database_url).book_charge(booking(charge))
    with archive(database_url)() as session:
        entry = session.get_one(LedgerEntry, charge.id)
    assert str(entry.amount) == str(charge.amount)
    assert f'"amount":"{charge.amount}"' in entry.event.replace(" ", "")


def test_the_widest_amount_the_column_holds_reads_back_exactly(database_url: str) -> None:
    charge = post_warranty_repair().charge.model_copy(update={"amount": WIDEST})
    finance(database_url).book_charge(booking(charge))
    with archive(database_url)() as session:
        assert str(session.get_one(LedgerEntry, charge.id).amount) == str(WIDEST)


def test_a_cent_is_a_cent(database_url: str) -> None:
    amount = Decimal("12345678901234.07")
    charge = post_warranty_repair().charge.model_copy(update={"amount": amount})
    finance(database_url).book_charge(booking(charge))
    with archive(database_url)() as session:
        assert session.get_one(LedgerEntry, charge.id).amount == amount


def test_a_sqlite_ledger_of_the_first_release_keeps_its_amounts(sqlite_url: str) -> None:
    engine = create_engine(sqlite_url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        connection.execute(
            text(
                "INSERT INTO ledger (charge_id, case_id, kind, payer, amount, currency, lines, "
                "booked_at, event, delivery_status, attempts) VALUES ('c-1', 'C-1', "
                "'chargeable_repair', 'customer', 67.53, 'CNY', '[]', "
                "'2026-11-24 08:00:00', '{}', 'pending', 0)"
            )
        )
    engine.dispose()
    with archive(sqlite_url)() as session:
        assert session.get_one(LedgerEntry, "c-1").amount == Decimal("67.53")


def finance(database_url: str) -> FinanceActivities:
    return FinanceActivities(make_settings(database_url), archive(database_url), Doorbell())
