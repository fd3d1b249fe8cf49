from __future__ import annotations

from pathlib import Path

from rich.console import Console
from sqlalchemy import func, select

from gateway.demo.gateway_step import LIVE_PUNCHES, STEP
from gateway.demo.runner import DemoContext
from hrcore.db import make_engine, make_session_factory
from hrcore.models import PunchRecord


def test_gateway_demo_step_fills_the_store(tmp_path: Path) -> None:
    console = Console(record=True, width=120)
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    STEP.run(DemoContext(console=console, workdir=tmp_path, database_url=url))
    out = console.export_text()
    with make_session_factory(make_engine(url))() as s:
        n = s.scalar(select(func.count()).select_from(PunchRecord))
    assert n == 80 + LIVE_PUNCHES
    assert f"{n} punches in the store" in out
    assert "outbox empty; device up" in out
