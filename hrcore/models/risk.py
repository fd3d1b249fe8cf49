from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hrcore.db import Base
from hrcore.enums import RiskLevel
from hrcore.models._columns import code_column_type
from hrcore.models.enums import RiskSeverity


class RiskFlag(Base):
    """An open overtime / burnout risk flag of an employee: the latest evaluation's flags
    replace the earlier ones. ``date`` is the latest fact, ``evidence`` the facts."""

    __tablename__ = "risk_flags"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), index=True)
    date: Mapped[date]
    kind: Mapped[str] = mapped_column(String(64))
    severity: Mapped[RiskSeverity] = mapped_column(code_column_type(RiskSeverity))
    detail: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    #: [{"date": "YYYY-MM-DD", "text": ..., "source": ...}, ...]
    evidence: Mapped[list[Any]] = mapped_column(default=list)


class RiskAssessment(Base):
    """An employee's latest risk level, and why."""

    __tablename__ = "risk_assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), unique=True)
    level: Mapped[RiskLevel] = mapped_column(code_column_type(RiskLevel))
    reason: Mapped[str] = mapped_column(Text, default="")
    as_of: Mapped[date]
    evaluated_at: Mapped[datetime]


class RiskAlert(Base):
    """Raised once when an employee's level turns red; delivered by webhook (with retries)
    and acknowledged by a person with a note (audited)."""

    __tablename__ = "risk_alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), index=True)
    level: Mapped[RiskLevel] = mapped_column(code_column_type(RiskLevel))
    reason: Mapped[str] = mapped_column(Text, default="")
    #: the flags at the time: [{"kind", "summary", "evidence": [...]}, ...]
    flags: Mapped[list[Any]] = mapped_column(default=list)
    raised_at: Mapped[datetime]
    #: when the punches (or import) that crossed the line reached the store
    trigger_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by: Mapped[str | None] = mapped_column(String(100))
    ack_note: Mapped[str | None] = mapped_column(Text)
