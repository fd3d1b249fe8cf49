from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hrcore.db import Base


class Device(Base):
    """A time clock, known by its serial number (its address may change)."""

    __tablename__ = "devices"

    id: Mapped[int] = mapped_column(primary_key=True)
    serial_number: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    brand: Mapped[str] = mapped_column(String(64), default="")
    driver: Mapped[str] = mapped_column(String(64))
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    timezone: Mapped[str] = mapped_column(String(64))
    connection: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: Fernet ciphertext of the device secret (comm key, password); see hrcore.secrets.
    secret_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary)
    enabled: Mapped[bool] = mapped_column(default=True)
    last_seen_at: Mapped[datetime | None]
    last_address: Mapped[str | None] = mapped_column(String(255))


class DeviceUserMapping(Base):
    """Device user id (the PIN printed on punches) -> employee, per site."""

    __tablename__ = "device_user_mappings"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    device_user: Mapped[str] = mapped_column(String(64))
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), index=True)

    __table_args__ = (UniqueConstraint("site_id", "device_user"),)
