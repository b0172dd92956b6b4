"""delivery relay: status, next attempt, lease and warning of each notice and ledger row

Revision ID: 0002
Revises: 0001

Existing rows migrate: a delivered notice is `delivered`, one kept without SMTP or address is
`outbox`, any other is `pending` and due now (the relay sends it; an address refused for good
before is refused again and marked `failed`). Pending charges are due now.
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_TIMES = ("next_attempt_at", "claimed_until", "warned_at")


def upgrade() -> None:
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("status", sa.String(length=16), nullable=False, server_default="pending")
        )
        for name in _TIMES:
            batch_op.add_column(sa.Column(name, sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_notices_due", ["status", "next_attempt_at"], unique=False)
    with op.batch_alter_table("ledger", schema=None) as batch_op:
        for name in _TIMES:
            batch_op.add_column(sa.Column(name, sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_ledger_due", ["delivery_status", "next_attempt_at"], unique=False)
    op.execute("UPDATE notices SET status = 'delivered' WHERE delivered_at IS NOT NULL")
    op.execute(
        "UPDATE notices SET status = 'outbox' WHERE delivered_at IS NULL AND channel = 'outbox'"
    )
    op.execute("UPDATE notices SET next_attempt_at = created_at WHERE status = 'pending'")
    op.execute("UPDATE ledger SET next_attempt_at = booked_at WHERE delivery_status = 'pending'")


def downgrade() -> None:
    with op.batch_alter_table("ledger", schema=None) as batch_op:
        batch_op.drop_index("ix_ledger_due")
        for name in reversed(_TIMES):
            batch_op.drop_column(name)
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.drop_index("ix_notices_due")
        for name in reversed(_TIMES):
            batch_op.drop_column(name)
        batch_op.drop_column("status")
