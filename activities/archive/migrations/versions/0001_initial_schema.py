"""initial schema

Revision ID: 0001
Revises: (none)
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("case_id", sa.String(length=64), nullable=False),
        sa.Column("run_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=True),
        sa.Column("equipment_serial", sa.String(length=64), nullable=True),
        sa.Column("coverage", sa.String(length=32), nullable=True),
        sa.Column("emergency", sa.Boolean(), nullable=False),
        sa.Column("technician_id", sa.String(length=64), nullable=True),
        sa.Column("cause", sa.String(length=32), nullable=True),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reply_due", sa.DateTime(timezone=True), nullable=True),
        sa.Column("onsite_due", sa.DateTime(timezone=True), nullable=True),
        sa.Column("explanation_due", sa.DateTime(timezone=True), nullable=True),
        sa.Column("breached", sa.Boolean(), nullable=False),
        sa.Column("breaches", sa.JSON(), nullable=False),
        sa.Column("met", sa.JSON(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("case_id"),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cases_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_cases_equipment_serial"), ["equipment_serial"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_cases_reported_at"), ["reported_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_status"), ["status"], unique=False)

    op.create_table(
        "customers",
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("customer_id"),
    )
    op.create_table(
        "ledger",
        sa.Column("charge_id", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=True),
        sa.Column("equipment_serial", sa.String(length=64), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("payer", sa.String(length=16), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("coverage", sa.String(length=32), nullable=True),
        sa.Column("cause", sa.String(length=32), nullable=True),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("booked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event", sa.Text(), nullable=False),
        sa.Column("delivery_status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("charge_id"),
    )
    with op.batch_alter_table("ledger", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ledger_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ledger_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index("ix_ledger_delivery", ["delivery_status"], unique=False)

    op.create_table(
        "notices",
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("case_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("audience", sa.String(length=32), nullable=False),
        sa.Column("recipient", sa.String(length=254), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.String(length=500), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("key"),
    )
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notices_case_id"), ["case_id"], unique=False)

    op.create_table(
        "contracts",
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("reply_seconds", sa.Integer(), nullable=True),
        sa.Column("onsite_seconds", sa.Integer(), nullable=True),
        sa.Column("repair_seconds", sa.Integer(), nullable=True),
        sa.Column("emergency_onsite_seconds", sa.Integer(), nullable=True),
        sa.Column("warn_at", sa.Numeric(precision=5, scale=4), nullable=True),
        sa.Column("discount", sa.Numeric(precision=5, scale=4), nullable=True),
        sa.Column("labour_rate", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.customer_id"],
        ),
        sa.PrimaryKeyConstraint("customer_id"),
    )
    op.create_table(
        "equipment",
        sa.Column("serial", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=True),
        sa.Column("site", sa.String(length=500), nullable=True),
        sa.Column("warranty_start", sa.Date(), nullable=False),
        sa.Column("warranty_months", sa.Integer(), nullable=False),
        sa.Column("extension_days", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.customer_id"],
        ),
        sa.PrimaryKeyConstraint("serial"),
    )
    with op.batch_alter_table("equipment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_equipment_customer_id"), ["customer_id"], unique=False)

    op.create_table(
        "warranty_extensions",
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("serial", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.String(length=64), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["serial"],
            ["equipment.serial"],
        ),
        sa.PrimaryKeyConstraint("key"),
    )
    with op.batch_alter_table("warranty_extensions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_warranty_extensions_serial"), ["serial"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("warranty_extensions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_warranty_extensions_serial"))

    op.drop_table("warranty_extensions")
    with op.batch_alter_table("equipment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_equipment_customer_id"))

    op.drop_table("equipment")
    op.drop_table("contracts")
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notices_case_id"))

    op.drop_table("notices")
    with op.batch_alter_table("ledger", schema=None) as batch_op:
        batch_op.drop_index("ix_ledger_delivery")
        batch_op.drop_index(batch_op.f("ix_ledger_customer_id"))
        batch_op.drop_index(batch_op.f("ix_ledger_case_id"))

    op.drop_table("ledger")
    op.drop_table("customers")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cases_status"))
        batch_op.drop_index(batch_op.f("ix_cases_reported_at"))
        batch_op.drop_index(batch_op.f("ix_cases_equipment_serial"))
        batch_op.drop_index(batch_op.f("ix_cases_customer_id"))

    op.drop_table("cases")
