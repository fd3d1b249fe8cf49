"""ix_punches_stored_at: incremental attendance reads only punches stored after a compute

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-08 00:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_punches_stored_at", "punches", ["stored_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_punches_stored_at", table_name="punches")
