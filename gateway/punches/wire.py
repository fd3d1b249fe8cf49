"""The punch as it travels from a gateway to the centre (outbox rows and the batch API).

One pydantic model serves both, so what the outbox holds is exactly what the centre accepts.
The id must be the deterministic punch id over (serial, user, device-local time): the centre
refuses a punch whose id does not match, which keeps idempotency honest end to end.
"""

from __future__ import annotations

import uuid
from typing import Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from drivers.punch import punch_id
from hrcore.models import PunchStateCode
from hrcore.store import PunchIn


class PunchWire(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: uuid.UUID
    device_sn: str = Field(min_length=1, max_length=64)
    device_user: str = Field(min_length=1, max_length=64)
    local_time: AwareDatetime
    timezone: str = Field(min_length=1, max_length=64)
    received_at: AwareDatetime
    state: PunchStateCode = PunchStateCode.UNDEFINED
    verify_mode: str = Field(default="unknown", max_length=32)
    source: str = Field(default="", max_length=64)
    raw: str = ""
    clock_offset_s: float | None = None
    clock_suspect: bool = False

    @model_validator(mode="after")
    def _id_is_deterministic(self) -> Self:
        expected = punch_id(self.device_sn, self.device_user, self.local_time)
        if self.id != expected:
            raise ValueError(
                f"punch id {self.id} does not match device {self.device_sn!r} user "
                f"{self.device_user!r} at {self.local_time.isoformat()} (expected {expected}); "
                "ids must be uuid5 over serial, user and device-local time"
            )
        return self

    def to_punch_in(self, *, device_id: int | None = None, site_id: int | None = None) -> PunchIn:
        return PunchIn(
            id=self.id,
            device_sn=self.device_sn,
            device_user=self.device_user,
            local_time=self.local_time,
            timezone=self.timezone,
            received_at=self.received_at,
            state=self.state,
            verify_mode=self.verify_mode,
            source=self.source,
            raw=self.raw,
            clock_offset_s=self.clock_offset_s,
            clock_suspect=self.clock_suspect,
            device_id=device_id,
            site_id=site_id,
        )


class PunchBatch(BaseModel):
    """Body of ``POST /api/v1/punches:batch``."""

    model_config = ConfigDict(extra="forbid")

    punches: list[PunchWire] = Field(max_length=5000)


class BatchResult(BaseModel):
    """Answer of ``POST /api/v1/punches:batch``: new punches and ones the store already held."""

    accepted: int
    duplicate: int
