from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from hrcore.db import Base
from hrcore.models._columns import code_column_type
from hrcore.models.enums import PunchStateCode


class PunchRecord(Base):
    """One punch. The primary key is the deterministic id (uuid5 over serial, user, local time),
    so storing the same punch twice is impossible."""

    __tablename__ = "punches"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    device_sn: Mapped[str] = mapped_column(String(64))
    device_user: Mapped[str] = mapped_column(String(64))
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"))
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"))
    #: device wall-clock time as shown, ISO-8601 with its UTC offset
    #: (e.g. 2025-03-01T08:59:03+08:00)
    local_time: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime]  # UTC
    timezone: Mapped[str] = mapped_column(String(64))
    #: when the gateway read the punch from the device (it may reach the store much later)
    received_at: Mapped[datetime]
    #: when the punch reached this store; incremental recomputation compares it with computed_at
    stored_at: Mapped[datetime]
    state: Mapped[PunchStateCode] = mapped_column(code_column_type(PunchStateCode))
    verify_mode: Mapped[str] = mapped_column(String(32), default="unknown")
    source: Mapped[str] = mapped_column(String(64))
    raw: Mapped[str] = mapped_column(Text, default="")
    clock_offset_s: Mapped[float | None]
    clock_suspect: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (
        Index("ix_punches_employee_at", "employee_id", "at"),
        Index("ix_punches_device_user_at", "device_sn", "device_user", "at"),
        # incremental attendance reads only the punches stored after the days were computed
        Index("ix_punches_stored_at", "stored_at"),
    )
