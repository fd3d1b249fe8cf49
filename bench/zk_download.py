"""Download a ZKTeco log over TCP with shiftgate's driver and with pyzk, at one or many sizes.

Run: ``python -m bench.zk_download [--records N] [--rounds R]`` for one size, or
``python -m bench.zk_download --sweep`` for 1k, 3k, 10k, 30k, 100k and 200k records plus the
gateway's real case (a poll that finds 100 new records on a 100,000-record device). One
simulator per size serves both clients in the same run; each line of JSON gives best-of-R
wall seconds and process CPU seconds for both, the ratio, where shiftgate's time goes
(building the punches vs the rest: the protocol and the transfer) and, with ``--memory``, the
peak RSS of a fresh process reading the log (the simulator runs in another process).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from drivers.zkteco.bulk import punches_from_log
from drivers.zkteco.driver import ZKTecoDriver
from drivers.zkteco.simulator import ZKSimulator

SWEEP = (1_000, 3_000, 10_000, 30_000, 100_000, 200_000)
INCREMENTAL_LOG = 100_000
INCREMENTAL_NEW = 100
RECORD_SIZE = 40


@dataclass(frozen=True, slots=True)
class Timing:
    wall_s: float
    cpu_s: float
    count: int


def timed(
    fn: Callable[[], int], rounds: int, before: Callable[[], object] = lambda: None
) -> Timing:
    """Best wall and best process-CPU time over ``rounds`` runs (``before`` runs untimed)."""
    wall = cpu = float("inf")
    count = 0
    for _ in range(rounds):
        before()
        w0, c0 = time.perf_counter(), time.process_time()
        count = fn()
        wall = min(wall, time.perf_counter() - w0)
        cpu = min(cpu, time.process_time() - c0)
    return Timing(wall, cpu, count)


def driver_for(port: int) -> ZKTecoDriver:
    return ZKTecoDriver.from_settings(
        {"host": "127.0.0.1", "port": port, "timezone": "UTC", "timeout": 120}
    )


def pyzk_read(port: int) -> int:
    from zk import ZK  # type: ignore[import-untyped]  # third-party reference client (test extra)

    conn = ZK("127.0.0.1", port=port, timeout=120, ommit_ping=True).connect()
    try:
        return len(conn.get_attendance())
    finally:
        conn.disconnect()


def build_seconds(sim: ZKSimulator, rounds: int) -> Timing:
    """Seconds the driver spends turning the raw log into punches (the rest is the wire)."""
    data = bytes(b"".join(r.raw for r in sim.attendance()))
    zone = ZoneInfo("UTC")

    def build() -> int:
        punches = punches_from_log(
            data,
            sim.record_size,
            device_sn=sim.serial,
            zone=zone,
            source="zkteco",
            clock_offset_s=0.0,
        )
        return len(punches)

    return timed(build, rounds)


def peak_rss_kib() -> int:
    """This process's peak RSS: VmHWM (reset by exec), else ru_maxrss (which a child
    inherits from the parent it was forked from)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def memory_probe(port: int) -> dict[str, float]:
    """In a fresh process: the peak RSS of one full read, then (a second read, traced) the
    transient Python memory of a read in units of the raw log: what it holds beyond the
    punches it returns."""
    driver = driver_for(port)
    driver.get_clock()  # connect once: the serial is learnt outside the measured reads
    base_rss = peak_rss_kib()
    records = len(driver.read_punches().punches)
    peak_rss = peak_rss_kib()
    tracemalloc.start()
    result = driver.read_punches()
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    raw = len(result.punches) * RECORD_SIZE
    return {
        "records": records,
        "raw_log_mib": round(raw / 2**20, 1),
        "peak_rss_mib": round(peak_rss / 1024, 1),
        "read_rss_growth_mib": round((peak_rss - base_rss) / 1024, 1),
        "punches_mib": round(current / 2**20, 1),
        "transient_raw_copies": round((peak - current) / raw, 2) if raw else 0.0,
    }


