"""``config/brands.yaml``: which driver family reads which terminals, with default settings
and the public source of the protocol. Each entry's defaults are checked against its
driver's settings schema, so the catalogue cannot name a setting a driver does not have."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from drivers.base import Driver
from drivers.errors import DriverConfigError
from drivers.registry import load_driver
from gateway.config.files import load_model
from gateway.errors import ConfigError, Problem

BRANDS_FILE = "brands.yaml"


class BrandEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    brand: str = Field(min_length=1)
    models: str = Field(min_length=1, description="which model lines or firmware")
    family: str = Field(min_length=1, description="a family from `shiftgate drivers list`")
    defaults: dict[str, Any] = Field(default_factory=dict)
    source: str = Field(min_length=1, description="where the protocol is documented")


class BrandsFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    brands: list[BrandEntry]


@dataclass(frozen=True, slots=True)
class FamilyCheck:
    """Whether a family ships a simulator next to its driver (the test suite runs the driver
    against it; tests/drivers/test_brands.py keeps that claim true)."""

    family: str
    simulator: str | None  # dotted module, when there is one


def simulator_of(driver: type[Driver]) -> str | None:
    package = driver.__module__.rsplit(".", 1)[0]
    name = f"{package}.simulator"
    return name if importlib.util.find_spec(name) is not None else None


def load_brands(path: Path) -> tuple[list[BrandEntry], list[FamilyCheck]]:
    """The catalogue, every entry's family and default keys checked; one error for all."""
    if not path.exists():
        raise ConfigError(path, [Problem("", "no brand catalogue here; see config/brands.yaml")])
    parsed = load_model(path, BrandsFile)
    problems: list[Problem] = []
    checks: dict[str, FamilyCheck] = {}
    for i, entry in enumerate(parsed.brands):
        try:
            driver = load_driver(entry.family)
        except DriverConfigError as exc:
            problems.append(Problem(f"brands[{i}].family", str(exc)))
            continue
        unknown = sorted(set(entry.defaults) - set(driver.config_model.model_fields))
        if unknown:
            problems.append(
                Problem(
                    f"brands[{i}].defaults",
                    f"{', '.join(unknown)} not in the {entry.family} driver's settings",
                )
            )
        checks.setdefault(entry.family, FamilyCheck(entry.family, simulator_of(driver)))
    if problems:
        raise ConfigError(path, problems)
    return list(parsed.brands), sorted(checks.values(), key=lambda c: c.family)
