"""protections: periods in which an employee may not work nights, or overtime

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 01:20:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "protections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "no_nights", "no_overtime", name="protectionkind", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.CheckConstraint(
            "end_date >= start_date", name=op.f("ck_protections_protection_dates_ordered")
        ),
        sa.ForeignKeyConstraint(
            ["employee_id"], ["employees.id"], name=op.f("fk_protections_employee_id_employees")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_protections")),
    )
    with op.batch_alter_table("protections", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_protections_employee_id"), ["employee_id"])


def downgrade() -> None:
    with op.batch_alter_table("protections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_protections_employee_id"))
    op.drop_table("protections")
