"""Demo step: clocks that push. Two ZKTeco PUSH (ADMS) devices post to the gateway's
``/iclock`` routes -- one losing two OKs, so it sends those batches again; one on 3.x firmware
with Chinese (GB2312) names -- an unknown serial is held back, queued commands run once, and a
Hikvision terminal posts its events (digest-auth pull of the same terminal reads the same
punch ids). Everything is stored once, then uploaded to the HR store like pulled punches."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import func, select

from drivers.adms import commands
from drivers.adms.simulator import AdmsDeviceSimulator
from drivers.errors import AuthRejected, DriverError
from drivers.isapi.driver import IsapiConfig, IsapiDriver
from drivers.isapi.simulator import IsapiSimulator
from drivers.punch import DeviceUser
from gateway.app import create_app
from gateway.config.service import DeviceSpec
from gateway.demo.runner import DemoContext, DemoStep
from gateway.metrics import GatewayMetrics
from gateway.push.service import PushService
from gateway.push.store import CommandStatus
from gateway.settings import Settings
from gateway.sync.outbox import Outbox
from gateway.sync.uploader import StoreCentre, Uploader
from gateway.testing.app_server import serve_in_thread
from hrcore.db import make_engine, make_session_factory
from hrcore.migrate import upgrade
from hrcore.models import PunchRecord

TZ = "Asia/Shanghai"
ADMS_SN, ADMS3_SN, HIK_SN = "ADMSDEMO0001", "ADMSDEMO0002", "DS-K1T341AMF00000031"
HIK_PASSWORD = "demo"  # noqa: S105 - the simulated terminal's, printed nowhere


def _spec(serial: str, driver: str, settings: dict[str, object]) -> DeviceSpec:
    return DeviceSpec(
        serial,
        f"{driver} (simulated)",
        driver,
        TZ,
        None,
        30.0,
        False,
        None,
        {"serial": serial, "timezone": TZ, **settings},
    )


@contextmanager
def _quiet() -> Iterator[None]:
    """Refused requests log warnings (``serve`` writes them as JSON); the demo shows counts."""
    handler = logging.NullHandler()
    loggers = [logging.getLogger(n) for n in ("gateway.push", "drivers", "uvicorn")]
    for logger in loggers:
        logger.addHandler(handler)
        logger.propagate = False
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeHandler(handler)
            logger.propagate = True


def run(ctx: DemoContext) -> None:
    with _quiet():
        _run(ctx)


def _clock() -> datetime:
    return datetime.now(UTC)


def _run(ctx: DemoContext) -> None:
    say = ctx.console.print
    var = ctx.workdir / "push"
    outbox = Outbox.in_var_dir(var)
    specs = [
        _spec(ADMS_SN, "adms", {"delay_s": 1, "error_delay_s": 1}),
        _spec(ADMS3_SN, "adms", {"delay_s": 1, "error_delay_s": 1}),
        _spec(HIK_SN, "isapi", {"host": "127.0.0.1", "password": "demo"}),
    ]
    push = PushService.build(
        specs,
        outbox=outbox,
        metrics=GatewayMetrics(),
        var_dir=var,
        clock=_clock,
        auto_enrol=True,
        default_timezone=TZ,
    )
    settings = Settings(database_url=ctx.database_url, var_dir=var)
    store = push.store
    with serve_in_thread(create_app(settings, push=push)) as url:
        with AdmsDeviceSimulator(
            url,
            serial=ADMS_SN,
            records=300,
            seed=31,
            batch_size=50,
            lost_acks=2,
            timezone=TZ,
            max_wait_s=0.1,
        ) as dev:
            stats = dev.run(polls=0)
            say(
                f"ADMS {ADMS_SN} (push {dev.pushver}): {stats.acked} records, "
                f"{stats.uploads} uploads, {stats.lost_acks} lost OKs re-sent"
            )
            store.enqueue(ADMS_SN, commands.info())
            store.enqueue(ADMS_SN, commands.user_update(DeviceUser("77", "New Hire")))
            dev.poll()
            dev.poll()  # nothing new: nothing runs twice
            done = [c for c in store.commands(ADMS_SN) if c.status == CommandStatus.DONE]
            users = next((a for a in done[0].answer.split("\n") if a.startswith("UserCount")), "")
            say(f"  2 queued commands done ({users}), each run once: executed={dev.stats.executed}")
        with AdmsDeviceSimulator(
            url,
            serial=ADMS3_SN,
            records=120,
            seed=32,
            firmware="3.1",
            language=83,
            timezone=TZ,
            max_wait_s=0.1,
        ) as dev3:
            dev3.run(polls=0, users=True)
            say(
                f"ADMS {ADMS3_SN} (push {dev3.pushver}, GB2312 names): "
                f"{dev3.stats.acked} records; {len(store.users(ADMS3_SN))} users reported"
            )
        with AdmsDeviceSimulator(
            url, serial="STRANGER01", records=5, timezone=TZ, max_wait_s=0.1
        ) as stranger:
            try:
                stranger.run(polls=0)
            except DriverError:
                pass
        status = store.device("STRANGER01")
        say(
            f"unknown serial STRANGER01: answered 403, listed as "
            f"{status.status if status else '?'}, nothing stored"
        )
        hook = f"{url}/isapi/events/{HIK_SN}"
        before = outbox.depth()
        with IsapiSimulator(
            password=HIK_PASSWORD, events=60, seed=31, timezone=TZ, push_to=hook
        ) as hik:
            hik.push_all()
            pushed = outbox.depth() - before
            with IsapiDriver(
                IsapiConfig(host="127.0.0.1", port=hik.port, password=HIK_PASSWORD, timezone=TZ)
            ) as drv:
                pulled = drv.read_punches().punches
            say(f"ISAPI {HIK_SN}: 60 events posted, {pushed} punches (no door/failed)")
            say(
                f"  a digest-auth pull reads {len(pulled)} punches, the same ids: "
                f"{ {str(p.id) for p in pulled} <= _stored_ids(outbox) }"
            )
            with IsapiDriver(
                IsapiConfig(
                    host="127.0.0.1", port=hik.port, password=HIK_PASSWORD + "x", timezone=TZ
                )
            ) as bad:
                try:
                    bad.info()
                except AuthRejected:
                    say("  a wrong password gets 401 from the terminal (digest auth)")
    upgrade(ctx.database_url)
    engine = make_engine(ctx.database_url)
    factory = make_session_factory(engine)
    uploader = Uploader(
        outbox,
        StoreCentre(factory, ctx.database_url),
        GatewayMetrics(),
        batch_size=500,
        clock=_clock,
    )
    total = outbox.depth()
    uploader.drain()
    with factory() as s:
        n = s.scalar(
            select(func.count())
            .select_from(PunchRecord)
            .where(PunchRecord.source.in_(("adms", "isapi")))
        )
    engine.dispose()
    say(f"{total} push punches uploaded; the HR store holds {n} of them, each once")


def _stored_ids(outbox: Outbox) -> set[str]:
    return {str(i.punch.id) for i in outbox.peek(100_000)}


STEP = DemoStep("Clocks that push: ZKTeco ADMS and Hikvision ISAPI (simulated)", run)
