"""The serial/Modbus demo step: every punch of both terminals stored once, all acknowledged."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from gateway.demo.runner import DemoContext
from gateway.demo.serial_modbus_step import STEP


def test_demo_step_stores_both_terminals_punches_once(tmp_path: Path) -> None:
    console = Console(record=True, width=80)
    STEP.run(DemoContext(console, tmp_path, f"sqlite:///{tmp_path / 'demo.db'}"))
    text = console.export_text()
    assert "serial: 12 of 12 punches stored once, 12 acked after storing" in text
    assert "modbus: 10 of 10 punches stored once; 12 pops after storing, 1 lost and redone" in text
    assert "out_of_range 1" in text
    assert max(len(line) for line in text.splitlines()) <= 80
