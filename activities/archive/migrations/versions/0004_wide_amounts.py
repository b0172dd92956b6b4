"""wide, exact amounts: the ledger's amount and a contract's labour rate

NUMERIC(14, 2) was narrower than what validation accepts (a repair of many parts), and SQLite
kept it as a float. PostgreSQL gets NUMERIC(24, 2); SQLite keeps the amount as its decimal text
(see `schema.ExactAmount`); existing SQLite values are copied as text.

Revision ID: 0004
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

COLUMNS = (("ledger", "amount", False), ("contracts", "labour_rate", True))


def _wide() -> sa.types.TypeEngine:
    if op.get_bind().dialect.name == "sqlite":
        return sa.String(length=26)
    return sa.Numeric(precision=24, scale=2)


def upgrade() -> None:
    for table, column, nullable in COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                column,
                existing_type=sa.Numeric(precision=14, scale=2),
                type_=_wide(),
                existing_nullable=nullable,
            )


def downgrade() -> None:
    for table, column, nullable in COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                column,
                existing_type=_wide(),
                type_=sa.Numeric(precision=14, scale=2),
                existing_nullable=nullable,
            )
