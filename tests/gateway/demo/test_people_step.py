"""The people demo step on the store the demo's first steps leave: the HR import (a dry run
of a bad file first), red flags with their evidence, and the watcher's alert."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from sqlalchemy import func, select

from gateway.demo import STEPS, attendance_step, people_step, seed_import
from gateway.demo.runner import DemoContext
from hrcore.db import make_engine, make_session_factory
from hrcore.enums import RiskLevel
from hrcore.models import KpiValue
from hrcore.store.risk import list_alerts


def test_people_step_prints_red_flags_with_evidence_in_80_columns(tmp_path: Path) -> None:
    assert STEPS.index(people_step.STEP) > STEPS.index(attendance_step.STEP)
    workdir = tmp_path / "demo"
    url = f"sqlite:///{workdir / 'shiftgate.db'}"
    quiet = Console(record=True, width=200)
    seed_import.run(DemoContext(console=quiet, workdir=workdir, database_url=url))
    attendance_step.run(DemoContext(console=quiet, workdir=workdir, database_url=url))
    console = Console(record=True, width=80)
    people_step.run(DemoContext(console=console, workdir=workdir, database_url=url))
    text = console.export_text()
    assert all(len(line) <= 80 for line in text.splitlines())
    assert "dry run of kpis-with-errors.csv: 3 problem(s), nothing stored" in text
    assert "'1,40' is not a number" in text
    assert "│ kpis.csv        │ kpis        │   72 │  72 │       0 │ no change │" in text
    assert "evaluated 20 employees of DEMO-WH: 1 red, 1 alert(s)" in text
    assert "next watcher tick: alert #2, E04 red 60 s after the punches (goal 5 min)" in text
    assert "risk of DEMO-WH as of 2025-03-16: 2 red, 1 amber, 17 green" in text
    assert "RED E07 Zhao Min: red: 3 more signals" in text
    assert "RED E04 Zhang Wei: red: long weeks + 1 more signal" in text
    flat = " ".join(line.strip() for line in text.splitlines())
    assert "2025-03-10: sick leave 2025-03-10..2025-03-13 (4 days in 2025-03) [leave.csv:3]" in flat
    assert "2025-03-09: week 2025-W10 (03 Mar-09 Mar): 58.3 h worked, above 50 h" in flat
    assert "missing: course 'forklift licence', completion 40 % of 100 %" in text
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            alerts = list_alerts(session)
            assert [(a.employee, a.level) for a in alerts] == [
                ("E04", RiskLevel.RED),
                ("E07", RiskLevel.RED),
            ]
            e04 = alerts[0]
            assert e04.trigger_at is not None
            assert (e04.raised_at - e04.trigger_at).total_seconds() <= 300
            assert session.scalar(select(func.count()).select_from(KpiValue)) == 72
    finally:
        engine.dispose()
