from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from hrcore.db import Base
from hrcore.models._columns import code_column_type
from hrcore.models.enums import CorrectionStatus, PunchStateCode


class CorrectionRequest(Base):
    """A request to add a missed (or replace a wrong) punch; approval adds a corrected punch,
    the raw punches are never changed."""

    __tablename__ = "correction_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"))
    #: the shift date the punch belongs to (site-local)
    day: Mapped[date]
    #: the time asked for (UTC)
    at: Mapped[datetime]
    state: Mapped[PunchStateCode] = mapped_column(code_column_type(PunchStateCode))
    reason: Mapped[str] = mapped_column(String(500))
    status: Mapped[CorrectionStatus] = mapped_column(code_column_type(CorrectionStatus))
    requested_by: Mapped[str] = mapped_column(String(100))
    requested_at: Mapped[datetime]
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str | None] = mapped_column(String(500))
    #: the corrected punch an approval added
    punch_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)

    __table_args__ = (Index("ix_correction_requests_employee_day", "employee_id", "day"),)
