"""Fixtures for the ZKTeco tests: simulators on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from drivers.zkteco.driver import ZKTecoConfig, ZKTecoDriver
from drivers.zkteco.simulator import ZKSimulator


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
