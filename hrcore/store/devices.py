"""Time clocks in the store: registration by serial number, and their encrypted secret.

Every function runs inside the caller's transaction; the caller commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hrcore.errors import InvalidData, NotFound
from hrcore.models import Device, Site
from hrcore.secrets import decrypt_secret, encrypt_secret
from hrcore.store.directory import check_timezone


@dataclass(frozen=True, slots=True)
class DeviceIn:
    """A time clock. ``connection`` holds its non-secret driver settings; ``secret`` (comm key,
    password) is stored encrypted and never in ``connection``."""

    serial_number: str
    driver: str
    timezone: str
    name: str = ""
    brand: str = ""
    connection: Mapping[str, Any] = field(default_factory=dict)
    secret: str | None = None
    enabled: bool = True


def save_device(
    session: Session, site: Site, device: DeviceIn, *, secret_key: str | None
) -> Device:
    """Create or update the device with this serial number.

    A secret is encrypted with ``secret_key`` (Fernet); without a key, storing a secret is
    refused with :class:`hrcore.secrets.SecretKeyError`. ``secret=None`` keeps a stored secret.
    """
    what = f"device {device.serial_number!r}"
    if not device.serial_number.strip():
        raise InvalidData("device serial number must not be empty")
    check_timezone(device.timezone, f"{what} timezone")
    ciphertext = None
    if device.secret is not None:
        ciphertext = encrypt_secret(device.secret, secret_key)
    row = session.scalar(select(Device).where(Device.serial_number == device.serial_number))
    if row is None:
        row = Device(serial_number=device.serial_number, site_id=site.id)
        session.add(row)
    row.site_id = site.id
    row.name = device.name
    row.brand = device.brand
    row.driver = device.driver
    row.timezone = device.timezone
    row.connection = dict(device.connection)
    row.enabled = device.enabled
    if ciphertext is not None:
        row.secret_ciphertext = ciphertext
    session.flush()
    return row


def get_device(session: Session, serial_number: str) -> Device:
    row = find_device(session, serial_number)
    if row is None:
        raise NotFound(f"device {serial_number!r} is not registered; add it to config/devices.yaml")
    return row


def find_device(session: Session, serial_number: str) -> Device | None:
    """The device registered under this serial number, or None."""
    return session.scalar(select(Device).where(Device.serial_number == serial_number))


def devices_by_serial(session: Session, site: Site | None = None) -> tuple[tuple[Device, str], ...]:
    """Registered devices (of one site) by serial number, each with its site's code."""
    query = select(Device, Site.code).join(Site, Site.id == Device.site_id)
    if site is not None:
        query = query.where(Site.id == site.id)
    return tuple((dev, code) for dev, code in session.execute(query.order_by(Device.serial_number)))


def sites_of_serials(session: Session, serials: Iterable[str]) -> dict[str, str]:
    """Serial number -> the code of the site it is registered at (unregistered: absent)."""
    return {
        serial: code
        for serial, code in session.execute(
            select(Device.serial_number, Site.code)
            .join(Site, Device.site_id == Site.id)
            .where(Device.serial_number.in_(set(serials)))
        )
    }


def device_secret(device: Device, secret_key: str | None) -> str | None:
    """The device's decrypted secret, or ``None`` when it has none."""
    if device.secret_ciphertext is None:
        return None
    return decrypt_secret(device.secret_ciphertext, secret_key)
