"""The site's YAML configuration: ``config/site.yaml`` and ``config/devices.yaml``.

``load_site_config(config_dir)`` reads both, validates every key (driver settings through the
driver's own ``config_model``) and returns frozen, checked values, or raises one
:class:`gateway.config.files.ConfigError` per bad file that lists every problem in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal
from ipaddress import IPv4Network
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from drivers.base import Driver
from drivers.errors import DriverConfigError
from drivers.registry import load_driver
from gateway.config.files import load_model, problems_from
from gateway.errors import ConfigError, Problem
from hrcore.attendance.model import HoursMode, InOutMode
from hrcore.models import PayBasis, ProtectionKind, WorkingHoursSystem

SITE_FILE = "site.yaml"
DEVICES_FILE = "devices.yaml"

#: Device-level keys handed to the driver's settings when its config schema declares them.
INHERITED_DRIVER_KEYS = ("serial", "timezone")


def _iana(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(
            "expected an IANA timezone name such as 'Asia/Shanghai' or 'Europe/Berlin'"
        ) from exc
    return name


def _money(value: object) -> object:
    if isinstance(value, float):
        raise ValueError("expected an exact amount such as '4500.00' (quoted), not a float")
    if isinstance(value, Decimal | int | str):
        try:
            amount = Decimal(str(value))
        except ArithmeticError as exc:
            raise ValueError("expected an amount such as '4500.00'") from exc
        if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
            raise ValueError("expected an amount with at most 2 decimals, such as '4500.00'")
        return amount
    return value


def _clock_time(value: object) -> object:
    if isinstance(value, int):  # 0-23 as a bare hour would be ambiguous; ask for HH:MM
        raise ValueError("expected a time of day as 'HH:MM', e.g. '08:00'")
    return value


def _device_user(value: object) -> object:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _whole_minutes(value: Decimal) -> Decimal:
    if value * 60 != int(value * 60):
        raise ValueError("expected hours that are whole minutes, such as 11 or 1.5")
    return value


TimeZoneName = Annotated[str, AfterValidator(_iana)]
Money = Annotated[Decimal, BeforeValidator(_money), Field(ge=0, max_digits=12, decimal_places=2)]
ClockTime = Annotated[time, BeforeValidator(_clock_time)]
Code = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^\S(.*\S)?$")]
DeviceUserId = Annotated[str, BeforeValidator(_device_user), Field(min_length=1, max_length=64)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


Hours = Annotated[Decimal, Field(ge=0, le=24), AfterValidator(_whole_minutes)]


class ProtectionConfig(_Strict):
    """Whole days `start`..`end` in which the person may not work nights, or overtime."""

    kind: ProtectionKind
    start: date
    end: date

    @model_validator(mode="after")
    def _ordered(self) -> ProtectionConfig:
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self


class RosterLimitsConfig(_Strict):
    """A person's own rostering limits (an employee's ``roster:``); what is left out
    follows the site's policy."""

    no_nights: bool = Field(default=False, description="never rostered on a night shift")
    no_overtime: bool = Field(default=False, description="never rostered into overtime")
    max_consecutive_days: int | None = Field(default=None, ge=1, le=31)
    min_rest_hours: Hours | None = None
    overtime_cap_hours_per_day: Hours | None = None
    overtime_cap_hours_per_month: (
        Annotated[Decimal, Field(ge=0, le=744), AfterValidator(_whole_minutes)] | None
    ) = None
    protections: tuple[ProtectionConfig, ...] = ()


class OrgUnitConfig(_Strict):
    code: Code
    name: str = Field(min_length=1, max_length=200)
    parent: Code | None = None


