"""``/api/v1/sites`` and ``/api/v1/devices``: workplaces and their clocks (status, clock
offset, last contact)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel
from sqlalchemy import select

from gateway.api.deps import SessionDep, StateDep, require
from gateway.api.errors import ERROR_RESPONSES
from gateway.auth.roles import Permission
from gateway.auth.service import Principal
from hrcore.models import Device, Site
from hrcore.store.directory import get_site

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
    return [_site_out(s) for s in session.scalars(select(Site).order_by(Site.code))]


@router.get("/sites/{code}", response_model=SiteOut)
def get_one_site(code: str, session: SessionDep, _: Reader) -> SiteOut:
    return _site_out(get_site(session, code))


def device_list(session: SessionDep, state: StateDep, site: str | None) -> list[DeviceOut]:
    """Registered devices, with the live status of those this instance polls."""
    live = {d.serial: d for d in state.device_status()}
    query = select(Device, Site.code).join(Site, Site.id == Device.site_id)
    if site:
        query = query.where(Site.id == get_site(session, site).id)
    out = []
    for dev, site_code in session.execute(query.order_by(Device.serial_number)):
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
