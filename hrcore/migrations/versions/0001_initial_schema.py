"""initial schema: every table of the HR store, and the append-only guard on audit_log

Revision ID: 0001
Revises:
Create Date: 2026-11-25 13:21:49.323907
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=100), nullable=False),
        sa.Column("entity", sa.String(length=100), nullable=False),
        sa.Column("entity_id", sa.String(length=100), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_table(
        "sites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=True),
        sa.Column("policy", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sites")),
        sa.UniqueConstraint("code", name=op.f("uq_sites_code")),
    )
    op.create_table(
        "devices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("serial_number", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("brand", sa.String(length=64), nullable=False),
        sa.Column("driver", sa.String(length=64), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("connection", sa.JSON(), nullable=False),
        sa.Column("secret_ciphertext", sa.LargeBinary(), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_address", sa.String(length=255), nullable=True),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_devices_site_id_sites")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_devices")),
        sa.UniqueConstraint("serial_number", name=op.f("uq_devices_serial_number")),
    )
    with op.batch_alter_table("devices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_devices_site_id"), ["site_id"], unique=False)

    op.create_table(
        "org_units",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["org_units.id"], name=op.f("fk_org_units_parent_id_org_units")
        ),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_org_units_site_id_sites")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_org_units")),
        sa.UniqueConstraint("code", name=op.f("uq_org_units_code")),
    )
    with op.batch_alter_table("org_units", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_org_units_site_id"), ["site_id"], unique=False)

    op.create_table(
        "pay_periods",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("open", "closed", name="payperiodstatus", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_pay_periods_site_id_sites")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pay_periods")),
        sa.UniqueConstraint(
            "site_id", "start_date", name=op.f("uq_pay_periods_site_id_start_date")
        ),
    )
    with op.batch_alter_table("pay_periods", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pay_periods_site_id"), ["site_id"], unique=False)

    op.create_table(
        "roster_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("date_from", sa.Date(), nullable=False),
        sa.Column("date_to", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "published",
                "superseded",
                name="rosterstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("objective", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("penalty_report", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_roster_runs_site_id_sites")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roster_runs")),
    )
    with op.batch_alter_table("roster_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_roster_runs_site_id"), ["site_id"], unique=False)

    op.create_table(
        "shift_types",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("start", sa.Time(), nullable=False),
        sa.Column("end", sa.Time(), nullable=False),
        sa.Column("break_minutes", sa.Integer(), nullable=False),
        sa.Column("required_skill", sa.String(length=64), nullable=True),
        sa.Column("checkin_before_minutes", sa.Integer(), nullable=False),
        sa.Column("checkout_after_minutes", sa.Integer(), nullable=False),
        sa.Column("late_grace_minutes", sa.Integer(), nullable=False),
        sa.Column("early_exit_grace_minutes", sa.Integer(), nullable=False),
        sa.Column("in_out_mode", sa.String(length=16), nullable=False),
        sa.Column("hours_mode", sa.String(length=16), nullable=False),
        sa.Column("half_day_below_minutes", sa.Integer(), nullable=True),
        sa.Column("absent_below_minutes", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_shift_types_site_id_sites")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shift_types")),
        sa.UniqueConstraint("site_id", "code", name=op.f("uq_shift_types_site_id_code")),
    )
    with op.batch_alter_table("shift_types", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shift_types_site_id"), ["site_id"], unique=False)

    op.create_table(
        "employees",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("org_unit_id", sa.Integer(), nullable=True),
        sa.Column("job_title", sa.String(length=100), nullable=True),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("hire_date", sa.Date(), nullable=False),
        sa.Column("exit_date", sa.Date(), nullable=True),
        sa.Column(
            "working_hours_system",
            sa.Enum(
                "standard",
                "comprehensive",
                "flexible",
                name="workinghourssystem",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "pay_basis",
            sa.Enum("monthly", "hourly", name="paybasis", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("base_pay", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("social_insurance_city", sa.String(length=100), nullable=True),
        sa.Column("default_shift_type_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("base_pay >= 0", name=op.f("ck_employees_base_pay_not_negative")),
        sa.ForeignKeyConstraint(
            ["default_shift_type_id"],
            ["shift_types.id"],
            name=op.f("fk_employees_default_shift_type_id_shift_types"),
        ),
        sa.ForeignKeyConstraint(
            ["org_unit_id"], ["org_units.id"], name=op.f("fk_employees_org_unit_id_org_units")
        ),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_employees_site_id_sites")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_employees")),
        sa.UniqueConstraint("code", name=op.f("uq_employees_code")),
    )
    with op.batch_alter_table("employees", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_employees_site_id"), ["site_id"], unique=False)

    op.create_table(
        "attendance_days",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("shift_type_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("worked_minutes", sa.Integer(), nullable=False),
        sa.Column("late_minutes", sa.Integer(), nullable=False),
        sa.Column("early_exit_minutes", sa.Integer(), nullable=False),
        sa.Column("overtime_workday_minutes", sa.Integer(), nullable=False),
        sa.Column("overtime_restday_minutes", sa.Integer(), nullable=False),
        sa.Column("overtime_holiday_minutes", sa.Integer(), nullable=False),
        sa.Column("trace", sa.JSON(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("needs_review", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["employee_id"], ["employees.id"], name=op.f("fk_attendance_days_employee_id_employees")
        ),
        sa.ForeignKeyConstraint(
            ["shift_type_id"],
            ["shift_types.id"],
            name=op.f("fk_attendance_days_shift_type_id_shift_types"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance_days")),
        sa.UniqueConstraint(
            "employee_id", "date", name=op.f("uq_attendance_days_employee_id_date")
        ),
    )
    with op.batch_alter_table("attendance_days", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_attendance_days_employee_id"), ["employee_id"], unique=False
        )

    op.create_table(
        "device_user_mappings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("device_user", sa.String(length=64), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["employees.id"],
            name=op.f("fk_device_user_mappings_employee_id_employees"),
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_device_user_mappings_site_id_sites")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_device_user_mappings")),
        sa.UniqueConstraint(
            "site_id", "device_user", name=op.f("uq_device_user_mappings_site_id_device_user")
        ),
    )
    with op.batch_alter_table("device_user_mappings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_device_user_mappings_employee_id"), ["employee_id"], unique=False
        )

    op.create_table(
        "leaves",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "annual",
                "sick",
                "personal",
                "compensatory",
                "maternity",
                "other",
                name="leavekind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("approved", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.CheckConstraint("end_date >= start_date", name=op.f("ck_leaves_leave_dates_ordered")),
        sa.ForeignKeyConstraint(
            ["employee_id"], ["employees.id"], name=op.f("fk_leaves_employee_id_employees")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_leaves")),
    )
    with op.batch_alter_table("leaves", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_leaves_employee_id"), ["employee_id"], unique=False)

    op.create_table(
        "payroll_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pay_period_id", sa.Integer(), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("gross", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("net", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["employee_id"], ["employees.id"], name=op.f("fk_payroll_results_employee_id_employees")
        ),
        sa.ForeignKeyConstraint(
            ["pay_period_id"],
            ["pay_periods.id"],
            name=op.f("fk_payroll_results_pay_period_id_pay_periods"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payroll_results")),
        sa.UniqueConstraint(
            "pay_period_id",
            "employee_id",
            name=op.f("uq_payroll_results_pay_period_id_employee_id"),
        ),
    )
    with op.batch_alter_table("payroll_results", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_payroll_results_employee_id"), ["employee_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_payroll_results_pay_period_id"), ["pay_period_id"], unique=False
        )

    op.create_table(
        "punches",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("device_sn", sa.String(length=64), nullable=False),
        sa.Column("device_user", sa.String(length=64), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=True),
        sa.Column("employee_id", sa.Integer(), nullable=True),
        sa.Column("local_time", sa.String(length=40), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "in",
                "out",
                "break_out",
                "break_in",
                "overtime_in",
                "overtime_out",
                "undefined",
                name="punchstatecode",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("verify_mode", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.Column("clock_offset_s", sa.Double(), nullable=True),
        sa.Column("clock_suspect", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["device_id"], ["devices.id"], name=op.f("fk_punches_device_id_devices")
        ),
        sa.ForeignKeyConstraint(
            ["employee_id"], ["employees.id"], name=op.f("fk_punches_employee_id_employees")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_punches")),
    )
    with op.batch_alter_table("punches", schema=None) as batch_op:
        batch_op.create_index(
            "ix_punches_device_user_at", ["device_sn", "device_user", "at"], unique=False
        )
        batch_op.create_index("ix_punches_employee_at", ["employee_id", "at"], unique=False)

    op.create_table(
        "risk_flags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column(
            "severity",
            sa.Enum(
                "info", "warning", "critical", name="riskseverity", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["employee_id"], ["employees.id"], name=op.f("fk_risk_flags_employee_id_employees")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_flags")),
    )
    with op.batch_alter_table("risk_flags", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_risk_flags_employee_id"), ["employee_id"], unique=False
        )

    op.create_table(
        "roster_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("roster_run_id", sa.Integer(), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("shift_type_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["employees.id"],
            name=op.f("fk_roster_assignments_employee_id_employees"),
        ),
        sa.ForeignKeyConstraint(
            ["roster_run_id"],
            ["roster_runs.id"],
            name=op.f("fk_roster_assignments_roster_run_id_roster_runs"),
        ),
        sa.ForeignKeyConstraint(
            ["shift_type_id"],
            ["shift_types.id"],
            name=op.f("fk_roster_assignments_shift_type_id_shift_types"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roster_assignments")),
        sa.UniqueConstraint(
            "roster_run_id",
            "employee_id",
            "date",
            name=op.f("uq_roster_assignments_roster_run_id_employee_id_date"),
        ),
    )
    with op.batch_alter_table("roster_assignments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_roster_assignments_employee_id"), ["employee_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_roster_assignments_roster_run_id"), ["roster_run_id"], unique=False
        )

    op.create_table(
        "payroll_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("result_id", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("basis", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["result_id"],
            ["payroll_results.id"],
            name=op.f("fk_payroll_lines_result_id_payroll_results"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payroll_lines")),
    )
    with op.batch_alter_table("payroll_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payroll_lines_result_id"), ["result_id"], unique=False)

    _create_audit_log_guard()


AUDIT_GUARD_MESSAGE = "audit_log is append-only; add a new entry instead"


def _create_audit_log_guard() -> None:
    """Refuse UPDATE and DELETE on audit_log in the database itself (the ORM also refuses)."""
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(
            "CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN RAISE EXCEPTION '{AUDIT_GUARD_MESSAGE}'; END; $$"
        )
        op.execute(
            "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"
        )
    elif dialect == "sqlite":
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_log_no_{action.lower()} BEFORE {action} ON audit_log "
                f"BEGIN SELECT RAISE(ABORT, '{AUDIT_GUARD_MESSAGE}'); END"
            )


def _drop_audit_log_guard() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
    elif dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")


def downgrade() -> None:
    _drop_audit_log_guard()
    with op.batch_alter_table("payroll_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payroll_lines_result_id"))

    op.drop_table("payroll_lines")
    with op.batch_alter_table("roster_assignments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_roster_assignments_roster_run_id"))
        batch_op.drop_index(batch_op.f("ix_roster_assignments_employee_id"))

    op.drop_table("roster_assignments")
    with op.batch_alter_table("risk_flags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_risk_flags_employee_id"))

    op.drop_table("risk_flags")
    with op.batch_alter_table("punches", schema=None) as batch_op:
        batch_op.drop_index("ix_punches_employee_at")
        batch_op.drop_index("ix_punches_device_user_at")

    op.drop_table("punches")
    with op.batch_alter_table("payroll_results", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payroll_results_pay_period_id"))
        batch_op.drop_index(batch_op.f("ix_payroll_results_employee_id"))

    op.drop_table("payroll_results")
    with op.batch_alter_table("leaves", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_leaves_employee_id"))

    op.drop_table("leaves")
    with op.batch_alter_table("device_user_mappings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_device_user_mappings_employee_id"))

    op.drop_table("device_user_mappings")
    with op.batch_alter_table("attendance_days", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attendance_days_employee_id"))

    op.drop_table("attendance_days")
    with op.batch_alter_table("employees", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_employees_site_id"))

    op.drop_table("employees")
    with op.batch_alter_table("shift_types", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shift_types_site_id"))

    op.drop_table("shift_types")
    with op.batch_alter_table("roster_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_roster_runs_site_id"))

    op.drop_table("roster_runs")
    with op.batch_alter_table("pay_periods", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pay_periods_site_id"))

    op.drop_table("pay_periods")
    with op.batch_alter_table("org_units", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_org_units_site_id"))

    op.drop_table("org_units")
    with op.batch_alter_table("devices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_devices_site_id"))

    op.drop_table("devices")
    op.drop_table("sites")
    op.drop_table("audit_log")
