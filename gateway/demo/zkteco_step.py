"""Demo step: a simulated ZKTeco clock; pull its log to CSV, then only the new punches; then a
clone that answers in pyzk's checksum form is read as well, its replies counted."""

from __future__ import annotations

from collections import Counter

from drivers.base import Anomaly
from drivers.zkteco.codec import ChecksumForm
from drivers.zkteco.driver import ZKTecoDriver
from drivers.zkteco.simulator import ZKSimulator
from gateway.demo.runner import DemoContext, DemoStep
from gateway.devices.direct import DeviceTarget, pull, show_info

DEMO_ZONE = "Europe/Berlin"


def run(ctx: DemoContext) -> None:
    with ZKSimulator(users=25, records=2000, seed=7, comm_key=1234, timezone=DEMO_ZONE) as sim:
        target = DeviceTarget("zkteco", "127.0.0.1", sim.port, comm_key=1234, tz=DEMO_ZONE)
        show_info(target, ctx.console)
        cursor = ctx.workdir / "zkteco.cursor"
        pull(target, ctx.console, out=ctx.workdir / "zkteco_punches.csv", cursor_file=cursor)
        sim.punch_now("3", state=0, verify=15)
        sim.punch_now("11", state=1, verify=1)
        ctx.console.print("two people punch; the next pull reads only what is new:")
        pull(target, ctx.console, cursor_file=cursor)
    read_a_pyzk_clone(ctx)


def read_a_pyzk_clone(ctx: DemoContext) -> None:
    """A device whose replies carry pyzk's checksum: read in full, every such reply counted."""
    with ZKSimulator(
        users=5, records=300, seed=8, checksum_variant=ChecksumForm.PYZK, timezone=DEMO_ZONE
    ) as sim:
        driver = ZKTecoDriver.from_settings(
            {"host": "127.0.0.1", "port": sim.port, "timezone": DEMO_ZONE}
        )
        seen: Counter[str] = Counter()

        def count(anomaly: Anomaly) -> None:
            seen[anomaly.detail] += 1

        driver.watch_anomalies(count)
        n = len(driver.read_punches().punches)
    ctx.console.print(
        f"a clone with pyzk's checksum: {n} punches read, {seen['pyzk']} replies "
        "counted as kind=pyzk"
    )


STEP = DemoStep("Pull punches from a ZKTeco clock (simulated, binary protocol)", run)
