from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hrcore.db import Base


class Course(Base):
    """A training course, as the learning system names it."""

    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    hours: Mapped[Decimal | None]
    source: Mapped[str] = mapped_column(String(200), default="")


class CourseCompletion(Base):
    """How far an employee got through a course (percent), and when it was completed."""

    __tablename__ = "course_completions"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    percent: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    completed_on: Mapped[date | None]
    source: Mapped[str] = mapped_column(String(200), default="")

    __table_args__ = (UniqueConstraint("employee_id", "course_id"),)


class KpiValue(Base):
    """One KPI's actual value for an employee and a period (a month, ``YYYY-MM``)."""

    __tablename__ = "kpi_values"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), index=True)
    period: Mapped[str] = mapped_column(String(7))
    kpi: Mapped[str] = mapped_column(String(64))
    value: Mapped[Decimal] = mapped_column(Numeric(18, 4))
    source: Mapped[str] = mapped_column(String(200), default="")

    __table_args__ = (UniqueConstraint("employee_id", "period", "kpi"),)


class SurveyAnswer(Base):
    """A pulse survey's answer of an employee for a period: a wellbeing score and/or
    whether they feel under pressure."""

    __tablename__ = "survey_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), index=True)
    period: Mapped[str] = mapped_column(String(7))
    wellbeing: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    under_pressure: Mapped[bool | None]
    source: Mapped[str] = mapped_column(String(200), default="")

    __table_args__ = (UniqueConstraint("employee_id", "period"),)
