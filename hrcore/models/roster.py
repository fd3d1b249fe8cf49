from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hrcore.db import Base
from hrcore.models._columns import code_column_type
from hrcore.models.enums import RosterStatus


class ShiftType(Base):
    """A shift pattern. ``end`` not after ``start`` means the shift ends the next day."""

    __tablename__ = "shift_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200), default="")
    start: Mapped[time]
    end: Mapped[time]
    break_minutes: Mapped[int] = mapped_column(default=0)
    required_skill: Mapped[str | None] = mapped_column(String(64))
    checkin_before_minutes: Mapped[int] = mapped_column(default=60)
    checkout_after_minutes: Mapped[int] = mapped_column(default=240)
    late_grace_minutes: Mapped[int] = mapped_column(default=5)
    early_exit_grace_minutes: Mapped[int] = mapped_column(default=5)
    #: "state" (device IN/OUT) or "alternating" (first in, then alternate)
    in_out_mode: Mapped[str] = mapped_column(String(16), default="alternating")
    #: "first_last" or "pairs"
    hours_mode: Mapped[str] = mapped_column(String(16), default="first_last")
    half_day_below_minutes: Mapped[int | None]
    absent_below_minutes: Mapped[int | None]

    __table_args__ = (UniqueConstraint("site_id", "code"),)


class RosterRun(Base):
    """One solve (draft) of a site's roster over a date range, with its penalty report."""

    __tablename__ = "roster_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    date_from: Mapped[date]
    date_to: Mapped[date]
    status: Mapped[RosterStatus] = mapped_column(code_column_type(RosterStatus))
    objective: Mapped[int | None]
    created_at: Mapped[datetime]
    published_at: Mapped[datetime | None]
    penalty_report: Mapped[list[Any]] = mapped_column(default=list)


class RosterAssignment(Base):
    __tablename__ = "roster_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    roster_run_id: Mapped[int] = mapped_column(ForeignKey("roster_runs.id"), index=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), index=True)
    date: Mapped[date]
    shift_type_id: Mapped[int] = mapped_column(ForeignKey("shift_types.id"))
    #: the demand skill the person covers on that shift (None: no skill asked for)
    skill: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (UniqueConstraint("roster_run_id", "employee_id", "date"),)
