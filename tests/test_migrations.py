"""Migration 0002 on an archive written under 0001, on SQLite and PostgreSQL: every notice and
charge keeps its data and gets the relay's status and due time."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from alembic.config import Config
from sqlalchemy import text

from activities.archive.db import MIGRATIONS, create_archive_engine, migrate

WRITTEN = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def _notice(key: str, channel: str, delivered: datetime | None) -> dict[str, object]:
    return {
        "key": key,
        "case_id": "C-1",
        "kind": "reply",
        "audience": "customer",
        "recipient": "a@example.com",
        "language": "en",
        "channel": channel,
        "subject": "s",
        "body": "b",
        "created_at": WRITTEN,
        "attempts": 1 if delivered else 0,
        "delivered_at": delivered,
    }


def test_existing_notices_and_charges_migrate(database_url: str) -> None:
    engine = create_archive_engine(database_url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        insert = text(
            "INSERT INTO notices (key, case_id, kind, audience, recipient, language, channel, "
            "subject, body, created_at, attempts, delivered_at) VALUES (:key, :case_id, :kind, "
            ":audience, :recipient, :language, :channel, :subject, :body, :created_at, "
            ":attempts, :delivered_at)"
        )
        connection.execute(insert, _notice("sent", "smtp", WRITTEN))
        connection.execute(insert, _notice("kept", "outbox", None))
        connection.execute(insert, _notice("retrying", "smtp", None))
        connection.execute(
            text(
                "INSERT INTO ledger (charge_id, case_id, kind, payer, amount, currency, lines, "
                "booked_at, event, delivery_status, attempts) VALUES ('ch-1', 'C-1', "
                "'warranty_cost', 'vendor', 0, 'CNY', '[]', :at, '{}', 'pending', 2)"
            ),
            {"at": WRITTEN},
        )
    migrate(engine)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT key, status, next_attempt_at FROM notices"))
        notices = {key: (status, due is not None) for key, status, due in rows}
        charge = connection.execute(
            text("SELECT delivery_status, attempts, next_attempt_at FROM ledger")
        ).one()
    engine.dispose()
    assert notices == {
        "sent": ("delivered", False),
        "kept": ("outbox", False),
        "retrying": ("pending", True),
    }
    assert charge[:2] == ("pending", 2) and charge[2] is not None
