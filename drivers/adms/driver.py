"""``AdmsDriver``: ZKTeco clocks in PUSH (ADMS / "cloud server") mode.

The device calls the gateway, so this driver has nothing to poll: it carries the device's
settings (zone, how often it should poll, whether it sends each punch at once) and the
gateway mounts the sans-IO :mod:`drivers.adms.protocol` on its HTTP server. Users, clock and
log commands travel through the gateway's command queue.
"""

from __future__ import annotations

from typing import ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

from drivers.adms.codec import HandshakeOptions
from drivers.base import Capability, Driver, ReadResult
from drivers.errors import CapabilityNotSupported, DriverConfigError
from drivers.punch import DeviceInfo


class AdmsConfig(BaseModel):
    """One PUSH device, as devices.yaml describes it (the device finds the gateway itself)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    serial: str = Field(min_length=1, max_length=64, description="serial the device sends as SN")
    timezone: str = Field("UTC", description="IANA zone of the device clock")
    delay_s: int = Field(10, ge=1, le=600, description="seconds between the device's polls")
    error_delay_s: int = Field(30, ge=1, le=600, description="seconds before a device retries")
    realtime: bool = Field(True, description="the device posts each punch at once")
    trans_interval_min: int = Field(1, ge=1, le=1440, description="minutes between batches")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA time zone {value!r} (e.g. Asia/Shanghai)") from exc
        return value

    def handshake_options(self, att_stamp: str = "0", op_stamp: str = "0") -> HandshakeOptions:
        return HandshakeOptions(
            att_stamp=att_stamp,
            op_stamp=op_stamp,
            error_delay_s=self.error_delay_s,
            delay_s=self.delay_s,
            realtime=self.realtime,
            trans_interval_min=self.trans_interval_min,
        )


class AdmsDriver(Driver):
    family: ClassVar[str] = "adms"
    description: ClassVar[str] = "ZKTeco PUSH / ADMS: the clock posts to /iclock/ on the gateway"
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.PUSH})
    config_model: ClassVar[type[BaseModel]] = AdmsConfig

    def __init__(self, config: BaseModel) -> None:
        if not isinstance(config, AdmsConfig):
            raise DriverConfigError(f"AdmsDriver needs an AdmsConfig, got {type(config).__name__}")
        super().__init__(config)
        self.cfg = config
        self.zone = ZoneInfo(config.timezone)

    def info(self) -> DeviceInfo:
        return DeviceInfo(serial_number=self.cfg.serial, family=self.family, brand="ZKTeco")

    def read_punches(self, since: str | None = None) -> ReadResult:
        raise CapabilityNotSupported(self.family, Capability.PULL.value)
