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
