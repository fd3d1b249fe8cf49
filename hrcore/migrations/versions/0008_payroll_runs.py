"""payroll runs: results belong to a run; lines carry their cost centre

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 23:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STATUS = sa.Enum(
    "draft",
    "locked",
    "reopened",
    "superseded",
    name="payrollrunstatus",
    native_enum=False,
    length=32,
)


def upgrade() -> None:
    op.create_table(
        "payroll_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pay_period_id", sa.Integer(), nullable=False),
        sa.Column("status", _STATUS, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("employees", sa.Integer(), nullable=False),
        sa.Column("locked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["pay_period_id"],
            ["pay_periods.id"],
            name=op.f("fk_payroll_runs_pay_period_id_pay_periods"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payroll_runs")),
    )
    with op.batch_alter_table("payroll_runs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_payroll_runs_pay_period_id"), ["pay_period_id"], unique=False
        )
    # no code wrote payroll results before this revision: a result without a run has no
    # meaning, so any such row goes
    op.execute("DELETE FROM payroll_lines")
    op.execute("DELETE FROM payroll_results")
    with op.batch_alter_table("payroll_results", schema=None) as batch_op:
        batch_op.add_column(sa.Column("run_id", sa.Integer(), nullable=False))
        batch_op.drop_constraint("uq_payroll_results_pay_period_id_employee_id", type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_payroll_results_run_id_employee_id"), ["run_id", "employee_id"]
        )
        batch_op.create_index(batch_op.f("ix_payroll_results_run_id"), ["run_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_payroll_results_run_id_payroll_runs"),
            "payroll_runs",
            ["run_id"],
            ["id"],
        )
    with op.batch_alter_table("payroll_lines", schema=None) as batch_op:
        batch_op.add_column(sa.Column("site_code", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("payroll_lines", schema=None) as batch_op:
        batch_op.drop_column("site_code")
    op.execute("DELETE FROM payroll_lines")
    op.execute("DELETE FROM payroll_results")
    with op.batch_alter_table("payroll_results", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_payroll_results_run_id_payroll_runs"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_payroll_results_run_id"))
        batch_op.drop_constraint(
            batch_op.f("uq_payroll_results_run_id_employee_id"), type_="unique"
        )
        batch_op.create_unique_constraint(
            "uq_payroll_results_pay_period_id_employee_id", ["pay_period_id", "employee_id"]
        )
        batch_op.drop_column("run_id")
    with op.batch_alter_table("payroll_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payroll_runs_pay_period_id"))
    op.drop_table("payroll_runs")
