"""A gateway app with its push receivers on loopback, and what it stored."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from gateway.app import create_app
from gateway.config.service import DeviceSpec
from gateway.metrics import GatewayMetrics
from gateway.push.service import PushService
from gateway.settings import Settings
from gateway.sync.outbox import Outbox
from gateway.testing.app_server import serve_in_thread

TZ = "Asia/Shanghai"
ADMS_SN = "CKJX194960123"
ISAPI_SN = "DS-K1T341AMF00000005"


def spec(serial: str, driver: str, **settings: object) -> DeviceSpec:
    base: dict[str, object] = {"serial": serial, "timezone": TZ}
    if driver == "adms":
        base |= {"delay_s": 1, "error_delay_s": 1}
    return DeviceSpec(
        serial=serial,
        name=serial,
        driver=driver,
        timezone=TZ,
        site="HZ-WH1",
        poll_interval_s=30,
        live=False,
        rediscover_subnet=None,
        settings={**base, **settings},
    )


@dataclass
class Gateway:
    url: str
    push: PushService
    outbox: Outbox
    metrics: GatewayMetrics

    def stored_ids(self) -> set[str]:
        return {str(item.punch.id) for item in self.outbox.peek(100_000)}

    def metric(self, name: str, **labels: str) -> float:
        value = self.metrics.registry.get_sample_value(name, labels)
        return 0.0 if value is None else value


GatewayFactory = Callable[..., Gateway]


@pytest.fixture
def gateway_factory(tmp_path: Path) -> Iterator[GatewayFactory]:
    stack: list[object] = []

    def make(
        *,
        auto_enrol: bool = False,
        resend_after_s: float = 60.0,
        extra: list[DeviceSpec] | None = None,
    ) -> Gateway:
        var = tmp_path / f"var{len(stack)}"
        outbox = Outbox.in_var_dir(var)
        metrics = GatewayMetrics()
        specs = [spec(ADMS_SN, "adms"), spec(ISAPI_SN, "isapi", host="127.0.0.1"), *(extra or [])]
        push = PushService.build(
            specs,
            outbox=outbox,
            metrics=metrics,
            var_dir=var,
            clock=lambda: datetime.now(UTC),
            auto_enrol=auto_enrol,
            default_timezone=TZ,
            resend_after_s=resend_after_s,
        )
        settings = Settings(database_url=f"sqlite:///{var / 'hr.db'}", var_dir=var)
        server = serve_in_thread(create_app(settings, metrics_=metrics, push=push))
        url = server.__enter__()
        stack.append(server)
        return Gateway(url, push, outbox, metrics)

    yield make
    for server in reversed(stack):
        server.__exit__(None, None, None)  # type: ignore[attr-defined]


@pytest.fixture
def gateway(gateway_factory: GatewayFactory) -> Gateway:
    return gateway_factory()
