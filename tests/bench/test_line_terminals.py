"""The line-terminal benchmark, small: every line acked, every record popped."""

from __future__ import annotations

from bench.line_terminals import codec_rate, modbus_rate, serial_rate


def test_small_runs_deliver_everything() -> None:
    assert codec_rate(200)["lines"] == 200
    serial = serial_rate(50)
    assert (serial["lines"], serial["acked"]) == (50, 50)
    modbus = modbus_rate(20)
    assert (modbus["records"], modbus["left"]) == (20, 0)
