"""Enrolment reconciliation: HR store (active employees and their device-user ids, leavers)
versus each device's user list -> a plan (add, update name, remove leaver) per device.

Only :func:`apply_plan` changes a device, one step at a time, and every step's outcome is
written to the audit log. Users the store does not know are never touched. Biometric templates
are never read or copied: the plan only carries user ids and names.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy.orm import Session, sessionmaker

from drivers.base import Driver
from drivers.errors import DriverError
from drivers.punch import DeviceUser
from gateway.config.service import DeviceSpec
from gateway.errors import SyncError
from hrcore.errors import NotFound
from hrcore.store import AuditIn, get_site, mapped_device_users, record_audit

log = logging.getLogger(__name__)

ACTOR = "shiftgate devices sync-users"


class SyncAction(StrEnum):
    ADD = "add"
    UPDATE = "update"
    REMOVE = "remove"


@dataclass(frozen=True, slots=True)
class SyncStep:
    action: SyncAction
    user_id: str
    name: str
    before: str | None = None  # the device's current name (update / remove)


@dataclass(frozen=True, slots=True)
class Roster:
    """What the HR store wants on the devices of one site."""

    wanted: dict[str, str]  # device user id -> employee name
    leavers: frozenset[str]


@dataclass(frozen=True, slots=True)
class DevicePlan:
    device: DeviceSpec
    steps: tuple[SyncStep, ...]
    unmanaged: tuple[str, ...]  # on the device, unknown to the store: left alone


@dataclass(frozen=True, slots=True)
class StepResult:
    step: SyncStep
    ok: bool
    error: str | None = None


def load_roster(session: Session, site_code: str, today: date) -> Roster:
    try:
        site = get_site(session, site_code)
    except NotFound as exc:
        raise SyncError(
            f"site {site_code!r} is not in the HR store; create it or fix `site:` "
            "in config/devices.yaml"
        ) from exc
    wanted: dict[str, str] = {}
    leavers: set[str] = set()
    for u in mapped_device_users(session, site):
        if u.exit_date is not None and u.exit_date < today:
            leavers.add(u.device_user)
        elif u.hire_date <= today:
            wanted[u.device_user] = u.name
    return Roster(wanted, frozenset(leavers - wanted.keys()))


def _same_name(on_device: str, wanted: str) -> bool:
    """Devices keep names in fixed-width fields: a cut-off prefix counts as the same name."""
    on_device, wanted = on_device.strip(), wanted.strip()
    if on_device == wanted:
        return True
    return len(on_device.encode()) >= 8 and wanted.startswith(on_device)


def plan_device(device: DeviceSpec, users: Sequence[DeviceUser], roster: Roster) -> DevicePlan:
    present = {u.user_id: u for u in users}
    steps: list[SyncStep] = []
    for user_id, name in sorted(roster.wanted.items()):
        current = present.get(user_id)
        if current is None:
            steps.append(SyncStep(SyncAction.ADD, user_id, name))
        elif not _same_name(current.name, name):
            steps.append(SyncStep(SyncAction.UPDATE, user_id, name, before=current.name))
    for user_id in sorted(roster.leavers & present.keys()):
        steps.append(
            SyncStep(
                SyncAction.REMOVE, user_id, present[user_id].name, before=present[user_id].name
            )
        )
    unmanaged = sorted(present.keys() - roster.wanted.keys() - roster.leavers)
    return DevicePlan(device, tuple(steps), tuple(unmanaged))


def apply_plan(
    plan: DevicePlan,
    driver: Driver,
    session_factory: sessionmaker[Session],
    *,
    clock: Callable[[], datetime],
) -> list[StepResult]:
    """Execute each step with the driver and record its outcome in the audit log."""
    current = {u.user_id: u for u in driver.list_users()}
    results: list[StepResult] = []
    for step in plan.steps:
        try:
            if step.action == SyncAction.ADD:
                driver.upsert_user(DeviceUser(user_id=step.user_id, name=step.name))
            elif step.action == SyncAction.UPDATE:
                base = current.get(step.user_id, DeviceUser(user_id=step.user_id))
                driver.upsert_user(dataclasses.replace(base, name=step.name))
            else:
                driver.delete_user(step.user_id)
            result = StepResult(step, ok=True)
        except DriverError as exc:
            result = StepResult(step, ok=False, error=f"{type(exc).__name__}: {exc}")
            log.warning(
                "sync step failed device=%s action=%s user=%s error=%s",
                plan.device.serial,
                step.action,
                step.user_id,
                exc,
            )
        with session_factory.begin() as session:
            record_audit(
                session,
                AuditIn(
                    at=clock(),
                    actor=ACTOR,
                    action=f"device.user.{step.action}",
                    entity="device",
                    entity_id=plan.device.serial,
                    detail={
                        "user_id": step.user_id,
                        "name": step.name,
                        "before": step.before,
                        "result": "ok" if result.ok else "error",
                        "error": result.error,
                    },
                ),
            )
        results.append(result)
    return results
