"""roster_assignments.skill: the demand skill a person covers on the shift

Assignments written before it have none (NULL), as if no skill had been asked for.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 00:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("roster_assignments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("skill", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("roster_assignments", schema=None) as batch_op:
        batch_op.drop_column("skill")
