from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hrcore.db import Base
from hrcore.models._columns import code_column_type
from hrcore.models.enums import RiskSeverity


class RiskFlag(Base):
    """An overtime / burnout risk raised for an employee on a date."""

    __tablename__ = "risk_flags"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), index=True)
    date: Mapped[date]
    kind: Mapped[str] = mapped_column(String(64))
    severity: Mapped[RiskSeverity] = mapped_column(code_column_type(RiskSeverity))
    detail: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