class ShiftTypeConfig(_Strict):
    """A shift pattern; ``end`` not after ``start`` means it ends the next day."""

    code: Code
    name: str = ""
    start: ClockTime
    end: ClockTime
    break_minutes: int = Field(default=0, ge=0, le=720)
    required_skill: str | None = None
    in_out_mode: InOutMode = Field(
        default=InOutMode.ALTERNATING,
        description="state: the device's IN/OUT/break keys decide; alternating: first punch "
        "is IN, then they alternate",
    )
    hours_mode: HoursMode = Field(
        default=HoursMode.FIRST_LAST,
        description="first_last: first check-in to last check-out; pairs: sum of in/out pairs",
    )


class EmployeeConfig(_Strict):
    code: Code
    name: str = Field(min_length=1, max_length=200)
    hire_date: date
    exit_date: date | None = None
    org_unit: Code | None = None
    job_title: str | None = None
    skills: tuple[str, ...] = ()
    working_hours_system: WorkingHoursSystem = WorkingHoursSystem.STANDARD
    pay_basis: PayBasis = PayBasis.MONTHLY
    base_pay: Money = Decimal("0.00")
    social_insurance_city: str | None = None
    default_shift: Code | None = None
    device_user: DeviceUserId | None = Field(
        default=None, description="the id printed on this person's punches (PIN on the clock)"
    )
    roster: RosterLimitsConfig = RosterLimitsConfig()

    @model_validator(mode="after")
    def _dates_ordered(self) -> EmployeeConfig:
        if self.exit_date is not None and self.exit_date < self.hire_date:
            raise ValueError(f"exit_date {self.exit_date} is before hire_date {self.hire_date}")
        return self


class SiteConfig(_Strict):
    code: Code
    name: str = Field(min_length=1, max_length=200)
    timezone: TimeZoneName
    city: str | None = None
    policy: str = Field(default="cn", min_length=1, max_length=32)
    org_units: tuple[OrgUnitConfig, ...] = ()
    shift_types: tuple[ShiftTypeConfig, ...] = ()
    employees: tuple[EmployeeConfig, ...] = ()


def _site_problems(site: SiteConfig) -> list[Problem]:
    """Cross-references that a single key cannot check: unique codes, codes that must exist."""
    problems = _duplicates("org_units", [u.code for u in site.org_units], "code")
    problems += _duplicates("shift_types", [s.code for s in site.shift_types], "code")
    problems += _duplicates("employees", [e.code for e in site.employees], "code")
    problems += _duplicates("employees", [e.device_user for e in site.employees], "device_user")
    units = {u.code for u in site.org_units}
    shifts = {s.code for s in site.shift_types}
    for i, unit in enumerate(site.org_units):
        if unit.parent is not None and unit.parent not in units:
            problems.append(
                Problem(f"org_units[{i}].parent", f"no org unit with code {unit.parent!r}")
            )
    parents = {u.code: u.parent for u in site.org_units}
    for i, unit in enumerate(site.org_units):
        seen: set[str] = set()
        code: str | None = unit.code
        while code is not None and code not in seen:
            seen.add(code)
            code = parents.get(code)
        if code == unit.code:
            problems.append(Problem(f"org_units[{i}].parent", "org units form a cycle"))
    for i, emp in enumerate(site.employees):
        if emp.org_unit is not None and emp.org_unit not in units:
            problems.append(
                Problem(f"employees[{i}].org_unit", f"no org unit with code {emp.org_unit!r}")
            )
        if emp.default_shift is not None and emp.default_shift not in shifts:
            problems.append(
                Problem(
                    f"employees[{i}].default_shift",
                    f"no shift type with code {emp.default_shift!r} in shift_types",
                )
            )
    return problems


def _duplicates(section: str, values: list[str | None], key: str) -> list[Problem]:
    first_seen: dict[str, int] = {}
    found = []
    for i, value in enumerate(values):
        if value is None:
            continue
        if value in first_seen:
            found.append(
                Problem(
                    f"{section}[{i}].{key}",
                    f"{value!r} is already used by {section}[{first_seen[value]}]; "
                    "it must be unique",
                )
            )
        else:
            first_seen[value] = i
    return found


