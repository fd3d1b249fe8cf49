"""`shiftgate simulate zk` from a real process: prints its port, serves, exits on SIGTERM."""

from __future__ import annotations

import queue
import signal
import subprocess
import sys
import threading

import pytest

from drivers.zkteco.driver import ZKTecoDriver


@pytest.mark.parametrize(
    ("extra", "settings"),
    [([], {}), (["--checksum-variant", "pyzk", "--strict"], {"checksum": "pyzk"})],
    ids=["default", "strict-pyzk-checksum"],
)
def test_simulate_zk_serves_and_stops_cleanly_on_sigterm(
    extra: list[str], settings: dict[str, object]
) -> None:
    cmd = [
        sys.executable,
        "-m",
        "gateway.cli.main",
        "simulate",
        "zk",
        "--port",
        "0",
        "--users",
        "6",
        "--records",
        "120",
        "--seed",
        "9",
        "--commkey",
        "31",
        "--clock-offset",
        "-90",
        "--tz",
        "UTC",
        *extra,
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: queue.Queue[str] = queue.Queue()

    def read_lines() -> None:
        for line in proc.stdout or []:
            lines.put(line)

    reader = threading.Thread(target=read_lines, daemon=True)
    reader.start()
    try:
        port = int(lines.get(timeout=60).strip())
        driver = ZKTecoDriver.from_settings(
            {"host": "127.0.0.1", "port": port, "comm_key": 31, "timezone": "UTC", **settings}
        )
        punches = driver.read_punches().punches
        assert len(punches) == 120
        assert punches[0].clock_offset_s is not None
        assert -95 < punches[0].clock_offset_s < -85
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=30)
    reader.join(timeout=5)
    rest = []
    while not lines.empty():
        rest.append(lines.get())
    assert code == 0, proc.stderr.read() if proc.stderr else ""
    assert any("simulator stopped" in x for x in rest)


def _start(cmd: list[str]) -> tuple[subprocess.Popen[str], queue.Queue[str]]:
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: queue.Queue[str] = queue.Queue()

    def read_lines() -> None:
        for line in proc.stdout or []:
            lines.put(line)

    threading.Thread(target=read_lines, daemon=True).start()
    return proc, lines


def test_simulate_serial_pty_prints_the_path_and_serves_a_driver() -> None:
    from drivers.serial.driver import SerialDriver

    proc, lines = _start(
        [
            sys.executable,
            "-m",
            "gateway.cli.main",
            "simulate",
            "serial",
            "--pty",
            "--records",
            "3",
            "--rate",
            "0.9",
            "--resend",
            "0.2",
            "--garbage",
            "0.5",
        ]
    )
    try:
        path = lines.get(timeout=60).strip()
        driver = SerialDriver.from_settings(
            {"port": path, "serial": "S1", "timezone": "UTC", "read_window_s": 4.0}
        )
        with driver:
            punches = driver.read_punches().punches
            driver.acknowledge(punches)
        # one line a second (the clock's time): no user punches twice in one second
        assert len({p.id for p in punches}) == 3
        assert proc.wait(30) == 0  # every line acked: it stops by itself
    finally:
        if proc.poll() is None:
            proc.kill()
    rest = "".join(lines.get_nowait() for _ in range(lines.qsize()))
    assert "3 lines" in rest and "3 acked" in rest


def test_simulate_modbus_prints_its_port_and_serves_a_driver() -> None:
    from drivers.modbus.driver import ModbusDriver

    proc, lines = _start(
        [
            sys.executable,
            "-m",
            "gateway.cli.main",
            "simulate",
            "modbus",
            "--port",
            "0",
            "--records",
            "2",
        ]
    )
    try:
        port = int(lines.get(timeout=60).strip())
        driver = ModbusDriver.from_settings(
            {"host": "127.0.0.1", "port": port, "serial": "M1", "timezone": "UTC"}
        )
        with driver:
            first = driver.read_punches().punches
            driver.acknowledge(first)
            second = driver.read_punches().punches
            driver.acknowledge(second)
            assert driver.pending() == 0
        assert len(first) == len(second) == 1
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
