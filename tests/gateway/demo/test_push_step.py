"""The push demo step: ADMS and ISAPI simulators feed the gateway; every punch once."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from gateway.demo.push_step import STEP
from gateway.demo.runner import DemoContext
from hrcore.migrate import upgrade


def test_push_step_stores_every_punch_once_and_fits_80_columns(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    upgrade(url)
    console = Console(record=True, width=200)  # wide: a line over 80 columns shows
    STEP.run(DemoContext(console, tmp_path, url))
    text = console.export_text()
    assert "(push 2.4.1): 300 records," in text and "2 lost OKs re-sent" in text
    assert "executed=2" in text
    assert "listed as quarantined, nothing stored" in text
    assert "the same ids: True" in text
    assert "gets 401" in text
    last = next(line for line in text.splitlines() if "push punches uploaded" in line)
    total = int(last.split()[0])
    assert f"holds {total} of them" in last and total > 420
    assert max(len(line) for line in text.splitlines()) <= 80
