"""The attendance demo step on a store seeded like the demo's import step leaves it."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from sqlalchemy import func, select

from gateway.demo.attendance_step import STEP
from gateway.demo.runner import DemoContext, run_demo
from hrcore.db import make_engine, make_session_factory
from hrcore.models import AttendanceDay
from tests.hrcore.store.attendance.seed import make_store


def test_attendance_step_computes_and_summarises(sqlite_url: str, tmp_path: Path) -> None:
    engine = make_engine(sqlite_url)
    factory = make_session_factory(engine)
    store = make_store(factory)
    store.punch("1", "2025-09-30T08:55:00")
    store.punch("1", "2025-09-30T19:00:00")
    store.punch("2", "2025-10-01T10:00:00")  # statutory holiday, unrostered
    store.punch("2", "2025-10-01T16:00:00")
    console = Console(record=True, width=200)
    run_demo([STEP], DemoContext(console=console, workdir=tmp_path, database_url=sqlite_url))
    text = console.export_text()
    assert "Attendance: worked hours, lateness and overtime" in text
    assert "rows inserted 4" in text
    e1 = next(line for line in text.splitlines() if line.strip().startswith("│ E1"))
    assert [c.strip() for c in e1.split("│")[1:7]] == [
        "E1",
        "10.08",
        "9.08",
        "1.00",
        "0.00",
        "0.00",
    ]
    e2 = next(line for line in text.splitlines() if line.strip().startswith("│ E2"))
    assert [c.strip() for c in e2.split("│")[1:7]] == ["E2", "6.00", "0.00", "0.00", "0.00", "6.00"]
    with factory() as s:
        assert s.scalar(select(func.count()).select_from(AttendanceDay)) == 4
    engine.dispose()


def test_attendance_step_without_punches_says_so(sqlite_url: str, tmp_path: Path) -> None:
    engine = make_engine(sqlite_url)
    make_store(make_session_factory(engine))
    engine.dispose()
    console = Console(record=True, width=200)
    STEP.run(DemoContext(console=console, workdir=tmp_path, database_url=sqlite_url))
    assert "site WH1: no imported punches yet, nothing to compute" in console.export_text()
