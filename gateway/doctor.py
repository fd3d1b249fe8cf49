"""`shiftgate doctor`: check each hop a punch travels -- config, database, each device, the
outbox, the centre -- and name the failing one with a hint."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

import httpx
from sqlalchemy import make_url
from sqlalchemy.exc import SQLAlchemyError

from drivers.errors import AuthRejected, DeviceUnreachable, DriverError
from gateway.config.service import DeviceSpec, GatewayConfig, load_service_config
from gateway.devices.manager import DriverFactory, registry_driver_factory
from gateway.errors import ConfigError, OutboxError
from gateway.settings import Settings
from gateway.sync.outbox import Outbox
from hrcore.errors import StoreError
from hrcore.migrate import current


class HopState(StrEnum):
    OK = "ok"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class HopResult:
    hop: str
    state: HopState
    detail: str
    hint: str = ""

    @property
    def failed(self) -> bool:
        return self.state == HopState.FAILED


def _check_config(
    settings: Settings,
) -> tuple[HopResult, GatewayConfig | None, tuple[DeviceSpec, ...]]:
    try:
        loaded = load_service_config(settings.config_dir)
    except ConfigError as exc:
        return (
            HopResult(
                "config",
                HopState.FAILED,
                str(exc),
                "fix the file named above (see config/*.yaml for examples)",
            ),
            None,
            (),
        )
    detail = f"{settings.config_dir}: site {loaded.site}, {len(loaded.devices)} device(s)"
    return HopResult("config", HopState.OK, detail), loaded.gateway, loaded.devices


def _check_database(settings: Settings) -> HopResult:
    try:
        status = current(settings.database_url)
    except (StoreError, SQLAlchemyError) as exc:
        return HopResult(
            "database",
            HopState.FAILED,
            str(exc)[:300],
            "check SHIFTGATE_DATABASE_URL and that the server is running",
        )
    if not status.up_to_date:
        return HopResult(
            "database",
            HopState.FAILED,
            f"schema at {status.current or 'nothing (empty database)'}, code needs {status.head}",
            "run `shiftgate db upgrade`",
        )
    url = make_url(settings.database_url).render_as_string(hide_password=True)
    return HopResult("database", HopState.OK, f"{url} at {status.head}")


def _check_device(spec: DeviceSpec, factory: DriverFactory) -> HopResult:
    hop = f"device {spec.serial}"
    started = time.monotonic()
    try:
        with factory(spec, spec.settings) as driver:
            info = driver.info()
    except AuthRejected as exc:
        return HopResult(
            hop,
            HopState.FAILED,
            str(exc),
            f"set the comm key / password of {spec.serial} in config/devices.yaml",
        )
    except DeviceUnreachable as exc:
        return HopResult(
            hop,
            HopState.FAILED,
            str(exc),
            f"is {spec.name} powered and reachable at {spec.address}? "
            "check the cable/Wi-Fi and the host/port in config/devices.yaml",
        )
    except DriverError as exc:
        return HopResult(
            hop,
            HopState.FAILED,
            f"{type(exc).__name__}: {exc}",
            f"check driver settings of {spec.serial} in config/devices.yaml",
        )
    if info.serial_number != spec.serial:
        return HopResult(
            hop,
            HopState.FAILED,
            f"{spec.address} answers as serial {info.serial_number!r}",
            "another clock has this address; fix host or serial in devices.yaml",
        )
    ms = (time.monotonic() - started) * 1000
    return HopResult(
        hop,
        HopState.OK,
        f"{spec.address} answered in {ms:.0f} ms, "
        f"{info.record_count if info.record_count is not None else '?'} records",
    )


def _check_outbox(settings: Settings) -> HopResult:
    try:
        box = Outbox.in_var_dir(settings.var_dir)
    except OutboxError as exc:
        return HopResult(
            "outbox",
            HopState.FAILED,
            str(exc),
            "make var_dir writable (SHIFTGATE_VAR_DIR) and check free disk space",
        )
    try:
        return HopResult(
            "outbox",
            HopState.OK,
            f"{box.path}: {box.depth()} waiting, {box.rejected_count()} rejected",
        )
    finally:
        box.close()


def _check_centre(cfg: GatewayConfig, transport: httpx.BaseTransport | None) -> HopResult:
    url = cfg.centre.url
    if not url:
        return HopResult("centre", HopState.SKIPPED, "co-located: punches go to the database")
    headers = {"Authorization": f"Bearer {cfg.centre.token}"} if cfg.centre.token else {}
    try:
        with httpx.Client(
            base_url=url, timeout=cfg.centre.timeout_s, headers=headers, transport=transport
        ) as client:
            resp = client.get("/api/v1/health")
    except httpx.HTTPError as exc:
        return HopResult(
            "centre",
            HopState.FAILED,
            f"{url}: {exc}",
            "is the central shiftgate running? check centre.url in gateway.yaml "
            "and the network path",
        )
    if resp.status_code != 200:
        return HopResult(
            "centre",
            HopState.FAILED,
            f"{url} health answered {resp.status_code}",
            "check the centre's own `shiftgate doctor`",
        )
    return HopResult("centre", HopState.OK, f"{url} healthy")


def run_checks(
    settings: Settings,
    *,
    factory: DriverFactory = registry_driver_factory,
    transport: httpx.BaseTransport | None = None,
) -> Iterator[HopResult]:
    """Each hop in order; later hops are skipped when the config cannot be read."""
    config_result, cfg, devices = _check_config(settings)
    yield config_result
    yield _check_database(settings)
    yield _check_outbox(settings)
    if cfg is None:
        yield HopResult("devices", HopState.SKIPPED, "config unreadable")
        return
    for spec in devices:
        yield _check_device(spec, factory)
    yield _check_centre(cfg, transport)
