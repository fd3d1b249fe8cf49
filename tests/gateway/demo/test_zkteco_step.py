"""The ZKTeco demo step pulls the whole log, then only the two new punches."""

from __future__ import annotations

import csv
from pathlib import Path

from rich.console import Console

from gateway.demo.runner import DemoContext
from gateway.demo.zkteco_step import STEP


def test_demo_step_pulls_the_log_then_only_new_punches(tmp_path: Path) -> None:
    console = Console(record=True, width=120)
    STEP.run(DemoContext(console, tmp_path, f"sqlite:///{tmp_path / 'demo.db'}"))
    rows = list(csv.DictReader((tmp_path / "zkteco_punches.csv").open(encoding="utf-8")))
    assert len(rows) == 2000
    text = console.export_text()
    assert "wrote 2000 punches" in text
    assert "2 punches from ZKSIM0000007" in text
    assert "a clone with pyzk's checksum: 300 punches read" in text
    assert (tmp_path / "zkteco.cursor").read_text(encoding="utf-8").startswith('{"v":1,"n":2002')
