"""Loads driver families from the ``shiftgate.drivers`` entry-point group.

Built-in drivers are registered in pyproject.toml exactly like third-party ones. A plug-in that
fails to import is listed as broken with its error; the others still load.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points

from drivers.base import Driver
from drivers.errors import DriverConfigError

ENTRY_POINT_GROUP = "shiftgate.drivers"


@dataclass(frozen=True, slots=True)
class DriverEntry:
    name: str
    target: str
    driver: type[Driver] | None
    error: str | None

    @property
    def broken(self) -> bool:
        return self.driver is None


def _load(ep: EntryPoint) -> DriverEntry:
    try:
        cls = ep.load()
    except Exception as exc:  # noqa: BLE001 - a broken plug-in must not take the others down
        return DriverEntry(ep.name, ep.value, None, f"{type(exc).__name__}: {exc}")
    if not (isinstance(cls, type) and issubclass(cls, Driver)):
        return DriverEntry(ep.name, ep.value, None, "entry point is not a drivers.base.Driver")
    return DriverEntry(ep.name, ep.value, cls, None)


def discover() -> list[DriverEntry]:
    """All registered driver families, sorted by name."""
    eps = entry_points(group=ENTRY_POINT_GROUP)
    return sorted((_load(ep) for ep in eps), key=lambda e: e.name)


def load_driver(name: str) -> type[Driver]:
    """The driver class registered as ``name``; a clear error when unknown or broken."""
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name == name:
            entry = _load(ep)
            if entry.driver is None:
                raise DriverConfigError(f"driver {name!r} failed to load: {entry.error}")
            return entry.driver
    known = ", ".join(sorted(ep.name for ep in entry_points(group=ENTRY_POINT_GROUP)))
    raise DriverConfigError(f"unknown driver {name!r}; installed drivers: {known or 'none'}")
