"""Fixtures for the ZKTeco tests: simulators on loopback and a bounded wait."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest

from drivers.zkteco.driver import ZKTecoConfig, ZKTecoDriver
from drivers.zkteco.simulator import ZKSimulator


def wait_until(cond: Callable[[], bool], timeout: float = 10.0, interval: float = 0.02) -> bool:
    """Poll ``cond`` until true or ``timeout`` seconds pass; returns the last value."""
    deadline = time.monotonic() + timeout
    while True:
        if cond():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


def make_driver(sim: ZKSimulator, **overrides: object) -> ZKTecoDriver:
    settings: dict[str, object] = {
        "host": "127.0.0.1",
        "port": sim.port,
        "udp": sim.udp,
        "comm_key": sim.comm_key,
        "timeout": 5.0,
        "timezone": "Europe/Berlin",
        "reconnect_delay_s": 0.1,
    }
    settings.update(overrides)
    return ZKTecoDriver(ZKTecoConfig.model_validate(settings))


@pytest.fixture
def sim() -> Iterator[ZKSimulator]:
    with ZKSimulator(users=12, records=3000, seed=7, timezone="Europe/Berlin") as s:
        yield s


@pytest.fixture
def driver(sim: ZKSimulator) -> ZKTecoDriver:
    return make_driver(sim)
