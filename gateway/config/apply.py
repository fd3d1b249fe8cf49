"""Writes the checked site configuration (site.yaml, devices.yaml) into the HR store.

Idempotent: applying the same files twice changes nothing. Driver settings go to the device's
``connection``; fields the driver declares as ``SecretStr`` are stored encrypted instead.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal

from pydantic import SecretStr
from sqlalchemy.orm import Session

from gateway.config.site import Configuration, Device, RosterLimitsConfig
from hrcore.errors import InvalidData
from hrcore.models import Site
from hrcore.store import (
    DeviceIn,
    EmployeeIn,
    OrgUnitIn,
    ProtectionPeriod,
    RosterLimits,
    ShiftTypeIn,
    SiteIn,
    map_device_user,
    save_device,
    save_employee,
    save_org_unit,
    save_shift_type,
    save_site,
)


@dataclass(frozen=True, slots=True)
class AppliedCounts:
    site: str
    org_units: int
    shift_types: int
    employees: int
    device_users: int
    devices: int


def device_in(device: Device) -> DeviceIn:
    """Split a configured device into stored connection settings and one encrypted secret."""
    secret_fields = {
        name: getattr(device.settings, name)
        for name in type(device.settings).model_fields
        if isinstance(getattr(device.settings, name), SecretStr)
    }
    connection = device.settings.model_dump(mode="json", exclude=set(secret_fields))
    secrets = {k: v.get_secret_value() for k, v in secret_fields.items()}
    return DeviceIn(
        serial_number=device.serial,
        driver=device.driver,
        timezone=device.timezone,
        name=device.name,
        brand=device.brand,
        connection=connection,
        secret=json.dumps(secrets, sort_keys=True) if secrets else None,
        enabled=device.enabled,
    )


def roster_limits(cfg: RosterLimitsConfig) -> RosterLimits:
    """An employee's configured rostering limits, hours turned into minutes."""

    def minutes(hours: Decimal | None) -> int | None:
        return None if hours is None else int(hours * 60)

    return RosterLimits(
        no_nights=cfg.no_nights,
        no_overtime=cfg.no_overtime,
        max_consecutive_days=cfg.max_consecutive_days,
        min_rest_minutes=minutes(cfg.min_rest_hours),
        daily_overtime_cap_minutes=minutes(cfg.overtime_cap_hours_per_day),
        monthly_overtime_cap_minutes=minutes(cfg.overtime_cap_hours_per_month),
        protections=tuple(ProtectionPeriod(p.kind, p.start, p.end) for p in cfg.protections),
    )


def apply_configuration(
    session: Session, config: Configuration, *, secret_key: str | None
) -> AppliedCounts:
    """Create or update the site, its org units, shift types, employees, device users, devices.

    Runs in the caller's transaction: on any error the caller rolls back and nothing is stored.
    """
    cfg = config.site
    site: Site = save_site(session, SiteIn(cfg.code, cfg.name, cfg.timezone, cfg.city, cfg.policy))
    pending = list(cfg.org_units)
    while pending:  # parents before children, whatever the order in the file
        ready = [
            u for u in pending if u.parent is None or u.parent not in {p.code for p in pending}
        ]
        for unit in ready:
            save_org_unit(session, site, OrgUnitIn(unit.code, unit.name, unit.parent))
        pending = [u for u in pending if u not in ready]
        if not ready:
            raise InvalidData(f"org units form a cycle: {[u.code for u in pending]}")
    for shift in cfg.shift_types:
        save_shift_type(
            session,
            site,
            ShiftTypeIn(
                shift.code,
                shift.start,
                shift.end,
                shift.name,
                shift.break_minutes,
                shift.required_skill,
                in_out_mode=shift.in_out_mode,
                hours_mode=shift.hours_mode,
            ),
        )
    mapped = 0
    for emp in cfg.employees:
        save_employee(
            session,
            site,
            EmployeeIn(
                code=emp.code,
                name=emp.name,
                hire_date=emp.hire_date,
                org_unit_code=emp.org_unit,
                job_title=emp.job_title,
                skills=emp.skills,
                exit_date=emp.exit_date,
                working_hours_system=emp.working_hours_system,
                pay_basis=emp.pay_basis,
                base_pay=emp.base_pay,
                social_insurance_city=emp.social_insurance_city,
                default_shift_code=emp.default_shift,
                limits=roster_limits(emp.roster),
            ),
        )
        if emp.device_user is not None:
            map_device_user(session, site, emp.device_user, emp.code)
            mapped += 1
    for device in config.devices:
        save_device(session, site, device_in(device), secret_key=secret_key)
    return AppliedCounts(
        site=site.code,
        org_units=len(cfg.org_units),
        shift_types=len(cfg.shift_types),
        employees=len(cfg.employees),
        device_users=mapped,
        devices=len(config.devices),
    )
