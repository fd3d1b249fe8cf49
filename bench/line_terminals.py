"""Throughput of the serial-line and Modbus drivers, each against its simulator.

Run: ``python -m bench.line_terminals [--lines N] [--records N]``. Prints one JSON line per
case: the line codec alone (frames cut and decoded per second, sans-IO), the serial driver
end to end on a pty (every line read, acknowledged and the ack heard by the simulator), and
the Modbus driver draining a queue over loopback TCP (count, record and pop per punch).
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from drivers.modbus.driver import ModbusConfig, ModbusDriver
from drivers.modbus.simulator import ModbusSimulator
from drivers.serial.codec import Frame, FrameReader, Framing, LineCodec, check_pattern
from drivers.serial.driver import SerialConfig, SerialDriver
from drivers.serial.presets import PRESETS, PresetName
from drivers.serial.simulator import SerialSimulator

START = datetime(2026, 3, 2, tzinfo=UTC)
ZONE = "Asia/Shanghai"


def codec_rate(lines: int) -> dict[str, object]:
    p = PRESETS[PresetName.SHIFTGATE]
    codec = LineCodec(
        framing=Framing(p.start, p.end, p.checksum, p.separator),
        pattern=check_pattern(p.pattern),
        time_format=p.time_format,
        zone=ZoneInfo(ZONE),
    )
    wire = b"".join(
        codec.encode_line(
            {
                "device": "1",
                "seq": str(i),
                "time": f"2026-03-02T08:{i // 60 % 60:02d}:{i % 60:02d}",
                "user": str(i % 500),
                "state": "0",
                "verify": "1",
            },
            p.line_template,
        )
        for i in range(lines)
    )
    t0 = time.perf_counter()
    frames = FrameReader(codec.framing).feed(wire)
    decoded = [codec.decode(f) for f in frames if isinstance(f, Frame)]
    wall = time.perf_counter() - t0
    return {
        "case": "serial codec (sans-IO)",
        "lines": len(decoded),
        "per_s": round(len(decoded) / wall),
    }


def serial_rate(lines: int) -> dict[str, object]:
    with SerialSimulator(
        records=lines, rate=10_000, resend_s=5.0, timezone=ZONE, start=START
    ) as sim:
        driver = SerialDriver(
            SerialConfig(port=str(sim.path), serial="B1", timezone=ZONE, read_timeout_s=0.05)
        )
        stop = threading.Event()
        seen = 0
        t0 = time.perf_counter()
        with driver:
            for punch in driver.live_punches(stop):
                driver.acknowledge([punch])
                seen += 1
                if seen == lines:
                    break
        while not sim.done and time.perf_counter() - t0 < 120:
            time.sleep(0.01)
        wall = time.perf_counter() - t0
    return {
        "case": "serial driver on a pty, each line acked",
        "lines": seen,
        "acked": sim.stats.acked,
        "resent": sim.stats.resent,
        "per_s": round(seen / wall),
    }


def modbus_rate(records: int) -> dict[str, object]:
    with ModbusSimulator(records=records, timezone=ZONE, start=START) as sim:
        driver = ModbusDriver(
            ModbusConfig(host="127.0.0.1", port=sim.port, serial="B2", timezone=ZONE)
        )
        stop = threading.Event()
        seen = 0
        t0 = time.perf_counter()
        with driver:
            for punch in driver.live_punches(stop):
                driver.acknowledge([punch])
                seen += 1
                if seen == records:
                    break
        wall = time.perf_counter() - t0
    return {
        "case": "modbus driver over loopback TCP, each record popped",
        "records": seen,
        "left": sim.pending,
        "per_s": round(seen / wall),
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.line_terminals")
    parser.add_argument("--lines", type=int, default=2000)
    parser.add_argument("--records", type=int, default=1000)
    args = parser.parse_args()
    for result in (
        codec_rate(args.lines * 10),
        serial_rate(args.lines),
        modbus_rate(args.records),
    ):
        print(json.dumps(result))  # noqa: T201 - a benchmark prints its figures


if __name__ == "__main__":
    main()
