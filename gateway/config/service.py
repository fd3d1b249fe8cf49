"""Configuration of the gateway service.

The site and its clocks come from ``config/site.yaml`` and ``config/devices.yaml``
(:mod:`gateway.config.site`; per device also ``live`` and ``rediscover_subnet``). The gateway's own
settings are in ``config/gateway.yaml``: the centre, clock watch, retry and HTTP bind. A bad file
raises :class:`gateway.config.files.ConfigError`, which names the file, the key and what was
expected.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time
from ipaddress import IPv4Network
from pathlib import Path
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from gateway.config.files import load_model
from gateway.config.site import DEVICES_FILE, Device, DevicesFile, load_site_config

GATEWAY_FILE = "gateway.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CentreConfig(_Strict):
    url: str | None = Field(
        default=None, description="Base URL of the central shiftgate; none = this store."
    )
    token: str | None = None
    timeout_s: float = Field(default=10.0, gt=0)
    batch_size: int = Field(default=500, ge=1, le=5000)


class ClockPolicy(_Strict):
    alert_threshold_s: float = Field(default=60.0, gt=0)
    auto_correct: bool = False
    max_step_s: float = Field(default=300.0, gt=0)
    allowed_hours: tuple[int, int] = (1, 5)
    shift_starts: tuple[time, ...] = ()
    shift_guard_minutes: int = Field(default=30, ge=0)

    @field_validator("allowed_hours")
    @classmethod
    def _hours(cls, v: tuple[int, int]) -> tuple[int, int]:
        if not all(0 <= h <= 24 for h in v):
            raise ValueError("allowed_hours are two hours of the day, 0..24")
        return v


class RetryPolicy(_Strict):
    base_s: float = Field(default=1.0, gt=0)
    cap_s: float = Field(default=60.0, gt=0)


class ServeConfig(_Strict):
    host: str = "127.0.0.1"
    port: int = Field(default=8600, ge=0, le=65535)


class PushConfig(_Strict):
    """Push devices (ADMS, ISAPI events) that call this gateway."""

    auto_enrol: bool = Field(
        default=False,
        description="hold unknown serials in quarantine for an admin (else: refuse them)",
    )
    resend_after_s: float = Field(
        default=60.0, gt=0, description="re-send a command not acknowledged within this time"
    )


class OutboxConfig(_Strict):
    budget_mb: float | None = Field(
        default=None, gt=0, description="disk budget of the outbox in MiB; none = unbounded"
    )
    alarm_fraction: float = Field(default=0.8, gt=0, le=1)
    prune_to_fraction: float = Field(default=0.7, gt=0, lt=1)

    @model_validator(mode="after")
    def _order(self) -> Self:
        if self.prune_to_fraction >= self.alarm_fraction:
            raise ValueError("prune_to_fraction must be below alarm_fraction")
        return self


class GatewayConfig(_Strict):
    serve: ServeConfig = ServeConfig()
    centre: CentreConfig = CentreConfig()
    outbox: OutboxConfig = OutboxConfig()
    clock: ClockPolicy = ClockPolicy()
    retry: RetryPolicy = RetryPolicy()
    push: PushConfig = PushConfig()
    live_resync_s: float = Field(default=60.0, gt=0)
    rediscover_after_failures: int = Field(default=3, ge=1)


@dataclass(frozen=True, slots=True)
class DeviceSpec:
    """One configured device, known by its serial number."""

    serial: str
    name: str
    driver: str
    timezone: str
    site: str | None
    poll_interval_s: float
    live: bool
    rediscover_subnet: IPv4Network | None
    settings: Mapping[str, Any]

    @property
    def address(self) -> str:
        return address_of(self.settings, self.driver)

    @classmethod
    def from_site(
        cls, device: Device, site: str, rediscover_subnet: IPv4Network | None
    ) -> DeviceSpec:
        return cls(
            serial=device.serial,
            name=device.name or device.serial,
            driver=device.driver,
            timezone=device.timezone,
            site=site,
            poll_interval_s=device.poll_interval_s,
            live=device.live,
            rediscover_subnet=rediscover_subnet,
            settings=device.settings.model_dump(),
        )


@dataclass(frozen=True, slots=True)
class ServiceConfig:
    """Everything ``shiftgate serve`` reads from the config folder."""

    gateway: GatewayConfig
    site: str
    devices: tuple[DeviceSpec, ...]


def address_of(settings: Mapping[str, Any], fallback: str) -> str:
    host = settings.get("host")
    if host is None:  # a file, or a serial line (the serial driver's port, Modbus RTU's)
        for key in ("path", "serial_port", "port"):
            if settings.get(key) is not None:
                return str(settings[key])
        return fallback
    port = settings.get("port")
    return f"{host}:{port}" if port is not None else str(host)


def load_gateway_config(config_dir: Path) -> GatewayConfig:
    """``gateway.yaml``; every setting has a default, so the file is optional."""
    path = config_dir / GATEWAY_FILE
    return load_model(path, GatewayConfig) if path.exists() else GatewayConfig()


def load_service_config(config_dir: Path, *, site: str | None = None) -> ServiceConfig:
    """Site, enabled devices (only those of ``site`` when given) and gateway settings.

    Without ``clock.shift_starts`` the clock guard uses the start times of the site's shift
    types.
    """
    gateway = load_gateway_config(config_dir)
    configuration = load_site_config(config_dir)
    subnets: dict[str, IPv4Network | None] = {}
    if (config_dir / DEVICES_FILE).exists():  # the keys siteconfig checks but does not keep
        listed = load_model(config_dir / DEVICES_FILE, DevicesFile)
        subnets = {d.serial: d.rediscover_subnet for d in listed.devices}
    if not gateway.clock.shift_starts and configuration.site.shift_types:
        starts = tuple(sorted({st.start for st in configuration.site.shift_types}))
        gateway = gateway.model_copy(
            update={"clock": gateway.clock.model_copy(update={"shift_starts": starts})}
        )
    code = configuration.site.code
    devices = tuple(
        DeviceSpec.from_site(d, code, subnets.get(d.serial))
        for d in configuration.devices
        if d.enabled and (site is None or site == code)
    )
    return ServiceConfig(gateway=gateway, site=code, devices=devices)


def load_devices(config_dir: Path, *, site: str | None = None) -> tuple[DeviceSpec, ...]:
    """The enabled devices the service would run (of ``site`` only, when given)."""
    return load_service_config(config_dir, site=site).devices
