from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hrcore.db import Base
from hrcore.models._columns import code_column_type
from hrcore.models.enums import PayPeriodStatus, PayrollRunStatus


class PayPeriod(Base):
    __tablename__ = "pay_periods"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    start_date: Mapped[date]
    end_date: Mapped[date]
    status: Mapped[PayPeriodStatus] = mapped_column(
        code_column_type(PayPeriodStatus), default=PayPeriodStatus.OPEN
    )
    closed_at: Mapped[datetime | None]

    __table_args__ = (UniqueConstraint("site_id", "start_date"),)


class PayrollRun(Base):
    """One computation of a period's pay. A re-run supersedes the draft (kept for diff); a
    locked run is never recomputed until the period is reopened with a reason."""

    __tablename__ = "payroll_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    pay_period_id: Mapped[int] = mapped_column(ForeignKey("pay_periods.id"), index=True)
    status: Mapped[PayrollRunStatus] = mapped_column(
        code_column_type(PayrollRunStatus), default=PayrollRunStatus.DRAFT
    )
    created_at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(100))
    fingerprint: Mapped[str] = mapped_column(String(64))  # sha256 of every line: idempotency
    employees: Mapped[int] = mapped_column(default=0)
    locked_at: Mapped[datetime | None]


class PayrollResult(Base):
    __tablename__ = "payroll_results"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("payroll_runs.id"), index=True)
    pay_period_id: Mapped[int] = mapped_column(ForeignKey("pay_periods.id"), index=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), index=True)
    gross: Mapped[Decimal]
    net: Mapped[Decimal]
    computed_at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("run_id", "employee_id"),)


class PayrollLine(Base):
    """One traceable line of a payroll result: code, amount and how it was computed."""

    __tablename__ = "payroll_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    result_id: Mapped[int] = mapped_column(ForeignKey("payroll_results.id"), index=True)
    sequence: Mapped[int]
    code: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(200))
    amount: Mapped[Decimal]
    basis: Mapped[str] = mapped_column(Text, default="")  # JSON: formula, inputs, source
    site_code: Mapped[str | None] = mapped_column(String(64))  # cost centre of the line