class DeviceConfig(_Strict):
    serial: Code = Field(description="the device's serial number: its identity")
    driver: str = Field(min_length=1, description="driver family (see `shiftgate drivers list`)")
    name: str = ""
    brand: str = ""
    site: Code | None = Field(default=None, description="site code; default: the site's")
    timezone: TimeZoneName | None = Field(default=None, description="default: the site's")
    poll_interval_s: float = Field(default=30.0, gt=0, le=86400)
    live: bool = Field(default=True, description="use live events when the driver has them")
    rediscover_subnet: IPv4Network | None = Field(
        default=None, description="subnet to search when the device's address changes"
    )
    enabled: bool = True
    settings: dict[str, Any] = Field(default_factory=dict)


class DevicesFile(_Strict):
    devices: tuple[DeviceConfig, ...] = ()


@dataclass(frozen=True, slots=True)
class Device:
    """One configured device with its driver settings validated by the driver's schema."""

    serial: str
    driver: str
    driver_class: type[Driver]
    settings: BaseModel
    name: str
    brand: str
    timezone: str
    poll_interval_s: float
    live: bool
    enabled: bool

    def make_driver(self) -> Driver:
        return self.driver_class(self.settings)


@dataclass(frozen=True, slots=True)
class Configuration:
    site: SiteConfig
    devices: tuple[Device, ...]

    def device(self, serial: str) -> Device:
        for device in self.devices:
            if device.serial == serial:
                return device
        raise KeyError(serial)


def load_site(path: Path) -> SiteConfig:
    """Read and check ``site.yaml``."""
    site = load_model(path, SiteConfig)
    problems = _site_problems(site)
    if problems:
        raise ConfigError(path, problems)
    return site


def load_devices(
    path: Path, site_timezone: str, site_code: str | None = None
) -> tuple[Device, ...]:
    """Read ``devices.yaml``; each device's ``settings`` is validated by its driver.

    With ``site_code``, a device whose ``site`` names another site is an error.
    """
    if not path.exists():
        return ()
    parsed = load_model(path, DevicesFile)
    devices: list[Device] = []
    problems = _duplicates("devices", [d.serial for d in parsed.devices], "serial")
    for i, cfg in enumerate(parsed.devices):
        if site_code is not None and cfg.site is not None and cfg.site != site_code:
            problems.append(
                Problem(f"devices[{i}].site", f"{cfg.site!r} is not this site ({site_code!r})")
            )
        timezone = cfg.timezone or site_timezone
        try:
            driver_class = load_driver(cfg.driver)
        except DriverConfigError as exc:
            problems.append(Problem(f"devices[{i}].driver", str(exc)))
            continue
        settings = dict(cfg.settings)
        inherited = {"serial": cfg.serial, "timezone": timezone}
        for key in INHERITED_DRIVER_KEYS:
            if key in driver_class.config_model.model_fields and key not in settings:
                settings[key] = inherited[key]
        try:
            validated = driver_class.config_model.model_validate(settings)
        except ValidationError as exc:
            problems += problems_from(exc, prefix=f"devices[{i}].settings")
            continue
        devices.append(
            Device(
                serial=cfg.serial,
                driver=cfg.driver,
                driver_class=driver_class,
                settings=validated,
                name=cfg.name,
                brand=cfg.brand,
                timezone=timezone,
                poll_interval_s=cfg.poll_interval_s,
                live=cfg.live,
                enabled=cfg.enabled,
            )
        )
    if problems:
        raise ConfigError(path, problems)
    return tuple(devices)


def load_site_config(config_dir: Path) -> Configuration:
    """``site.yaml`` (required) and ``devices.yaml`` (optional) from ``config_dir``."""
    site = load_site(config_dir / SITE_FILE)
    devices = load_devices(config_dir / DEVICES_FILE, site.timezone, site.code)
    return Configuration(site=site, devices=devices)
