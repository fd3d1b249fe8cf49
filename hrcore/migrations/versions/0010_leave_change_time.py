"""leaves.changed_at, touched_from, touched_to: incremental attendance sees leave edits

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-08 00:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("leaves", schema=None) as batch_op:
        batch_op.add_column(sa.Column("changed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("touched_from", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("touched_to", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("leaves", schema=None) as batch_op:
        batch_op.drop_column("touched_to")
        batch_op.drop_column("touched_from")
        batch_op.drop_column("changed_at")
