"""Configuration of the gateway service: ``config/gateway.yaml`` (centre, clock watch, retry,
HTTP bind) and the device list of ``config/devices.yaml``.

A bad file raises :class:`ConfigError` naming the file, the key and what was expected.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time
from ipaddress import IPv4Network
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

GATEWAY_FILE = "gateway.yaml"
DEVICES_FILE = "devices.yaml"


class ConfigError(Exception):
    """A configuration file is missing or invalid; the message names file, key and fix."""


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


class GatewayConfig(_Strict):
    serve: ServeConfig = ServeConfig()
    centre: CentreConfig = CentreConfig()
    clock: ClockPolicy = ClockPolicy()
    retry: RetryPolicy = RetryPolicy()
    live_resync_s: float = Field(default=60.0, gt=0)
    rediscover_after_failures: int = Field(default=3, ge=1)


class DeviceConfig(_Strict):
    serial: str = Field(min_length=1, max_length=64)
    name: str = ""
    driver: str = Field(min_length=1)
    site: str | None = None
    timezone: str
    poll_interval_s: float = Field(default=30.0, gt=0)
    live: bool = True
    enabled: bool = True
    rediscover_subnet: IPv4Network | None = None
    settings: dict[str, Any] = Field(default_factory=dict)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA timezone {v!r} (e.g. Asia/Shanghai)") from exc
        return v


class DevicesFile(_Strict):
    devices: list[DeviceConfig] = Field(default_factory=list)


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
    def from_config(cls, c: DeviceConfig) -> DeviceSpec:
        return cls(
            serial=c.serial,
            name=c.name or c.serial,
            driver=c.driver,
            timezone=c.timezone,
            site=c.site,
            poll_interval_s=c.poll_interval_s,
            live=c.live,
            rediscover_subnet=c.rediscover_subnet,
            settings=dict(c.settings),
        )


def address_of(settings: Mapping[str, Any], fallback: str) -> str:
    host = settings.get("host")
    if host is None:
        return str(settings.get("path", fallback))
    port = settings.get("port")
    return f"{host}:{port}" if port is not None else str(host)


M = TypeVar("M", bound=BaseModel)


def _load(path: Path, model: type[M], *, required: bool) -> M:
    if not path.exists():
        if required:
            raise ConfigError(f"{path}: file not found; copy the example from config/")
        return model()
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level")
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(p) for p in first["loc"]) or "(top)"
        raise ConfigError(
            f"{path}: key {key}: {first['msg']} (got {first.get('input')!r})"
        ) from exc


def load_gateway_config(config_dir: Path) -> GatewayConfig:
    return _load(config_dir / GATEWAY_FILE, GatewayConfig, required=False)


def load_devices(config_dir: Path, *, site: str | None = None) -> list[DeviceSpec]:
    cfg = _load(config_dir / DEVICES_FILE, DevicesFile, required=True)
    serials = [d.serial for d in cfg.devices]
    dupes = sorted({s for s in serials if serials.count(s) > 1})
    if dupes:
        raise ConfigError(
            f"{config_dir / DEVICES_FILE}: serial {dupes[0]!r} is listed twice; "
            "a device is known by its serial number"
        )
    return [
        DeviceSpec.from_config(d)
        for d in cfg.devices
        if d.enabled and (site is None or d.site == site)
    ]