def measure_memory(port: int) -> dict[str, float]:
    out = subprocess.run(  # noqa: S603 - this interpreter, this module, a port number
        [sys.executable, "-m", "bench.zk_download", "--memory-probe", str(port)],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    probe: dict[str, float] = json.loads(out.stdout)
    return probe


def size_line(records: int, rounds: int, pyzk_rounds: int, memory: bool) -> dict[str, object]:
    with ZKSimulator(users=200, records=records, seed=1, timezone="UTC") as sim:
        driver = driver_for(sim.port)
        ours = timed(lambda: len(driver.read_punches().punches), rounds)
        theirs = timed(lambda: pyzk_read(sim.port), pyzk_rounds)
        build = build_seconds(sim, rounds)
        mem = measure_memory(sim.port) if memory else None
    if ours.count != records or theirs.count != records:
        raise SystemExit(f"record counts differ: shiftgate {ours.count}, pyzk {theirs.count}")
    line: dict[str, object] = {
        "bench": "zk_download",
        "case": "full",
        "records": records,
        "shiftgate_s": round(ours.wall_s, 4),
        "pyzk_s": round(theirs.wall_s, 4),
        "ratio": round(theirs.wall_s / ours.wall_s, 2),
        "shiftgate_cpu_s": round(ours.cpu_s, 4),
        "pyzk_cpu_s": round(theirs.cpu_s, 4),
        "cpu_ratio": round(theirs.cpu_s / ours.cpu_s, 2) if ours.cpu_s else None,
        "shiftgate_records_per_s": round(records / ours.wall_s),
        "pyzk_records_per_s": round(records / theirs.wall_s),
        "build_punches_s": round(build.wall_s, 4),
        "build_punches_cpu_s": round(build.cpu_s, 4),
        "protocol_and_transfer_s": round(max(0.0, ours.wall_s - build.wall_s), 4),
    }
    if mem is not None:
        line["memory"] = mem
    return line


def incremental_line(rounds: int, log_size: int, pyzk_full_s: float | None) -> dict[str, object]:
    """The gateway's poll: 100 new records on a 100,000-record device, from the cursor."""
    with ZKSimulator(users=200, records=log_size, seed=1, timezone="UTC") as sim:
        driver = driver_for(sim.port)
        cursor = [driver.read_punches().cursor]

        def poll() -> int:
            result = driver.read_punches(cursor[0])
            cursor[0] = result.cursor
            return len(result.punches)

        ours = timed(poll, rounds, before=lambda: sim.add_punches(INCREMENTAL_NEW))
        if pyzk_full_s is None:
            pyzk_full_s = timed(lambda: pyzk_read(sim.port), 1).wall_s
    if ours.count != INCREMENTAL_NEW:
        raise SystemExit(f"incremental read gave {ours.count} records, not {INCREMENTAL_NEW}")
    return {
        "bench": "zk_download",
        "case": "incremental",
        "records": log_size,
        "new": INCREMENTAL_NEW,
        "shiftgate_s": round(ours.wall_s, 4),
        "pyzk_full_read_s": round(pyzk_full_s, 4),
        "ratio": round(pyzk_full_s / ours.wall_s, 1),
    }


def emit(line: dict[str, object]) -> None:
    sys.stdout.write(json.dumps(line) + "\n")
    sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sweep", action="store_true", help="every size, then incremental")
    parser.add_argument(
        "--sizes", type=lambda s: tuple(int(x) for x in s.split(",")), default=SWEEP
    )
    parser.add_argument("--memory", action="store_true", help="peak RSS of a fresh reader")
    parser.add_argument("--no-incremental", action="store_true")
    parser.add_argument("--incremental-log", type=int, default=INCREMENTAL_LOG)
    parser.add_argument("--memory-probe", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.memory_probe is not None:
        sys.stdout.write(json.dumps(memory_probe(args.memory_probe)) + "\n")
        return 0
    sizes = args.sizes if args.sweep else (args.records,)
    pyzk_at_incremental: float | None = None
    for records in sizes:
        # pyzk is quadratic: one round at 100k and above keeps the sweep within minutes
        pyzk_rounds = args.rounds if records < 100_000 else 1
        line = size_line(records, args.rounds, pyzk_rounds, args.memory)
        if records == args.incremental_log:
            pyzk_at_incremental = float(str(line["pyzk_s"]))
        emit(line)
    if args.sweep and not args.no_incremental:
        emit(incremental_line(args.rounds, args.incremental_log, pyzk_at_incremental))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
