"""The demo's shift types pair punches by the clock's keys, so lunch breaks stay breaks."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from rich.console import Console
from sqlalchemy import select

from gateway.demo import DemoContext, seed_import
from hrcore.db import make_engine, make_session_factory
from hrcore.models import AttendanceDay, Employee, ShiftType
from hrcore.store.attendance import compute_attendance


def test_demo_forgotten_checkout_is_missing_checkout_not_early_exit(tmp_path: Path) -> None:
    workdir = tmp_path / "demo"
    url = f"sqlite:///{workdir / 'shiftgate.db'}"
    seed_import.run(DemoContext(console=Console(record=True), workdir=workdir, database_url=url))
    engine = make_engine(url)
    try:
        factory = make_session_factory(engine)
        with factory.begin() as s:
            assert set(s.scalars(select(ShiftType.in_out_mode))) == {"state"}
            compute_attendance(
                s,
                date(2025, 3, 6),
                date(2025, 3, 6),
                clock=lambda: datetime(2025, 3, 20, tzinfo=UTC),
            )
        with factory() as s:
            status = dict(
                s.execute(
                    select(Employee.code, AttendanceDay.status)
                    .join(Employee, Employee.id == AttendanceDay.employee_id)
                    .where(AttendanceDay.date == date(2025, 3, 6))
                ).all()
            )
    finally:
        engine.dispose()
    assert status["E07"] == "missing_checkout"  # punched lunch out/in, never checked out
    assert status["E13"] in {"present", "late"}  # lunch punches, then a real check-out
    assert "early_exit" not in status.values()
