from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hrcore.db import Base


class AttendanceDay(Base):
    """The computed attendance of one employee on one shift date, with its why-trace."""

    __tablename__ = "attendance_days"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), index=True)
    date: Mapped[date]
    shift_type_id: Mapped[int | None] = mapped_column(ForeignKey("shift_types.id"))
    status: Mapped[str] = mapped_column(String(32))
    worked_minutes: Mapped[int] = mapped_column(default=0)
    late_minutes: Mapped[int] = mapped_column(default=0)
    early_exit_minutes: Mapped[int] = mapped_column(default=0)
    overtime_workday_minutes: Mapped[int] = mapped_column(default=0)
    overtime_restday_minutes: Mapped[int] = mapped_column(default=0)
    overtime_holiday_minutes: Mapped[int] = mapped_column(default=0)
    trace: Mapped[list[Any]] = mapped_column(default=list)
    computed_at: Mapped[datetime]
    needs_review: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (UniqueConstraint("employee_id", "date"),)
