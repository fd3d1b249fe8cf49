"""``/api/v1/sites`` and ``/api/v1/devices``: workplaces and their clocks (status, clock
offset, last contact), and commands queued for push devices."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query, status
from pydantic import BaseModel, Field

from gateway.api.deps import SessionDep, StateDep, audit, require
from gateway.api.errors import ERROR_RESPONSES, ApiError
from gateway.auth.roles import Permission
from gateway.auth.service import Principal
from gateway.push.admin import CommandName, queue_command
from gateway.push.service import PushService
from hrcore.models import Site
from hrcore.store.devices import devices_by_serial, find_device
from hrcore.store.directory import get_site
from hrcore.store.directory import list_sites as all_sites

router = APIRouter(prefix="/api/v1", tags=["sites"], responses=ERROR_RESPONSES)
Reader = Annotated[Principal, Depends(require(Permission.READ))]


class SiteOut(BaseModel):
    code: str
    name: str
    timezone: str
    city: str | None
    policy: str


class DeviceOut(BaseModel):
    serial: str
    name: str
    brand: str
    driver: str
    site: str
    timezone: str
    enabled: bool
    #: live, from this instance's device worker (None: no worker here)
    health: str | None
    address: str | None
    last_contact: datetime | None
    clock_offset_s: float | None
    last_error: str | None


def _site_out(site: Site) -> SiteOut:
    return SiteOut(
        code=site.code, name=site.name, timezone=site.timezone, city=site.city, policy=site.policy
    )


@router.get("/sites", response_model=list[SiteOut])
def list_sites(session: SessionDep, _: Reader) -> list[SiteOut]:
    return [_site_out(s) for s in all_sites(session)]


@router.get("/sites/{code}", response_model=SiteOut)
def get_one_site(code: str, session: SessionDep, _: Reader) -> SiteOut:
    return _site_out(get_site(session, code))


def device_list(session: SessionDep, state: StateDep, site: str | None) -> list[DeviceOut]:
    """Registered devices, with the live status of those this instance polls."""
    live = {d.serial: d for d in state.device_status()}
    out = []
    for dev, site_code in devices_by_serial(session, get_site(session, site) if site else None):
        now = live.get(dev.serial_number)
        out.append(
            DeviceOut(
                serial=dev.serial_number,
                name=dev.name,
                brand=dev.brand,
                driver=dev.driver,
                site=site_code,
                timezone=dev.timezone,
                enabled=dev.enabled,
                health=str(now.health) if now else None,
                address=now.address if now else dev.last_address,
                last_contact=(now.last_success if now else None) or dev.last_seen_at,
                clock_offset_s=now.clock_offset_s if now else None,
                last_error=now.last_error if now else None,
            )
        )
    return out


@router.get("/devices", response_model=list[DeviceOut])
def list_devices(
    session: SessionDep,
    state: StateDep,
    _: Reader,
    site: Annotated[str | None, Query(max_length=64)] = None,
) -> list[DeviceOut]:
    return device_list(session, state, site)


class CommandBody(BaseModel):
    command: CommandName
    #: set-option: KEY=VALUE
    option: str | None = Field(default=None, max_length=200)
    #: backfill: device-local times
    start: datetime | None = None
    end: datetime | None = None


class CommandOut(BaseModel):
    id: int
    serial: str
    text: str
    status: str
    created_at: datetime
    done_at: datetime | None
    return_code: int | None


def _push(state: StateDep) -> PushService:
    if state.push is None:
        raise ApiError(
            409,
            "this instance receives no push devices: commands are queued where the device "
            "pushes to (a gateway with push devices in devices.yaml)",
            code="no_push_devices",
        )
    return state.push


@router.get("/devices/{serial}/commands", response_model=list[CommandOut])
def list_commands(serial: str, state: StateDep, _: Reader) -> list[CommandOut]:
    """Commands queued for a push device (ZKTeco ADMS), newest last."""
    return [
        CommandOut(
            id=c.id,
            serial=c.serial,
            text=c.text,
            status=str(c.status),
            created_at=c.created_at,
            done_at=c.done_at,
            return_code=c.return_code,
        )
        for c in _push(state).store.commands(serial)
    ]


@router.post(
    "/devices/{serial}/commands", response_model=list[int], status_code=status.HTTP_202_ACCEPTED
)
def post_command(
    serial: str,
    body: CommandBody,
    session: SessionDep,
    state: StateDep,
    principal: Annotated[Principal, Depends(require(Permission.DEVICE_COMMAND))],
) -> list[int]:
    """Queue a command for a push device; it is sent at the device's next poll (audited)."""
    push = _push(state)
    device = find_device(session, serial)
    zone = ZoneInfo(device.timezone if device else "UTC")
    ids = queue_command(
        push.store,
        serial,
        body.command,
        zone=zone,
        clock=state.clock,
        option=body.option,
        start=body.start,
        end=body.end,
    )
    audit(
        session,
        principal,
        state.clock(),
        "device_command",
        "device",
        serial,
        {"command": body.command.value, "ids": ids},
    )
    session.commit()
    return ids
