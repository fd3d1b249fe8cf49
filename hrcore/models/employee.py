from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column

from hrcore.db import Base
from hrcore.models._columns import code_column_type
from hrcore.models.enums import LeaveKind, PayBasis, ProtectionKind, WorkingHoursSystem


class Employee(Base):
    __tablename__ = "employees"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    job_title: Mapped[str | None] = mapped_column(String(100))
    skills: Mapped[list[str]] = mapped_column(default=list)
    hire_date: Mapped[date]
    exit_date: Mapped[date | None]
    working_hours_system: Mapped[WorkingHoursSystem] = mapped_column(
        code_column_type(WorkingHoursSystem), default=WorkingHoursSystem.STANDARD
    )
    pay_basis: Mapped[PayBasis] = mapped_column(
        code_column_type(PayBasis), default=PayBasis.MONTHLY
    )
    base_pay: Mapped[Decimal] = mapped_column(default=Decimal("0.00"))
    social_insurance_city: Mapped[str | None] = mapped_column(String(100))
    default_shift_type_id: Mapped[int | None] = mapped_column(ForeignKey("shift_types.id"))
    # personal rostering limits; None falls back to the site's policy
    no_nights: Mapped[bool] = mapped_column(default=False, server_default=false())
    no_overtime: Mapped[bool] = mapped_column(default=False, server_default=false())
    max_consecutive_days: Mapped[int | None]
    min_rest_minutes: Mapped[int | None]
    daily_overtime_cap_minutes: Mapped[int | None]
    monthly_overtime_cap_minutes: Mapped[int | None]

    __table_args__ = (
        CheckConstraint("base_pay >= 0", name="base_pay_not_negative"),
        CheckConstraint("max_consecutive_days >= 1", name="max_consecutive_days_positive"),
        CheckConstraint("min_rest_minutes >= 0", name="min_rest_minutes_not_negative"),
        CheckConstraint("daily_overtime_cap_minutes >= 0", name="daily_overtime_cap_not_negative"),
        CheckConstraint(
            "monthly_overtime_cap_minutes >= 0", name="monthly_overtime_cap_not_negative"
        ),
    )


class Leave(Base):
    """Approved (or requested) leave, whole days from start_date to end_date inclusive."""

    __tablename__ = "leaves"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), index=True)
    kind: Mapped[LeaveKind] = mapped_column(code_column_type(LeaveKind))
    start_date: Mapped[date]
    end_date: Mapped[date]
    approved: Mapped[bool] = mapped_column(default=True)
    note: Mapped[str | None] = mapped_column(String(500))
    #: where it came from (an import's "file:row"); None for leave entered here
    source: Mapped[str | None] = mapped_column(String(200))
    #: when the leave was last stored or changed (None: stored before change times were kept);
    #: incremental attendance recomputes the days it touches that were computed before it
    changed_at: Mapped[datetime | None]
    #: the widest span the leave has covered since it was stored, so the days an edit drops
    #: (a shortened leave, an approval withdrawn) are recomputed too; None = start..end
    touched_from: Mapped[date | None]
    touched_to: Mapped[date | None]

    __table_args__ = (CheckConstraint("end_date >= start_date", name="leave_dates_ordered"),)


class Protection(Base):
    """A period, whole days from start_date to end_date inclusive, in which the employee
    may not be rostered on nights, or into overtime."""

    __tablename__ = "protections"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), index=True)
    kind: Mapped[ProtectionKind] = mapped_column(code_column_type(ProtectionKind))
    start_date: Mapped[date]
    end_date: Mapped[date]

    __table_args__ = (CheckConstraint("end_date >= start_date", name="protection_dates_ordered"),)
