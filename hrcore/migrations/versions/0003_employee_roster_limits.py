"""employees: personal rostering limits (no nights, no overtime, runs, rest, overtime caps)

Existing employees get no personal limits: both flags false, the numbers NULL (the site's
policy applies).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 00:20:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_LIMITS = (
    ("max_consecutive_days", "max_consecutive_days >= 1", "max_consecutive_days_positive"),
    ("min_rest_minutes", "min_rest_minutes >= 0", "min_rest_minutes_not_negative"),
    (
        "daily_overtime_cap_minutes",
        "daily_overtime_cap_minutes >= 0",
        "daily_overtime_cap_not_negative",
    ),
    (
        "monthly_overtime_cap_minutes",
        "monthly_overtime_cap_minutes >= 0",
        "monthly_overtime_cap_not_negative",
    ),
)


def upgrade() -> None:
    with op.batch_alter_table("employees", schema=None) as batch_op:
        for flag in ("no_nights", "no_overtime"):
            batch_op.add_column(
                sa.Column(flag, sa.Boolean(), server_default=sa.false(), nullable=False)
            )
        for column, condition, name in _LIMITS:
            batch_op.add_column(sa.Column(column, sa.Integer(), nullable=True))
            batch_op.create_check_constraint(batch_op.f(f"ck_employees_{name}"), condition)


def downgrade() -> None:
    with op.batch_alter_table("employees", schema=None) as batch_op:
        for column, _condition, name in reversed(_LIMITS):
            batch_op.drop_constraint(batch_op.f(f"ck_employees_{name}"), type_="check")
            batch_op.drop_column(column)
        batch_op.drop_column("no_overtime")
        batch_op.drop_column("no_nights")
