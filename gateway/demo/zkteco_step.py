"""Demo step: a simulated ZKTeco clock; pull its log to CSV, then only the new punches."""

from __future__ import annotations

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


STEP = DemoStep("Pull punches from a ZKTeco clock (simulated, binary protocol)", run)
