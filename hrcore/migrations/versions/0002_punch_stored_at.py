"""punches.stored_at: when a punch reached the store (existing rows: their received_at)

Incremental recomputation compared a punch's received_at (when the gateway read it from the
device) with a day's computed_at, so punches held in the gateway outbox during a network cut
looked older than the computation and their days were never recomputed.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 14:45:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("punches", schema=None) as batch_op:
        batch_op.add_column(sa.Column("stored_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE punches SET stored_at = received_at")
    with op.batch_alter_table("punches", schema=None) as batch_op:
        batch_op.alter_column("stored_at", existing_type=sa.DateTime(timezone=True), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("punches", schema=None) as batch_op:
        batch_op.drop_column("stored_at")
